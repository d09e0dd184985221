"""ResNet, DenseNet and RegNet (d2l 8.6-8.8 / zh 7.6-7.7) on the pages in Chromium at 1280x720, in English and
Chinese: the Train page trains each one's small version on 1,000 images for one epoch (curves, the live kernels and maps,
a status line naming the network by its title), then the Activations page opens that run from the sidebar: its
maps, the receptive field of a unit after a residual or dense block outlined on the input, and the attribution
maps with a Grad-CAM title that stays inside its chart. Screenshots: build/screenshots/later_*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import choose, open_page, screenshot, wait_idle
from tests.browser.test_page1_zh import _glyphs_drawn, _labels_fit
from tests.browser.test_page4_live import KERNELS, MAPS, MAPS_SECTION
from tests.browser.test_page4_train import POINTS, TRAINING, _press_start
from tests.browser.test_page5_activations import FIRST_LOAD_MS, GRID

pytestmark = pytest.mark.browser
ATTRIBUTION = ".st-key-act_attribution .js-plotly-plot"

# net, language, its title there, a block to click a unit of, its maps' side, and what unit (5, 5) of it sees on
# the 28x28 input. ResNet small's first residual block follows a 3x3 convolution and holds two more (its identity
# shortcut sees less): 7x7, rows and columns 2-8. DenseNet small's first dense block holds three 3x3 convolutions
# after the 3x3 stem (its concatenation keeps the stem's 3x3 too): 9x9, rows and columns 1-9. RegNetX small's first
# ResNeXt block halves the side with its grouped 3x3 convolution after the 3x3 stem (1x1s see no more): unit 5 is
# centred on pixel 10, 5x5, rows and columns 8-12. (The union over the paths is checked against the built model's
# gradient in tests/unit/arch.)
CASES = [
    ("resnet_small", "en", "ResNet small", "residual1", 28,
     "unit (5, 5) of residual1 sees rows 2-8, columns 2-8 (7×7 of the 28×28 input)"),
    ("densenet_small", "zh", "DenseNet 小型版", "dense1", 28,
     "dense1 的单元 (5, 5) 看到行 1–9、列 1–9（28×28 输入中的 9×9）"),
    ("regnet_small", "en", "RegNetX small", "resnext1", 14,
     "unit (5, 5) of resnext1 sees rows 8-12, columns 8-12 (5×5 of the 28×28 input)"),
]
SUBTITLE = {"en": "d2l 7.6: a trained network's feature maps (the book's exercise uses LeNet)",
            "zh": "训练好的网络（书中的练习用的是 LeNet）"}
FINISHED = {"en": "finished after", "zh": "完成，用时"}
ATTRIBUTION_HEADING = {"en": "Attribution: which pixels the decision rests on", "zh": "归因：决策依据哪些像素"}


def _train(page, net: str, lang: str, title: str) -> None:
    """A one-epoch run on 1,000 images, opened by a link; checks what the page shows once it has finished."""
    open_page(page, f"/Train?net={net}&images=1000&epochs=1&lang={lang}")
    _press_start(page)
    status = page.locator("[data-testid='stAlert']", has_text=FINISHED[lang])
    status.wait_for(timeout=TRAINING)
    wait_idle(page)
    text = status.inner_text()
    assert f"#1 {title} ·" in text and net not in text, text  # by its title, never its id
    assert page.evaluate(POINTS) > 0, "no curve drawn"
    assert page.evaluate(KERNELS) and page.evaluate(MAPS), "the live kernels or maps are not drawn"
    _labels_fit(page)
    screenshot(page, f"later_{net}_{lang}_train", full_page=False)
    page.evaluate(f"document.querySelector('{MAPS_SECTION}').scrollIntoView({{block: 'end'}})")
    page.wait_for_timeout(500)
    screenshot(page, f"later_{net}_{lang}_live", full_page=False)


def _outline_a_unit(page, block: str, side: int, sees: str) -> None:
    """The block's maps; a click on a map of the first image enlarges it, a click on unit (5, 5) of the
    side x side map outlines what that unit sees, in the dialog and then on every input of the grid."""
    layer = page.locator(".st-key-act_layer [role='combobox']").first
    layer.click()
    page.get_by_role("option", name=block).click()
    wait_idle(page)
    column = page.locator(f"{GRID} .xtick text", has_text="0").first.bounding_box()  # channel 0
    row = page.locator(f"{GRID} .ytick text").first.bounding_box()  # the first image
    page.mouse.click(column["x"] + column["width"] / 2, row["y"] + row["height"] / 2)
    dialog = page.get_by_role("dialog")
    cells = dialog.locator(".st-key-act_zoom_map .hm image").first
    cells.wait_for(timeout=30_000)
    box = cells.bounding_box()
    page.mouse.click(box["x"] + 5.5 * box["width"] / side, box["y"] + 5.5 * box["height"] / side)
    expect(dialog).to_contain_text(sees, timeout=60_000)
    wait_idle(page)
    page.keyboard.press("Escape")
    expect(page.locator(f"{GRID} .shapelayer path")).to_have_count(8)  # every input of the grid, outlined


def _attribution(page, lang: str, name: str) -> None:
    """The attribution section scrolled to: the image and four maps for two classes, every title inside."""
    page.get_by_role("heading", name=ATTRIBUTION_HEADING[lang]).evaluate("e => e.scrollIntoView({block: 'start'})")
    expect(page.locator(f"{ATTRIBUTION} .hm image")).to_have_count(10, timeout=FIRST_LOAD_MS)
    expect(page.locator(ATTRIBUTION)).to_contain_text("Grad-CAM")
    chart = page.locator(ATTRIBUTION).bounding_box()
    titles = page.locator(f"{ATTRIBUTION} .annotation-text")
    for i in range(5):  # the column titles: none passes the chart's right edge (a long layer name wraps)
        title = titles.nth(i).bounding_box()
        assert title["x"] + title["width"] <= chart["x"] + chart["width"] + 1, (titles.nth(i).text_content(), title)
    screenshot(page, f"{name}_attribution", full_page=False)


@pytest.mark.parametrize("net,lang,title,block,side,sees", CASES)
def test_train_a_later_network_then_inspect_its_run(projector, net, lang, title, block, side, sees):
    page = projector
    _train(page, net, lang, title)

    # The sidebar's link keeps this tab's session, so the page offers the run just trained.
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a[href*='Activations']").click()
    wait_idle(page, timeout=FIRST_LOAD_MS)
    choose(page, "act_model", f"#1 {title}")
    expect(page.locator(".st-key-act_model")).not_to_contain_text(net)
    expect(page.locator(GRID)).to_have_count(1, timeout=FIRST_LOAD_MS)
    expect(page.get_by_text(SUBTITLE[lang])).to_be_visible()  # a network's maps, not "a trained LeNet's"
    _labels_fit(page)
    if lang == "zh":
        _glyphs_drawn(page, "激活值训练")
        expect(page.locator(".st-key-act_model")).not_to_contain_text("Run")
    name = f"later_{net}_{lang}"
    screenshot(page, f"{name}_maps", full_page=False)
    _outline_a_unit(page, block, side, sees)
    screenshot(page, f"{name}_receptive", full_page=False)
    _attribution(page, lang, name)
