"""Page 1 in a real Chromium: every mode renders, controls rerun the page, the window follows the chosen cell.

Two page loads only (each costs seconds): one walks through the interactions and every mode, saving a
screenshot of each; the other opens a shared link.
"""

from playwright.sync_api import expect
from tests.browser.conftest import open_page, screenshot, wait_idle

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
    _pick_mode(page, "Multi-channel", "= (output channels, input channels, rows, cols)")
    screenshot(page, "page1_multi_channel")
    page.locator(".st-key-p1_own_kernels").get_by_text("Type each kernel").click()
    _expect(page, "one typed kernel per channel pair")
    expect(page.get_by_text("K[2, 1]", exact=True)).to_be_visible()  # 3 x 2 editors, one per channel pair
    assert "own_kernels=true" in page.url and "kfull=" in page.url
    screenshot(page, "page1_multi_channel_typed")
    _pick_mode(page, "1×1 convolution", "fully connected layer across channels")
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
