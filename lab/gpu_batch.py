"""One GPU lease, many trainings: the long runs behind notebooks 02 and 05, side by side on one
GPU (each its own process, one CPU thread each), stopped at a hard deadline; whatever finished
is packed into at most eight files under --out (the lease returns no more).

    python lab/gpu_batch.py --out "$OUT" --deadline 450         # on a lent GPU machine
    python lab/gpu_batch.py --out /tmp/dry --dry                 # here: every job, a few steps, CPU

Jobs (the commands are the ones a student would type; only --device and --out are added):
  - notebook 02: Pi1 and Pi2 at 64 px on easy, beta = 1, seed 1, 4,000 steps, generators every
    1,000 (shipped with their eval.json and milestones.json, measured on the CPU there);
    as run on an H200 on 2026-12-04 the 2 x 64 px + 3 DS-ComGAN + 28 segmenter jobs needed
    about 7 minutes of trainings and 3 more of shipping and resuming (--deadline 430 was short);
  - notebook 05 at 64 px: a DS-ComGAN (the emoji recipe) on emoji, emoji-noto-openmoji and multi,
    then S (L_cons + D_m, two seeds) and S with L_cons only from each; the supervised U-Nets;
  - what makes S generalise, at 32 px on the shipped emoji generator: a second seed, augmented
    pairs, 4x and 20x longer training (the latter at the official 2e-4), a joint BatchNorm batch
    in D_m, dropping near-trivial pairs; and S from a generator trained on two art styles.
A job whose command fails or outlives the deadline is reported in summary.json; a segmenter
that did not finish comes back with its checkpoint, to be resumed with the same command.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))                 # lab.ship, when run as python lab/gpu_batch.py
PY = sys.executable
NOM_GEN = ".gpu/dscomgan-emoji-noto-openmoji-b1-s0"   # 32 px, trained here on the CPU (carried)
EMOJI_GEN = "data/segmentation/generators/dscomgan-emoji-b1-s0"


def jobs(work: Path, dry: bool) -> list[dict]:
    """[{name, cmd, after, pack}]: in priority order (long first)."""
    dev = "cpu" if dry else "cuda"
    out = []

    def steps(n):
        return str(max(2, n // 1000)) if dry else str(n)

    def small():
        return ["--n-train", "64"] if dry else []

    def gan(name, *args, after=None):
        out.append({"name": name, "after": after, "pack": "gan",
                     "cmd": [PY, "-m", "comgan_lite.train", "--out", str(work / name), "--no-progress",
                             "--device", dev, *args, *small()]})

    def seg(name, *args, after=None):
        out.append({"name": name, "after": after, "pack": "seg",
                     "cmd": [PY, "-m", "comgan_lite.segment", "--out", str(work / "seg" / name),
                             "--no-progress", "--device", dev, *args, *small(),
                             *(["--n-standing", "16"] if dry else [])]})

    for fam in ("pi2", "pi1"):
        name = f"{fam}-easy-b1-s1-64px"
        gan(name, "--family", fam, "--preset", "easy", "--size", "64", "--beta", "1.0",
            "--steps", steps(4000), "--seed", "1", "--keep-every", steps(1000))
        out.append({"name": f"ship-{fam}", "after": name, "pack": None, "threads": 4,
                    "cmd": [PY, "-c", f"from lab.ship import ship; ship({str(work / name)!r}, "
                            f"{str(work / 'ship')!r})"]})
    for ds in ("emoji-noto-openmoji", "emoji", "multi"):
        gen = f"dscomgan-{ds}-b1-s0-64px"
        gan(gen, "--family", "dscomgan", "--preset", ds, "--size", "64", "--beta", "1.0",
            "--steps", steps(2000), "--ema", "0.995", "--seed", "0")
        for mode, seed in (("ds", 0), ("ds", 1), ("cons", 0)):
            seg(f"S64-{mode}-{ds}-s{seed}", "--mode", mode, "--generator", str(work / gen),
                "--dataset", ds, "--size", "64", "--steps", steps(1500), "--seed", str(seed), after=gen)
    for ds in ("emoji-noto-openmoji", "emoji", "multi"):
        seg(f"S64-supervised-{ds}-s0", "--mode", "supervised", "--dataset", ds, "--size", "64",
            "--steps", steps(1500))
    studies = {"ds-s1": ["--seed", "1"], "augment-s0": ["--augment"],
               "augment-s1": ["--augment", "--seed", "1"],
               "x20-lr2e-4-s0": ["--steps", steps(30000), "--lr", "2e-4", "--log-every", "500",
                                 "--checkpoint-every", "2500"],
               "x4-s0": ["--steps", steps(6000), "--log-every", "200"],
               "joint-bn-s0": ["--dm-batch-norm", "--dm-joint-batch"],
               "joint-bn-s1": ["--dm-batch-norm", "--dm-joint-batch", "--seed", "1"],
               "bn-s0": ["--dm-batch-norm"], "drop-trivial-s0": ["--drop-trivial"],
               "augment-drop-trivial-s0": ["--augment", "--drop-trivial"]}
    for name, extra in studies.items():
        seg(f"S32-emoji-{name}", "--mode", "ds", "--generator", EMOJI_GEN, "--dataset", "emoji",
            "--steps", steps(1500), *extra)
    for name, extra in {"ds-s0": [], "ds-s1": ["--seed", "1"], "cons-s0": ["--mode", "cons"],
                        "augment-s0": ["--augment"]}.items():
        seg(f"S32-noto-openmoji-{name}", "--mode", "ds", "--generator", NOM_GEN,
            "--dataset", "emoji-noto-openmoji", "--steps", steps(1500), *extra)
    seg("S32-noto-openmoji-supervised-s0", "--mode", "supervised", "--dataset", "emoji-noto-openmoji",
        "--steps", steps(1500))
    return out


def run(all_jobs: list[dict], deadline: float, parallel: int, logs: Path) -> dict:
    """Run the jobs, at most ``parallel`` at once, a job only after the one it names in
    ``after`` succeeded; kill everything still running at ``deadline`` (time.time())."""
    logs.mkdir(parents=True, exist_ok=True)
    waiting, running, report = list(all_jobs), {}, {}
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    while (waiting or running) and time.time() < deadline:
        for name, (p, t0, f) in list(running.items()):
            if p.poll() is not None:
                f.close()
                report[name] = {"rc": p.returncode, "seconds": round(time.time() - t0, 1)}
                print(f"{time.time() - START:6.0f} s  {name}: rc {p.returncode}, "
                      f"{report[name]['seconds']:.0f} s", flush=True)
                del running[name]
        for job in list(waiting):
            dep = job["after"]
            if dep and report.get(dep, {}).get("rc", None) not in (0,):
                if dep in report:                        # its dependency failed: never runs
                    waiting.remove(job)
                    report[job["name"]] = {"rc": None, "skipped": f"{dep} failed"}
                continue
            if len(running) >= parallel:
                break
            waiting.remove(job)
            f = open(logs / f"{job['name']}.txt", "w")
            job_env = dict(env, OMP_NUM_THREADS=str(job.get("threads", 1)))
            running[job["name"]] = (subprocess.Popen(job["cmd"], stdout=f, stderr=subprocess.STDOUT,
                                                     env=job_env), time.time(), f)
        time.sleep(1)
    for name, (p, t0, f) in running.items():
        p.kill()
        p.wait()
        f.close()
        report[name] = {"rc": "deadline", "seconds": round(time.time() - t0, 1)}
    for job in waiting:
        report.setdefault(job["name"], {"rc": None, "skipped": "deadline"})
    return report


def pack(work: Path, out: Path, all_jobs: list[dict], report: dict) -> None:
    """At most eight files, each under 16 MiB: one tar per shipped 64 px run, one of the 64 px
    DS-ComGANs (EMA weights only), three of segmenter runs, one of the logs and summary."""
    from lab.ship import keep_ema_only
    out.mkdir(parents=True, exist_ok=True)
    for run in sorted((work / "ship").glob("*-64px")):
        with tarfile.open(out / f"{run.name}.tar", "w") as t:
            t.add(run, arcname=run.name)
    with tarfile.open(out / "dscomgan-64px.tar", "w") as t:
        for job in all_jobs:
            folder = work / job["name"]
            if job["name"].startswith("dscomgan") and (folder / "generator.pt").exists():
                keep_ema_only(folder / "generator.pt")
                for f in ("generator.pt", "metrics.jsonl", "config.json"):
                    t.add(folder / f, arcname=f"{folder.name}/{f}")
                snaps = sorted((folder / "snapshots").glob("step*.png"))
                if snaps:
                    t.add(snaps[-1], arcname=f"{folder.name}/final.png")
    for part in ("S64-", "S32-emoji-", "S32-noto-openmoji-"):     # each tar under 16 MiB
        with tarfile.open(out / f"seg-{part.strip('-')}.tar", "w") as t:
            for run in sorted((work / "seg").glob(part + "*")):
                finished = (run / "segmenter.pt").exists()
                for f in ("segmenter.pt", "metrics.jsonl", *(() if finished else ("checkpoint.pt",))):
                    if (run / f).exists():
                        t.add(run / f, arcname=f"{run.name}/{f}")
    (work / "logs" / "summary.json").write_text(json.dumps(report, indent=1))
    with tarfile.open(out / "logs.tar", "w") as t:
        t.add(work / "logs", arcname="logs")
        for run in sorted(work.glob("*-64px")):
            if (run / "metrics.jsonl").exists():
                t.add(run / "metrics.jsonl", arcname=f"logs/{run.name}.metrics.jsonl")
    for f in sorted(out.iterdir()):
        print(f"{f.name}: {f.stat().st_size / 2**20:.1f} MiB")


START = time.time()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="where the packed files go ($OUT on the lease)")
    p.add_argument("--work", default="/tmp/gpu-batch", help="where the runs train")
    p.add_argument("--deadline", type=float, default=450, help="seconds until every job is stopped")
    p.add_argument("--parallel", type=int, default=14)
    p.add_argument("--dry", action="store_true", help="on the CPU, a few steps each: test the plumbing")
    a = p.parse_args(argv)
    work = Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    all_jobs = jobs(work, a.dry)
    report = run(all_jobs, START + a.deadline, a.parallel, work / "logs")
    pack(work, Path(a.out), all_jobs, report)
    bad = {k: v for k, v in report.items() if v.get("rc") != 0}
    print(f"{len(report) - len(bad)} of {len(report)} jobs finished; not: {json.dumps(bad)}")


if __name__ == "__main__":
    main()
