"""Calibrate the difficulty presets with classical segmenters; draw a sample grid of each.

    python bench/calibrate_presets.py [--n 500]

Prints a markdown table (per-image IoU at threshold 0.5, fixed polarity, on the test split)
that the README quotes, and writes data/figures/presets-<size>px.png.
"""
import argparse
import time

import matplotlib
matplotlib.use("Agg")

from comgan_lite import baselines, metrics  # noqa: E402
from comgan_lite.data import DATA_DIR, PRESETS, ShapesDataset, render_scene  # noqa: E402
from comgan_lite.plots import image_grid  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--margin", type=float, default=1 / 8)
    args = p.parse_args()
    print(f"test split, seed 0, n={args.n}; GrabCut: central rectangle, margin {args.margin:.3f} "
          "of the side, 5 iterations; IoU per image, fixed polarity\n")
    print("| preset | size | GrabCut IoU | Otsu IoU | k-means IoU | object area |")
    print("|---|---|---|---|---|---|")
    for preset in PRESETS:
        for size in (32, 64):
            a = ShapesDataset(preset, size, split="test", n=args.n).arrays(cache=False, progress=False)
            images, gt = a["image"].transpose(0, 2, 3, 1), a["mask"]
            t = time.time()
            gc = metrics.iou(baselines.grabcut(images, margin=args.margin), gt).mean()
            ms = (time.time() - t) / args.n * 1000
            ot = metrics.iou(baselines.otsu(images), gt).mean()
            km = metrics.iou(baselines.kmeans(images), gt).mean()
            print(f"| {preset} | {size} px | {gc:.2f} | {ot:.2f} | {km:.2f} | {gt.mean():.2f} |"
                  f"  <!-- GrabCut {ms:.0f} ms/image -->")
    out = DATA_DIR / "figures"
    out.mkdir(parents=True, exist_ok=True)
    for size in (64,):
        rows, names = [], []
        for preset in PRESETS:
            items = [render_scene(0, "train", i, preset, size) for i in range(10)]
            rows += [[it["image"] for it in items], [it["mask"].astype(float) for it in items]]
            names += [preset, "mask"]
        fig = image_grid(rows, row_titles=names, size=0.9)
        fig.savefig(out / f"presets-{size}px.png", dpi=80)
        print(f"\nwrote {out / f'presets-{size}px.png'}")


if __name__ == "__main__":
    main()
