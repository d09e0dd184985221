"""Every page, in both languages, at a projector's 1280x720: axe-core's WCAG 2.1 AA rules find no critical or
serious violation (contrast, names of controls, keyboard reach of scrolling regions, the document's language).

axe-core is Deque's rule engine, run inside the page as a browser extension would run it; the Python package
`axe-playwright-python` ships its script, so no download happens at test time.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import open_page

PAGES = ("/", "/Convolution_and_pooling", "/Learn_an_edge_kernel", "/Architecture_builder", "/Train",
         "/Activations", "/Exercises", "/Inside_the_network", "/Class_board")
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
BLOCKING = ("critical", "serious")


@pytest.fixture(scope="module")
def axe():
    return Axe()


def _blocking(response: dict) -> list[str]:
    """One line per critical or serious violation: the rule, its impact and the first offending elements."""
    lines = []
    for violation in response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            lines.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements): "
                         f"{violation['help']}; e.g. {targets}")
    return lines


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_wcag_21_aa_violation(projector, axe, path, lang):
    open_page(projector, f"{path}?lang={lang}")
    response = axe.run(projector, options=WCAG_21_AA).response
    assert response["testEngine"]["name"] == "axe-core"
    assert len(response["passes"]) + len(response["violations"]) >= 10  # the WCAG rules really ran on this page
    assert not _blocking(response), "\n".join(_blocking(response))
