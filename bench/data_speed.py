"""How fast the procedural data is ready: render 10,000 images at 64 px, then load the cache.

    python bench/data_speed.py [--n 10000] [--size 64] [--preset medium]

Target (issue 2): 10,000 images at 64 px ready in under a minute.
"""
import argparse
import shutil
import tempfile
import time
from pathlib import Path

import comgan_lite.data as data


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--preset", default="medium")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp())
    data.DATA_DIR = tmp  # a fresh cache, so the first call really renders
    try:
        ds = data.ShapesDataset(args.preset, args.size, n=args.n)
        t = time.perf_counter()
        ds.arrays(progress=False)
        render = time.perf_counter() - t
        t = time.perf_counter()
        ds.arrays(progress=False)
        load = time.perf_counter() - t
        size_mb = sum(f.stat().st_size for f in (tmp / "cache").glob("*.npz")) / 1e6
    finally:
        shutil.rmtree(tmp)
    print(f"{args.n} images, {args.preset}, {args.size} px, one process: rendered in {render:.1f} s "
          f"({render / args.n * 1000:.2f} ms/image), cache {size_mb:.0f} MB loaded in {load:.2f} s")
    print("target: under 60 s ->", "met" if render < 60 else "NOT met")


if __name__ == "__main__":
    main()
