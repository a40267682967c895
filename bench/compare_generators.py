"""The comparison table of issue 3, regenerated from shipped run folders.

    python bench/compare_generators.py [RUN_FOLDER ...] [--json OUT]   (default: data/runs/*)

For each run folder (generator.pt + metrics.jsonl + config.json) it samples the fixed evaluation
batch (512 composites, z from seed 2024, generator BatchNorm in training mode as during
training) and reports mask faithfulness against the shipped oracle (fixed polarity; best-of-two
labelled apart), the per-image trivial share, the soft-pixel share, the layer difference, the
oracle's object area (the gate; real images: easy 0.18), the mask-gradient norms of the last five
logged steps and the training minutes; then mean +- std over seeds per (model, preset, beta).
It also checks every run against the eval.json written when the run was shipped.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from comgan_lite import runs


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folders", nargs="*", type=Path)
    p.add_argument("--json", type=Path, help="also write the per-run rows as JSON here")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    folders = args.folders or runs.find_runs(variant=None, family=runs.COMGAN_FAMILIES)
    if not folders:
        sys.exit(f"no run folders given or found in {runs.RUNS_DIR}")
    rows = runs.evaluate_runs(folders)
    drift = []
    for folder, r in zip(folders, rows):
        stated = folder / "eval.json"
        if stated.exists():
            s = json.loads(stated.read_text())
            if abs(s["iou"] - r["iou"]) > 0.01 or abs(s["iou_best_of_two"] - r["iou_best_of_two"]) > 0.01:
                drift.append(f"{folder.name}: stated {s['iou']:.3f}/{s['iou_best_of_two']:.3f}, "
                             f"now {r['iou']:.3f}/{r['iou_best_of_two']:.3f}")
        print(f"{folder.name}: faithfulness {r['iou']:.2f} (best-of-two {r['iou_best_of_two']:.2f}), "
              f"trivial {r['trivial']:.2f}, soft {r['soft_share']:.2f}, "
              f"oracle area {r['oracle_area']:.2f} vs real {r['real_area']:.2f}", file=sys.stderr)
    print(runs.markdown_table(runs.summarise(rows)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if drift:
        sys.exit("runs that no longer match their eval.json:\n" + "\n".join(drift))


if __name__ == "__main__":
    main()
