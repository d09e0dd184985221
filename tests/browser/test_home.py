from playwright.sync_api import expect

from tests.browser.conftest import open_page, screenshot


def test_home_renders_with_links(page):
    open_page(page, "/")
    expect(page.get_by_text("cnnviz: convolutional networks, hands on")).to_be_visible()
    assert page.locator("[data-testid='stPageLink']").count() >= 5
    screenshot(page, "home")
