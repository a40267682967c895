"""Issue 3: in the runs started at T1 (``--mask-init-logit -8``), where does the mask's
adversarial gradient point: at the object the composite shows, or anywhere?

    python bench/trap_gradient.py            (about 15 min on 2 cores; prints a table)
    python bench/trap_gradient.py --write    (also writes data/runs-logs/<run>/gradient_regions.json)

The shipped trap runs (``data/runs-logs/*-start-t1``) keep no checkpoints, and the question
needs D as well as G.  So this retrains each of them, with its shipped config, to the steps in
STEPS (training is deterministic: the retrained log must equal the shipped one, and the script
exits non-zero if it does not), and at each step measures ``lab.trap.gradient_by_region`` on the
fixed evaluation batch: the share of ||dL/ds||^2 on the pixels the oracle calls object, beside
their share of the image, and which way a descent step moves m there.  Work folders go to
``runs/trap-gradient/`` (resumable).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import torch

from comgan_lite import shipped, train
from comgan_lite.nets import FAMILY_NAMES as NAMES
from lab import trap

STEPS = (50, 100, 200, 300, 400, 500)
WORK = Path("runs/trap-gradient")


def trap_runs() -> list[Path]:
    return sorted(shipped.LOG_RUNS_DIR.glob("*-start-t1"))


def measure(folder: Path, steps=STEPS) -> list[dict]:
    cfg = train.config_from_dict(shipped.read_config(folder))
    shipped_log = {r["step"]: r for r in shipped.read_log(folder)}
    rows = []
    for step in steps:
        out, kept = WORK / folder.name, WORK / f"{folder.name}-step{step:05d}.pt"
        if not kept.exists():
            cfg.steps = step
            train.train(cfg, out, progress=False)
            retrained = shipped.read_log(out)[-1]
            # the shipped logs keep six significant digits (lab.ship.compact_log)
            if f"{retrained['loss_d']:.6g}" != f"{shipped_log[step]['loss_d']:.6g}":
                sys.exit(f"{folder.name}: the retrained log differs from the shipped one at step {step}")
            shutil.copy(out / train.CHECKPOINT, kept)
        rows.append(trap.gradient_by_region(kept))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write gradient_regions.json into the shipped runs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print("| run | step | object area | share of ||dL/ds||² on object | opening share on / off object | mean mask on / off object |")
    print("|---|---|---|---|---|---|")
    for folder in trap_runs():
        cfg = shipped.read_config(folder)
        rows = measure(folder)
        for r in rows:
            print(f"| {NAMES[cfg['family']]} β {cfg['beta']:g} | {r['step']} | {r['area']:.2f} | "
                  f"{r['gradient_share']:.2f} | {r['opening_share_in']:.2f} / {r['opening_share_out']:.2f} | "
                  f"{r['mask_in']:.4f} / {r['mask_out']:.4f} |", flush=True)
        if args.write:
            (folder / "gradient_regions.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
