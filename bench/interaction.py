"""How long a page takes to rerun after a control changes, measured with Streamlit's AppTest.

Each module in bench/scenarios/ names a PAGE, a TARGET_MS, an optional setup(at) and a change(at, i)
that moves one control. The baseline, in the same run, is the home page rerunning with nothing changed:
the fixed cost of AppTest and Streamlit, so the ratio says what the page itself adds.

    python bench/interaction.py [--repeat 30] [scenario ...]
"""

from __future__ import annotations

import argparse
import importlib
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import assert_no_exception, make_app  # noqa: E402

# Cached functions a scenario's setup calls outside a script run warn once per call; the numbers are unaffected.
# (Streamlit resets its loggers' levels when it reads its config, so a filter, not a level.)
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage())


def time_reruns(page: str, change, setup=None, repeat: int = 30) -> list[float]:
    """Milliseconds of each rerun after `change(at, i)`; the first (warm-up) rerun is not counted."""
    at = make_app(page).run()
    assert_no_exception(at)
    if setup:
        setup(at)
        at.run()
    times = []
    for i in range(repeat + 1):
        change(at, i)
        start = time.perf_counter()
        at.run()
        elapsed = (time.perf_counter() - start) * 1000
        assert_no_exception(at)
        if i:
            times.append(elapsed)
    return times


def scenarios() -> dict[str, object]:
    names = sorted(p.stem for p in (ROOT / "bench" / "scenarios").glob("*.py") if p.stem != "__init__")
    return {name: importlib.import_module(f"bench.scenarios.{name}") for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("names", nargs="*", help="scenarios to run (default: all)")
    args = parser.parse_args()
    baseline = statistics.median(time_reruns("app.py", lambda at, i: None, repeat=args.repeat))
    print(f"{'scenario':<28} {'median ms':>10} {'p90 ms':>8} {'target':>8} {'x baseline':>11}")
    print(f"{'baseline: home, no change':<28} {baseline:>10.1f}")
    for name, mod in scenarios().items():
        if args.names and name not in args.names:
            continue
        times = time_reruns(mod.PAGE, mod.change, getattr(mod, "setup", None), args.repeat)
        med, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
        verdict = "ok" if med < mod.TARGET_MS else "SLOW"
        print(f"{name:<28} {med:>10.1f} {p90:>8.1f} {mod.TARGET_MS:>6} {verdict:>2} {med / baseline:>9.1f}x")


if __name__ == "__main__":
    main()
