"""Page 1 in a real Chromium: every mode renders, controls rerun the page, the window follows the chosen cell.

Two page loads only (each costs seconds): one walks through the interactions and every mode, saving a
screenshot of each; the other opens a shared link.
"""


import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (assert_on_first_screen, doc_screenshot, open_page, presenter_keeps_first_screen,
                                    screenshot, wait_idle)

pytestmark = pytest.mark.browser

PATH = "/Convolution_and_pooling"
TALL = {"width": 1600, "height": 1500}  # Streamlit scrolls inside its own container: a tall window shows it all


def _expect(page, text: str) -> None:
    """Waits for a text (a rerun may start a moment after the input), then for the script to finish."""
    page.get_by_text(text).first.wait_for()
    wait_idle(page)


def _pick_mode(page, mode: str, expect: str) -> None:
    page.locator(".st-key-p1_mode").get_by_text(mode, exact=True).click()
    _expect(page, expect)


def _set_number(page, key: str, value: int) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(str(value))
    box.press("Enter")


def _cell_interactions(page) -> None:
    slider = page.locator(".st-key-p1_cell input[type='range']")
    slider.focus()
    slider.press("ArrowRight")
    _expect(page, "Y[0, 1] = 1×0 + 2×1 + 4×2 + 5×3 = 25")
    # Click the centre of the bottom-right cell of the 2x2 output (a transparent marker reports it).
    box = page.locator(".st-key-p1_out_chart .js-plotly-plot .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75)
    _expect(page, "Y[1, 1] = 4×0 + 5×1 + 7×2 + 8×3 = 43")
    page.locator(".st-key-p1_play button").first.click()  # Play: the window moves on by itself
    _expect(page, "Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19")
    page.locator(".st-key-p1_play button").first.click()  # Pause
    wait_idle(page)


def _kernel_popover(page) -> None:
    """The kernel's preset, shape and numbers are in a popover that stays open while the kernel changes."""
    page.locator(".st-key-p1_kernel_pop button").first.click()
    expect(page.locator(".st-key-p1_kpreset")).to_be_visible()
    page.locator(".st-key-p1_kh [data-testid='stNumberInputStepUp']").click()  # 3 kernel rows
    _expect(page, "Output shape 1×2")
    expect(page.locator(".st-key-p1_kpreset")).to_be_visible()  # still open after the rerun
    screenshot(page, "page1_kernel_popover", full_page=False)
    page.locator(".st-key-p1_kh [data-testid='stNumberInputStepDown']").click()
    _expect(page, "Output shape 2×2")
    page.keyboard.press("Escape")


def test_interactions_and_every_mode(page):
    page.set_viewport_size(TALL)
    open_page(page, PATH)
    expect(page.get_by_text("Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19")).to_be_visible()
    _cell_interactions(page)
    _set_number(page, "p1_pad_h", 1)
    _expect(page, "rows: ⌊(3 + 2·1 − 1·(2 − 1) − 1) / 1⌋ + 1 = 4")
    assert "pad_h=1" in page.url
    screenshot(page, "page1_single_channel")
    _set_number(page, "p1_pad_h", 0)
    _expect(page, "Output shape 2×2")
    _kernel_popover(page)
    _pick_mode(page, "Multi-channel", "= (output channels, input channels, rows, cols)")
    screenshot(page, "page1_multi_channel")
    page.locator(".st-key-p1_channel_pop button").first.click()  # the Channels popover
    page.locator(".st-key-p1_own_kernels").get_by_text("Type each kernel").click()
    _expect(page, "one typed kernel per channel pair")
    page.keyboard.press("Escape")
    expect(page.get_by_text("K[2, 1]", exact=True)).to_be_visible()  # 3 x 2 editors, one per channel pair
    assert "own_kernels=true" in page.url and "kfull=" in page.url
    screenshot(page, "page1_multi_channel_typed")
    _pick_mode(page, "1×1", "fully connected layer across channels")
    screenshot(page, "page1_1x1")
    _pick_mode(page, "Pooling", "Pooling keeps the channel count: 2 in, 2 out")
    screenshot(page, "page1_pooling")
    page.locator(".st-key-p1_pool_source").get_by_text("shift demo (edge image)").click()
    _expect(page, "the pooled map keeps")
    screenshot(page, "page1_pooling_shift")


def test_a_shared_link_opens_the_same_view(page):
    page.set_viewport_size(TALL)
    open_page(page, PATH + "?input=Fashion-MNIST+image&fm_index=0&kernel=-1,0,1;-2,0,2;-1,0,1&pad_h=1&pad_w=1"
                           "&cell=300")
    _expect(page, "Output shape 28×28")
    expect(page.get_by_text("label: Ankle boot")).to_be_visible()
    expect(page.locator("h4").filter(has_text="Y[10, 20] =")).to_have_count(1)
    screenshot(page, "page1_fashion_mnist_sobel")


# --- issue 10 ---------------------------------------------------------------------------------------------

FIRST_SCREEN = ((".st-key-p1_fig_in", "the input"), (".st-key-p1_fig_k", "the kernel"),
                (".st-key-p1_out_chart", "the output"), (".st-key-p1_sum", "the written-out sum"))
SOBEL_ON_EDGES = ("?input=edge+image+6x8&kpreset=Sobel+x&kernel=-1,0,1;-2,0,2;-1,0,1&pad_h=1&pad_w=1&cell=9")


def _titles_fit(page) -> None:
    """No figure title is cut off: Plotly clips a title wider than its figure instead of wrapping it."""
    page.wait_for_function("() => { const plots = document.querySelectorAll('.js-plotly-plot');"
                           " return plots.length >= 3 && [...plots].every(p => p.querySelector('.gtitle')); }")
    cut = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
        const svg = plot.querySelector('.main-svg').getBoundingClientRect();
        return [...plot.querySelectorAll('.gtitle')].map(t => [t.textContent, t.getBoundingClientRect(), svg])
            .filter(([, r, s]) => r.left < s.left - 1 || r.right > s.right + 1).map(([text]) => text);
    })""")
    assert not cut, f"titles cut off: {cut}"


def test_page1_projector_first_screen(projector):
    """At 1280x720 with the sidebar open: the input, the kernel, the output and the written-out sum are all
    on the first screen, for the book's example (flipped, whose title must fit) and a 3x3 Sobel on an image."""
    open_page(projector, PATH + "?true_conv=true")
    for selector, what in FIRST_SCREEN:
        assert_on_first_screen(projector, selector, what)
    expect(projector.locator(".st-key-p1_fig_k .gtitle")).to_have_text("kernel, flipped 180°", timeout=60_000)
    _titles_fit(projector)
    open_page(projector, PATH + SOBEL_ON_EDGES)
    expect(projector.locator(".st-key-p1_sum")).to_contain_text("kernel row 2:")
    for selector, what in FIRST_SCREEN:
        assert_on_first_screen(projector, selector, what)
    _titles_fit(projector)
    doc_screenshot(projector, "page1_projector", "convolution")
    # Presenter mode: larger type, and still everything on the first screen.
    presenter_keeps_first_screen(projector, "Presenter mode", FIRST_SCREEN, "page1_projector_presenter")
    _titles_fit(projector)


def _value(page, key: str) -> str:
    return page.locator(f".st-key-{key} input").input_value()


def test_page1_back_undoes_the_last_change_and_another_page_keeps_the_state(page):
    open_page(page, PATH)
    _set_number(page, "p1_pad_h", 1)
    _expect(page, "Output shape 4×2")
    _set_number(page, "p1_stride_w", 2)
    _expect(page, "Output shape 4×1")
    assert "pad_h=1" in page.url and "stride_w=2" in page.url
    page.go_back()
    _expect(page, "Output shape 4×2")
    assert (_value(page, "p1_pad_h"), _value(page, "p1_stride_w")) == ("1", "1")
    assert "pad_h=1" in page.url and "stride_w" not in page.url
    page.go_back()
    _expect(page, "Output shape 2×2")
    assert (_value(page, "p1_pad_h"), _value(page, "p1_stride_w")) == ("0", "1")
    assert "pad_h" not in page.url
    # A change, a visit to another page through the menu, and back through the menu: the change is kept.
    _set_number(page, "p1_dil_h", 2)
    _expect(page, "Output shape 1×2")
    page.locator("[data-testid='stSidebarNav'], [data-testid='stSidebar']").get_by_text("Home", exact=True).click()
    _expect(page, "This machine")
    page.locator("[data-testid='stSidebar']").get_by_text("Convolution & pooling", exact=True).click()
    _expect(page, "Output shape 1×2")
    assert _value(page, "p1_dil_h") == "2" and "dil_h=2" in page.url
