"""Minutes of computing each notebook takes, run top to bottom in a fresh kernel, in quick mode
(COMGAN_QUICK=1, what the test suite runs) and in full mode (what a student gets): the numbers
each notebook's Time section quotes.

    python bench/notebook_times.py                  # every notebook, both modes
    python bench/notebook_times.py 02 03 --mode full
    python bench/notebook_times.py 04 --mode full --cells 5   # where its minutes go

Run it on an otherwise idle machine: a training in the background slows every cell. The
notebooks are executed on copies in a temporary folder; the stored notebooks are not touched.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def slowest_cells(executed: Path, n: int) -> list[str]:
    """The ``n`` slowest code cells of an executed notebook: seconds and first source line."""
    from datetime import datetime
    timed = []
    for i, cell in enumerate(json.loads(executed.read_text())["cells"]):
        t = cell.get("metadata", {}).get("execution", {})
        if cell["cell_type"] == "code" and "iopub.execute_input" in t and "shell.execute_reply" in t:
            start, end = (datetime.fromisoformat(t[k].replace("Z", "+00:00"))
                          for k in ("iopub.execute_input", "shell.execute_reply"))
            first = next((ln for ln in "".join(cell["source"]).splitlines() if ln.strip()), "")
            timed.append(((end - start).total_seconds(), f"cell {i}: {first[:70]}"))
    return [f"{sec:6.1f} s  {what}" for sec, what in sorted(timed, reverse=True)[:n]]


def minutes(notebook: Path, quick: bool, cells: int = 0) -> float:
    """Wall-clock minutes to execute ``notebook`` (a copy) in a fresh kernel; with ``cells``,
    print that many of its slowest cells."""
    env = {**os.environ, "COMGAN_QUICK": "1" if quick else "0"}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / notebook.name
        shutil.copy(notebook, copy)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                        "--inplace", "--ExecutePreprocessor.timeout=3600", str(copy)],
                       env=env, check=True, capture_output=True, cwd=NOTEBOOKS)
        took = (time.perf_counter() - start) / 60
        for line in slowest_cells(copy, cells):
            print(f"    {notebook.stem} ({'quick' if quick else 'full'}) {line}", file=sys.stderr)
        return took


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("which", nargs="*", help="notebook number prefixes (default: all)")
    p.add_argument("--mode", choices=("quick", "full", "both"), default="both")
    p.add_argument("--cells", type=int, default=0, metavar="N",
                   help="also print each notebook's N slowest cells (to standard error)")
    args = p.parse_args(argv)
    paths = sorted(q for q in NOTEBOOKS.glob("[0-9A]*.ipynb")
                   if not args.which or any(q.name.startswith(w) for w in args.which))
    modes = {"quick": (True,), "full": (False,), "both": (True, False)}[args.mode]
    print(f"{os.cpu_count()} CPU cores; minutes of computing, kernel start included\n")
    print("| notebook | " + " | ".join("quick" if q else "full" for q in modes) + " |")
    print("|---|" + "---|" * len(modes))
    for path in paths:
        cells = [f"{minutes(path, q, args.cells):.1f}" for q in modes]
        print(f"| {path.stem} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
