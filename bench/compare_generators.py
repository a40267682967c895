"""The comparison table of issue 3, regenerated from shipped run folders.

    python bench/compare_generators.py [RUN_FOLDER ...] [--json OUT]   (default: data/runs/*)

For each run folder (generator.pt + metrics.jsonl + config.json) it samples the fixed evaluation
batch (512 composites, z from seed 2024, generator BatchNorm in training mode as during
training) and reports mask faithfulness against the shipped oracle (fixed polarity; best-of-two
labelled apart), the per-image trivial share, the soft-pixel share, the layer difference, the
oracle's object area (the gate; real images: easy 0.18), the mask-gradient norms of the last five
logged steps and the training minutes; then mean +- std over seeds per (model, preset, beta).
It also checks every run against the eval.json written when the run was shipped; a run
shipped without its generator (a table-only run) is read from its eval.json.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from comgan_lite import shipped
from lab import ship


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folders", nargs="*", type=Path)
    p.add_argument("--json", type=Path, help="also write the per-run rows as JSON here")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    folders = args.folders or ship.find_runs(variant=None, family=shipped.FAMILIES)
    if not folders:
        sys.exit(f"no run folders given or found in {shipped.RUNS_DIR}")
    rows, drift = ship.rescore(folders)
    for folder, r in zip(folders, rows):
        print(f"{folder.name}: faithfulness {r['iou']:.2f} (best-of-two {r['iou_best_of_two']:.2f}), "
              f"trivial {r['trivial']:.2f}, soft {r['soft_share']:.2f}, "
              f"oracle area {r['oracle_area']:.2f} vs real {r['real_area']:.2f}", file=sys.stderr)
    print(shipped.markdown_table(shipped.summarise(rows)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if drift:
        sys.exit("runs that no longer match their eval.json:\n" + "\n".join(drift))


if __name__ == "__main__":
    main()
