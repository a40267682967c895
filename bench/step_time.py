"""Seconds per training step (one G and one D update, batch 32, one CPU thread) of each family at
32 and 64 px: what a run of N steps costs before you start it.

    python bench/step_time.py [--steps 10]
"""
from __future__ import annotations

import argparse

import torch

from comgan_lite import nets, train


def seconds_per_step(family: str, size: int, steps: int, batch: int = 32) -> float:
    return train.seconds_per_step(train.TrainConfig(family=family, size=size, beta=1.0, batch_size=batch), steps, "cpu")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=10)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    print("| family | size | parameters | s / step | min / 2,000 steps |\n|---|---|---|---|---|")
    for size in (32, 64):
        for family in ("comgan", "pi1", "pi2"):
            s = seconds_per_step(family, size, args.steps)
            n = nets.count_parameters(nets.make_generator(family, size))
            print(f"| {family} | {size} | {n / 1e6:.2f} M | {s:.3f} | {s * 2000 / 60:.1f} |", flush=True)


if __name__ == "__main__":
    main()
