"""Training throughput on this machine: steps/s, images/s and peak memory of one G + D update,
per family and image size, on the current device (CPU, CUDA or MPS), optionally with bf16
autocast: what a run costs before you start it.

    python bench/throughput.py                          # all families; 32/64 px (CPU) or 32/64/128 px (GPU)
    python bench/throughput.py --sizes 64 128 --amp --batch-size 90
    python bench/throughput.py --run-steps 2000         # also time a whole 64 px ComGAN run of 2,000 steps

Each configuration runs in its own process, so its peak memory is its own: on CUDA the peak of
allocated GPU memory, on the CPU the process's peak resident memory (model, batch and Python).
The real images are random tensors: the data pipeline is timed by bench/data_speed.py.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

FAMILIES = ("comgan", "pi1", "pi2", "dscomgan")


def measure(family: str, size: int, batch: int, steps: int, device_name: str, amp: bool, threads: int) -> dict:
    """Time ``steps`` training steps (after two warm-up steps) in this process."""
    import resource

    import torch

    from comgan_lite import runtime, train
    torch.set_num_threads(threads)
    device = runtime.get_device(device_name)
    cfg = train.TrainConfig(family=family, size=size, beta=1.0, batch_size=batch, amp=amp)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    seconds = train.seconds_per_step(cfg, steps, device)
    peak = (torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda"
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"family": family, "size": size, "batch": batch, "device": str(device), "amp": amp,
            "s_per_step": seconds, "steps_per_s": 1 / seconds, "images_per_s": batch / seconds,
            "peak_mib": peak, "memory": "GPU allocated" if device.type == "cuda" else "process RSS"}


def whole_run(steps: int, device_name: str, amp: bool) -> str:
    """Wall time of ``python -m comgan_lite.train`` (64 px ComGAN, easy) for ``steps`` steps."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "comgan_lite.train", "--family", "comgan", "--size", "64", "--beta", "1",
               "--steps", str(steps), "--device", device_name, "--no-progress", "--out", f"{tmp}/run"]
        start = time.perf_counter()
        subprocess.run(cmd + (["--amp"] if amp else []), check=True, capture_output=True)
        return f"64 px ComGAN, {steps:,} steps, whole command (data, snapshots, checkpoints): {time.perf_counter() - start:.0f} s"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--families", nargs="+", default=FAMILIES, choices=FAMILIES)
    p.add_argument("--sizes", nargs="+", type=int, default=None, help="default: 32 64, and 128 on a GPU")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=5, help="timed steps per configuration")
    p.add_argument("--device", default="auto")
    p.add_argument("--amp", action="store_true", help="bf16 autocast (cuda, cpu)")
    p.add_argument("--threads", type=int, default=1, help="torch threads on the CPU")
    p.add_argument("--run-steps", type=int, default=0, help="also time a whole 64 px ComGAN run")
    p.add_argument("--write", metavar="JSON", help="also store the rows (and the machine) in this file")
    p.add_argument("--one", help=argparse.SUPPRESS)        # family,size: measure in this process
    args = p.parse_args(argv)
    if args.one:
        family, size = args.one.split(",")
        print(json.dumps(measure(family, int(size), args.batch_size, args.steps, args.device, args.amp, args.threads)))
        return
    import torch

    from comgan_lite import runtime
    device = runtime.get_device(args.device)
    sizes = args.sizes or ((32, 64, 128) if device.type == "cuda" else (32, 64))
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {args.threads} thread(s)"
    print(f"{name}; batch {args.batch_size}; {'bf16 autocast' if args.amp else 'fp32'}\n")
    print("| family | size | s / step | steps / s | images / s | peak memory (MiB) |\n|---|---|---|---|---|---|")
    rows = []
    for size in sizes:
        for family in args.families:
            cmd = [sys.executable, __file__, "--one", f"{family},{size}", "--batch-size", str(args.batch_size),
                   "--steps", str(args.steps), "--device", args.device, "--threads", str(args.threads)]
            done = subprocess.run(cmd + (["--amp"] if args.amp else []), capture_output=True, text=True)
            if done.returncode:
                print(f"| {family} | {size} | failed: {done.stderr.strip().splitlines()[-1]} | | | |", flush=True)
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(r)
            print(f"| {family} | {size} | {r['s_per_step']:.3f} | {r['steps_per_s']:.2f} | "
                  f"{r['images_per_s']:.0f} | {r['peak_mib']:.0f} ({r['memory']}) |", flush=True)
    if args.run_steps:
        print("\n" + whole_run(args.run_steps, args.device, args.amp))
    if args.write:
        import os
        from pathlib import Path
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        Path(args.write).write_text(json.dumps({"machine": f"{name}, {os.cpu_count()} cores",
                                                "steps_timed": args.steps, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
