import shutil

from playwright.sync_api import expect

from tests.browser.conftest import assert_on_first_screen, open_page, screenshot
from tests.conftest import ROOT


def test_home_renders_with_links(page):
    open_page(page, "/")
    expect(page.get_by_text("cnnviz: convolutional networks, hands on")).to_be_visible()
    # the home page may run twice on a first visit (the language joins the address), so wait for the links
    expect(page.locator("[data-testid='stMain'] [data-testid='stPageLink']")).to_have_count(8)
    screenshot(page, "home")


def test_home_on_a_projector(projector):
    """At 1280x720 the title, the links to every page and the presenter switch fit on the first screen."""
    open_page(projector, "/")
    assert_on_first_screen(projector, "h1", "the title")
    assert_on_first_screen(projector, ".st-key-presenter", "the presenter switch")
    expect(projector.locator("[data-testid='stMain'] [data-testid='stPageLink']")).to_have_count(8)
    assert_on_first_screen(projector, "[data-testid='stMain'] [data-testid='stPageLink'] >> nth=7",
                           "the link to the last page")
    path = screenshot(projector, "home-projector", full_page=False)
    shutil.copy(path, ROOT / "docs" / "screenshots" / "home.png")
