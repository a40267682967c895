"""Retrain the shipped runs from their config.json files, two at a time, one thread each, and
ship them again (about 2 h of CPU for the whole of data/runs/ on a 2-core laptop).

    python bench/reproduce_runs.py --list                 # print the training commands
                                                          # (data/runs, data/runs-logs and
                                                          # data/segmentation)
    python bench/reproduce_runs.py --only comgan-easy-b1-s0 --out runs/reproduced
    python bench/reproduce_runs.py --out runs/reproduced --ship   # everything, then copy into data/runs

Runs are resumable: run the same command again after an interruption.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from comgan_lite import segment, shipped, train
from lab import ship


def _command(module: str, cfg: dict, defaults: dict, always: tuple, out: Path) -> list[str]:
    """``python -m <module>`` with a flag for every setting of ``cfg`` that differs from
    ``defaults`` (and for the ``always`` ones, so the command reads on its own)."""
    args = [sys.executable, "-m", module, "--out", str(out), "--no-progress"]
    for key, value in cfg.items():
        if key in defaults and (value != defaults[key] or key in always):
            flag = "--" + key.replace("_", "-")
            if isinstance(value, bool):  # only non-defaults get here
                args += [flag] if value else ["--no-" + key.replace("_", "-")]
            else:
                args += [flag, str(value)]
    return args


def command(cfg: dict, out: Path) -> list[str]:
    """The ``python -m comgan_lite.train`` command that trains ``cfg`` into ``out``."""
    cfg = vars(train.config_from_dict(cfg))            # older configs wrote 0 / -1 for "default"
    return _command("comgan_lite.train", cfg, vars(train.TrainConfig()),
                    ("family", "preset", "beta", "seed", "steps"), out)


def segment_command(cfg: dict, out: Path) -> list[str]:
    """The ``python -m comgan_lite.segment`` command that trains segmenter ``cfg`` into ``out``."""
    return _command("comgan_lite.segment", cfg, vars(segment.SegConfig()),
                    ("mode", "dataset", "steps", "seed"), out)


def segmentation_jobs(out: Path) -> list[tuple[str, list[str]]]:
    """Stage 1 (the generators of data/segmentation/generators) then stage 2 (the segmenters)."""
    gens = sorted((shipped.SEG_DIR / "generators").glob("*/config.json"))
    segs = sorted(shipped.SEG_DIR.glob("S-*/config.json"))
    return ([(p.parent.name, command(shipped.read_config(p.parent), out / p.parent.name)) for p in gens]
            + [(p.parent.name, segment_command(shipped.read_config(p.parent), out / p.parent.name))
               for p in segs])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("runs/reproduced"))
    p.add_argument("--only", nargs="*", help="run names (folder names in data/runs/)")
    p.add_argument("--list", action="store_true", help="print the commands and stop")
    p.add_argument("--ship", action="store_true", help="copy finished runs into data/runs/")
    p.add_argument("--parallel", type=int, default=2)
    args = p.parse_args(argv)
    folders = [f for f in ship.find_runs(variant=None) if not args.only or f.name in args.only]
    jobs = [(f.name, command(shipped.read_config(f), args.out / f.name)) for f in folders]
    if args.list:
        for _, cmd in jobs:
            print(" ".join(["python"] + cmd[1:]))
        print("# logs only (data/runs-logs: long runs, the trap runs, probes; ship with "
              "lab.ship.ship(folder, shipped.LOG_RUNS_DIR, with_generator=False))")
        for f in ship.find_runs(shipped.LOG_RUNS_DIR, variant=None):
            print(" ".join(["python"] + command(shipped.read_config(f), args.out / f.name)[1:]))
        print("# segmentation (notebook 05): the generators first, then the segmenters; the "
              "shipped segmenters name the shipped generators")
        for _, cmd in segmentation_jobs(args.out):
            print(" ".join(["python"] + cmd[1:]))
        return
    args.out.mkdir(parents=True, exist_ok=True)

    def run(job):
        name, cmd = job
        with open(args.out / f"{name}.log", "w") as log:
            rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
        print(f"{name}: exit {rc}", flush=True)
        if rc == 0 and args.ship:
            ship.ship(args.out / name)
        return rc

    with ThreadPoolExecutor(args.parallel) as pool:
        codes = list(pool.map(run, jobs))
    sys.exit(max(codes, default=0))


if __name__ == "__main__":
    main()
