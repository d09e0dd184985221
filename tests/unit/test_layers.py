"""The import order of the house: pages -> ui -> exercises -> figures -> classroom -> training -> inspection ->
arch, conv, edge -> the shared root modules. No module imports a layer above its own, nor a peer of its own layer."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

LAYERS = (  # lowest first; a module may import its own package and any layer below it
    ("data", "device", "errors", "i18n", "images"),  # the root modules everything shares
    ("arch", "conv", "edge"),  # peers: none imports another
    ("inspection",),
    ("training",),
    ("classroom",),  # class boards: a run's settings are its TrainConfig's
    ("figures",),
    ("exercises",),
    ("ui",),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
PAGES_RANK = len(LAYERS)


def unit_of(module: str) -> str | None:
    """The layer unit a dotted `cnnviz...` name belongs to: its package under cnnviz, or the root module's name."""
    parts = module.split(".")
    if parts[0] != "cnnviz" or len(parts) < 2:
        return None
    return parts[1]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every cnnviz import in `path`, each name of a `from x import a, b` as x.a, x.b."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("cnnviz.")]


def own_unit(path: Path) -> tuple[str, int]:
    rel = path.relative_to(ROOT)
    if rel.parts[0] != "cnnviz":
        return "pages", PAGES_RANK
    unit = rel.parts[1] if len(rel.parts) > 2 else rel.stem
    return unit, RANK[unit]


def layer_violations() -> list[str]:
    files = [*sorted(p for p in (ROOT / "cnnviz").rglob("*.py") if p != ROOT / "cnnviz" / "__init__.py"), ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    problems = []
    for path in files:
        unit, rank = own_unit(path)
        for line, name in imported_modules(path):
            target = unit_of(name)
            if target is None or target == "__version__" or target == unit:
                continue
            target_rank = RANK.get(target)
            if target_rank is None:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {name}: a unit no layer names")
            elif target_rank > rank or (target_rank == rank and rank > 0):
                problems.append(f"{path.relative_to(ROOT)}:{line} ({unit}) imports {name} ({target}): upward or sideways")
    return problems


def test_every_cnnviz_unit_has_a_layer():
    units = {p.name for p in (ROOT / "cnnviz").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    units |= {p.stem for p in (ROOT / "cnnviz").glob("*.py") if p.stem != "__init__"}
    assert units == set(RANK), units ^ set(RANK)


def test_no_import_runs_against_the_layers():
    assert layer_violations() == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The walker itself: a training module importing the ui is reported."""
    fake = tmp_path / "cnnviz" / "training" / "bad.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from cnnviz.ui import lang\nfrom cnnviz.arch import build\n")
    assert imported_modules(fake) == [(1, "cnnviz.ui.lang"), (2, "cnnviz.arch.build")]
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("")
    assert layer_violations() == ["cnnviz/training/bad.py:1 (training) imports cnnviz.ui.lang (ui): upward or sideways"]


def test_every_package_says_what_it_is_for_and_what_it_may_import():
    for init in (ROOT / "cnnviz").rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and "import" in doc.lower(), f"{init.relative_to(ROOT)} should say what it is for and what it imports"
