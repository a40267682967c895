"""Issue 3: how many steps the compositional GANs need before their masks stop moving.

    python bench/convergence.py            (reads data/runs-logs/*/milestones.json)

The long runs were trained with ``--keep-every 1000`` (a generator exported every 1,000 steps)
and shipped with ``runs.ship``, which scored every exported generator on the fixed evaluation
batch (``milestones.json``).  For each run this prints the step from which best-of-two
faithfulness, soft share and trivial share stay within a band of 0.05, 0.05 and 0.02 until its
last milestone (``runs.settled_at``; "still moving" when fewer than three milestones agree), then
the mean ± std over the seeds that reached each step, every 2,000 steps.  A metric that never
started to move (a soft share still at 1.00) also counts as settled: read it beside its value.  It exits non-zero when a run's last milestone
disagrees with its eval.json (both are measured from the same final generator).
"""
from __future__ import annotations

import sys

import numpy as np

from comgan_lite import runs

NAMES = {"comgan": "ComGAN", "pi1": "Π1", "pi2": "Π2"}


def summary_table(rows, keys, heading, cell, note=""):
    """Mean ± std over seeds of the settling metrics, one line per group of ``keys``;
    ``cell(group)`` fills the column after β."""
    print(f"\n| model | β | {heading} | seeds | best-of-two | soft share | trivial share |{note}")
    print("|---|---|---|---|---|---|---|")
    for s in runs.summarise(rows, keys=keys, columns=[(k, k) for k in runs.SETTLE_TOL]):
        cells = [f"{s[k]['mean']:.2f} ± {s[k]['std']:.2f}" for k in runs.SETTLE_TOL]
        print(f"| {NAMES[s['family']]} | {s['beta']:g} | {cell(s)} | {s['seeds']} | " + " | ".join(cells) + " |")


def main() -> None:
    folders = runs.long_runs()
    if not folders:
        sys.exit(f"no run with milestones.json in {runs.LOG_RUNS_DIR}")
    drift = []
    for p in folders:
        last, stated = runs.read_milestones(p)[-1], runs.stated_evals([p])[0]
        if abs(last["iou_best_of_two"] - stated["iou_best_of_two"]) > 1e-4:
            drift.append(f"{p.name}: milestone {last['iou_best_of_two']:.3f}, eval.json {stated['iou_best_of_two']:.3f}")
    print("| run | last step | best-of-two settled at | soft share settled at | trivial share settled at |")
    print("|---|---|---|---|---|")
    for r in runs.settling(folders):
        cells = [f"{r[k]:,}" if r[k] is not None else "still moving" for k in runs.SETTLE_TOL]
        print(f"| {r['run']} | {r['last_step']:,} | " + " | ".join(cells) + " |")
    last = max(runs.read_milestones(p)[-1]["step"] for p in folders)
    steps = list(range(2000, last + 1, 2000))   # each row averages the seeds that reached it
    summary_table(runs.at_steps(folders, steps), ("family", "beta", "steps"), "step",
                  lambda s: f"{s['steps']:,}")
    ends = runs.stated_evals(folders)
    summary_table(ends, ("family", "beta"), "last steps", lambda s: " / ".join(
        f"{n:,}" for n in sorted({e["steps"] for e in ends if (e["family"], e["beta"]) == (s["family"], s["beta"])})),
        note="   (each run at its end: eval.json)")
    minutes = {NAMES[runs.read_config(p)["family"]]: [] for p in folders}
    for p in folders:
        log = runs.read_log(p)
        minutes[NAMES[runs.read_config(p)["family"]]].append(runs.training_minutes(log) / log[-1]["step"] * 1000)
    print("\nminutes per 1,000 steps (one CPU thread): " +
          ", ".join(f"{k} {np.mean(v):.1f}" for k, v in minutes.items()))
    if drift:
        sys.exit("milestones that disagree with eval.json:\n" + "\n".join(drift))


if __name__ == "__main__":
    main()
