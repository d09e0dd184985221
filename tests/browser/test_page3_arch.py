"""The architecture builder in Chromium: build a stack, see the diagram and the table, break it, fix it."""

from tests.browser.conftest import open_page, screenshot, wait_idle


def _click(page, key: str) -> None:
    page.locator(f".st-key-{key} button").click()
    wait_idle(page)


def _choose(page, key: str, option: str) -> None:
    page.locator(f".st-key-{key}").click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def test_build_a_stack_and_see_diagram_and_table(page):
    page.set_viewport_size({"width": 1600, "height": 2600})  # the app scrolls inside: a tall window shows it all
    open_page(page, "/Architecture_builder?preset=lenet")
    diagram = page.locator(".st-key-arch_diagram")
    diagram.wait_for()
    assert "61,706" in page.locator("[data-testid='stMetric']").nth(1).inner_text()
    screenshot(page, "page3_arch_lenet")

    # Build: append a ReLU at the end (the stack now ends with an activation: still 10 scores).
    _choose(page, "arch_add_type", "Activation")
    _click(page, "arch_add")
    assert page.locator("[data-testid='stAlert']").count() == 0
    # Break it: a pooling layer after the Flatten.
    _choose(page, "arch_add_type", "Pool")
    _choose(page, "arch_add_at", "before layer 8")
    _click(page, "arch_add")
    alert = page.locator("[data-testid='stAlert']").first
    assert "layer 8, MaxPool2d 2x2" in alert.inner_text()
    screenshot(page, "page3_arch_broken")
    diagram.screenshot(path="build/screenshots/page3_arch_diagram_broken.png")

    # Fix it by removing that layer: everything else is still there.
    _click(page, "arch_remove")
    assert page.locator("[data-testid='stAlert']").count() == 0
    assert "61,706" in page.locator("[data-testid='stMetric']").nth(1).inner_text()
    screenshot(page, "page3_arch_fixed")
    page.locator(".st-key-arch_table").screenshot(path="build/screenshots/page3_arch_table.png")


def test_deep_preset_wraps_the_diagram(page):
    page.set_viewport_size({"width": 1600, "height": 2000})
    open_page(page, "/Architecture_builder?preset=googlenet_small")
    assert page.locator("[data-testid='stAlert']").count() == 0
    assert "150,164" in page.locator("[data-testid='stMetric']").nth(1).inner_text()
    screenshot(page, "page3_arch_googlenet")
    page.locator(".st-key-arch_diagram").screenshot(path="build/screenshots/page3_arch_diagram_googlenet.png")
