"""The document in Chinese: it says its language; the faces Chromium really uses for a heading and a figure's title
(read from the renderer through the DevTools protocol) are Simplified-Chinese faces, not the Japanese forms of 直,
骨, 角 a default CJK fallback picks; and Streamlit's own words (the upload box, the help buttons' accessible names)
are Chinese too, and English again after switching back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page

SC_FACES = ("CJK SC", "Han Sans SC", "PingFang SC", "YaHei")


def _faces(page, selector: str) -> dict[str, int]:
    """The platform fonts Chromium used to draw the first element matching `selector`: family -> glyphs drawn."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"nothing matches {selector}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {font["familyName"]: font["glyphCount"] for font in fonts}
    finally:
        cdp.detach()


def _cjk_faces(faces: dict[str, int]) -> set[str]:
    return {family for family in faces if "CJK" in family or any(sc in family for sc in SC_FACES)}


@pytest.mark.parametrize("selector, what", [
    ("h1", "the page's title"),
    (".js-plotly-plot .gtitle tspan:not(:has(tspan))", "a figure's title"),
])
def test_chinese_is_drawn_with_simplified_chinese_faces(projector, selector, what):
    open_page(projector, "/Convolution_and_pooling?lang=zh")
    # The language is set by the page's script, which the browser may run just after the app reports it is idle.
    projector.wait_for_function("document.documentElement.lang === 'zh-CN'", timeout=10_000)
    text = projector.locator(selector).first.text_content()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), f"{what} has no Chinese: {text!r}"
    cjk = _cjk_faces(_faces(projector, selector))
    assert cjk and all(any(sc in family for sc in SC_FACES) for family in cjk), f"{what} ({text!r}) drawn with {cjk}"


def test_an_english_page_says_english_and_switching_says_chinese(projector):
    open_page(projector, "/Convolution_and_pooling")
    projector.wait_for_function("document.documentElement.lang === 'en'", timeout=10_000)
    projector.get_by_text("简体中文").click()
    projector.wait_for_function("document.documentElement.lang === 'zh-CN'")


UPLOADER = "[data-testid=stSidebar] [data-testid=stFileUploaderDropzone]"
HELP_NAMES = "[...document.querySelectorAll('button[aria-label]')].map(b => b.getAttribute('aria-label'))" \
             ".filter(name => /Help|说明/.test(name))"


def test_streamlits_own_words_follow_the_language(projector):
    open_page(projector, "/Activations?lang=zh")
    uploader = projector.locator(UPLOADER).first
    expect(uploader.locator("button")).to_contain_text("上传")
    expect(uploader.locator("[data-testid=stFileUploaderDropzoneInstructions]")).to_have_text(
        re.compile(r"^每个文件不超过 10MB · PNG"))
    names = projector.evaluate(HELP_NAMES)
    assert names and not [n for n in names if "Help" in n], names  # e.g. “模型”的说明, never "Help for 模型"
    assert "“模型”的说明" in names

    projector.get_by_text("English", exact=True).click()
    projector.wait_for_function("document.documentElement.lang === 'en'")
    expect(uploader.locator("button")).to_contain_text("Upload")
    expect(uploader.locator("[data-testid=stFileUploaderDropzoneInstructions]")).to_have_text(
        re.compile(r"^10MB per file • PNG"))
    projector.wait_for_function(f"({HELP_NAMES}).includes('Help for Model')")


def test_icons_keep_their_symbol_font_in_chinese(projector):
    """The Chinese faces never replace the icon font: an icon would read as its name ("timer", "upload")."""
    open_page(projector, "/Train?lang=zh")
    fonts = projector.evaluate("[...document.querySelectorAll('[data-testid=stIconMaterial], [translate=no]')]"
                               ".filter(e => e.textContent.trim()).map(e => getComputedStyle(e).fontFamily)")
    assert len(fonts) > 5 and all(font.startswith('"Material Symbols') for font in fonts), fonts


ARIA_WITH_LATIN = ("[...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))"
                   ".filter(name => /[A-Za-z]{3,}/.test(name) && name !== 'Language / 语言')")


def test_streamlits_accessible_names_are_chinese_and_english_again_after_switching(projector):
    """A screen reader on a Chinese page hears no English: the sidebar, a select box's arrow, a number box's
    steppers, copy and full-screen buttons, headings' anchors and icons are named in Chinese."""
    open_page(projector, "/Train?lang=zh")
    names = "[...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))"
    # every control drawn (the select boxes' arrows, the epochs box's steppers) and named in Chinese
    projector.wait_for_function(f"['侧边栏', '展开列表', '减小', '增大', '图标'].every(n => ({names}).includes(n))",
                                timeout=20_000)
    assert projector.evaluate(ARIA_WITH_LATIN) == []
    projector.get_by_text("English", exact=True).click()
    projector.wait_for_function("document.documentElement.lang === 'en'")
    projector.wait_for_function("(() => { const names = [...document.querySelectorAll('[aria-label]')]"
                                ".map(e => e.getAttribute('aria-label')); return ['Sidebar', 'Open', 'Decrement', "
                                "'Increment', 'timer icon'].every(n => names.includes(n)); })()", timeout=10_000)
