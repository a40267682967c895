"""The comparison table of issue 3, regenerated from run folders (shipped or local).

    python bench/compare_generators.py [RUN_FOLDER ...]      (default: data/runs/*)

For each run folder (generator.pt + metrics.jsonl + config.json) it samples 512 composites from
a fixed z (generator BatchNorm in training mode, batch statistics, as during training) and reports
mask faithfulness against the shipped oracle (fixed polarity, and best-of-two labelled apart),
the per-image trivial share, the soft-pixel share, the layer difference, the last logged
mask-gradient norms and the training minutes; then mean +- std over seeds per
(family, preset, beta).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

from comgan_lite import compose, oracle, train
from comgan_lite.data import DATA_DIR, ShapesDataset

N_SAMPLES = 512


def evaluate_run(folder: Path, oracle_model, real_area: dict) -> dict:
    g, cfg = train.load_generator(folder / "generator.pt", device="cpu")
    z = torch.randn(N_SAMPLES, 64, generator=torch.Generator().manual_seed(2024))
    out = train.sample(g, z)
    faith = oracle.faithfulness(oracle_model, out["image"], out["mask"], real_area[cfg.preset])
    diag = compose.diagnostics(out["fg"], out["bg"], out["mask"])
    log = [json.loads(line) for line in (folder / train.LOG).read_text().splitlines()]
    last = log[-5:]  # average the last five logged rows: single rows are noisy
    return {"family": cfg.family, "preset": cfg.preset, "beta": cfg.beta, "seed": cfg.seed,
            "steps": cfg.steps, **faith, **diag,
            "grad_mask_params": float(np.mean([r["grad_mask_params"] for r in last])),
            "grad_mask_pixels_adv": float(np.mean([r["grad_mask_pixels_adv"] for r in last])),
            "minutes": log[-1]["minutes"]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="*", type=Path)
    p.add_argument("--oracle", type=Path, default=DATA_DIR / "oracle" / "oracle-32px.pt")
    args = p.parse_args(argv)
    runs = args.runs or sorted(p for p in (DATA_DIR / "runs").glob("*") if (p / "generator.pt").exists())
    if not runs:
        sys.exit("no run folders with a generator.pt given or found in data/runs/")
    torch.set_num_threads(1)
    oracle_model, _ = oracle.load_oracle(args.oracle)
    real_area = {}
    rows = []
    for folder in runs:
        cfg = json.loads((folder / "config.json").read_text())
        if cfg["preset"] not in real_area:
            a = ShapesDataset(cfg["preset"], cfg["size"], "test", 1000).arrays(progress=False)
            real_area[cfg["preset"]] = float(a["mask"].mean())
        rows.append(evaluate_run(folder, oracle_model, real_area))
        r = rows[-1]
        print(f"{folder.name}: faithfulness {r['iou']:.2f} (best-of-two {r['iou_best_of_two']:.2f}), "
              f"trivial {r['trivial']:.2f}, soft {r['soft_share']:.2f}, "
              f"oracle area {r['oracle_area']:.2f} vs real {r['real_area']:.2f}", file=sys.stderr)
    groups = defaultdict(list)
    for r in rows:
        groups[(r["family"], r["preset"], r["beta"])].append(r)
    cols = [("iou", "faithfulness"), ("iou_best_of_two", "best-of-two"), ("trivial", "trivial share"),
            ("soft_share", "soft share"), ("layer_difference", "mean abs(x_f - x_b)"),
            ("oracle_area", "oracle area"), ("grad_mask_params", "g_M"),
            ("grad_mask_pixels_adv", "‖dL_adv/dm‖"), ("minutes", "minutes")]
    print("| family | preset | beta | seeds | " + " | ".join(c for _, c in cols) + " |")
    print("|---" * (4 + len(cols)) + "|")
    for (family, preset, beta), rs in sorted(groups.items()):
        cells = []
        for key, _ in cols:
            v = np.array([r[key] for r in rs])
            cells.append(f"{v.mean():.2f} ± {v.std():.2f}" if len(v) > 1 else f"{v[0]:.2f}")
        print(f"| {family} | {preset} | {beta} | {len(rs)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
