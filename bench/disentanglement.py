"""The disentanglement table of issue 4, regenerated from the shipped DS-ComGAN runs, and the
latent explorer's render time.

    python bench/disentanglement.py [RUN_FOLDER ...] [--json OUT]   (default: data/runs/dscomgan-*)

For each run it loads the EMA generator (as the official code evaluates), samples the fixed
evaluation inputs (512 of z, f, b from seed 2024) and measures with the shipped factor
classifier (data/factors/):
  - controllability: resample z, f or b alone and count how often each factor the classifier
    reads off the composite changes (mask: 1 - IoU of the masks);
  - purity: NMI between the code f (b) and the object's (scene's) texture class and hue;
  - FD_factors: the Fréchet distance between 2,000 composites and 2,000 real test images on the
    classifier's 128-d features (not FID);
then mean +- std over seeds per variant (tied codes, no L_info, no global features), with the
codes named by role: the object code is f or b, whichever layer holds the object in that run.  Every run is
checked against the eval.json written when it was shipped; the script exits non-zero on drift.
Last, it times the latent explorer (median of 50 re-renders; target < 100 ms).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

from comgan_lite import shipped, train, widgets
from lab import ship

CHECKED = ("ctrl_f_fg_hue", "ctrl_b_bg_hue", "ctrl_z_mask", "nmi_f_fg_hue", "fd_factors")


def explorer_milliseconds(folder: Path, n: int = 50) -> float:
    g, _ = train.load_generator(folder / "generator.pt", device="cpu", ema=True)
    ex = widgets.LatentExplorer(g)
    times = []
    for i in range(n):
        start = time.perf_counter()
        ex.t.value = (i % 20) / 20          # one slider move: render + PNG, as in the notebook
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folders", nargs="*", type=Path)
    p.add_argument("--json", type=Path, help="also write the per-run rows as JSON here")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    folders = args.folders or ship.find_runs(family="dscomgan", variant=None)
    if not folders:
        sys.exit(f"no DS-ComGAN runs given or found in {shipped.RUNS_DIR}")
    rows = ship.evaluate_runs(folders)
    drift = []
    for folder, r in zip(folders, rows):
        stated = folder / "eval.json"
        if stated.exists():
            s = json.loads(stated.read_text())
            off = {k: (s[k], r[k]) for k in CHECKED if abs(s[k] - r[k]) > (0.5 if k == "fd_factors" else 0.01)}
            if off:
                drift.append(f"{folder.name}: " + ", ".join(f"{k} stated {a:.3f} now {b:.3f}" for k, (a, b) in off.items()))
    by_role = [shipped.by_role(r) for r in rows]   # object code: f or b, whichever layer holds the object
    print(shipped.markdown_table(shipped.summarise(by_role, columns=shipped.DS_COLUMNS), shipped.DS_COLUMNS))
    ms = explorer_milliseconds(folders[0])
    print(f"\nlatent explorer ({folders[0].name}): median re-render {ms:.1f} ms (target < 100 ms)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if drift:
        sys.exit("runs that no longer match their eval.json:\n" + "\n".join(drift))


if __name__ == "__main__":
    main()
