"""Runs every benchmark in bench/ one after the other and prints their figures."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in sorted(HERE.glob("*.py")):
    if script.name == "run_all.py" or script.name.startswith("_"):  # helpers, not benchmarks
        continue
    print(f"\n=== {script.name}", flush=True)
    subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
