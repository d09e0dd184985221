"""The README lists every exercise the catalog serves, as scripts/exercise_table.py prints them."""

from __future__ import annotations

import importlib.util
import re

from tests.conftest import ROOT


def test_the_readme_lists_exactly_the_catalogs_exercises():
    spec = importlib.util.spec_from_file_location("exercise_table", ROOT / "scripts" / "exercise_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (ROOT / "README.md").read_text()
    listed = re.search(r"<!-- exercises:start -->\n(.*)\n<!-- exercises:end -->", readme, re.S).group(1)
    assert listed == module.table(), "run `python scripts/exercise_table.py` and paste its output into the README"
    assert sum(line.startswith("| 7.") or line.startswith("| 8.") for line in listed.splitlines()) == 73
