"""Issue 3: how many steps the compositional GANs need before their masks stop moving.

    python bench/convergence.py            (reads data/runs-logs/*/milestones.json)

The long runs were trained with ``--keep-every 1000`` (a generator exported every 1,000 steps)
and shipped with ``lab.ship.ship``, which scored every exported generator on the fixed evaluation
batch (``milestones.json``).  For each run this prints the step from which best-of-two
faithfulness, soft share and trivial share stay within a band of 0.05, 0.05 and 0.02 until its
last milestone (``lab.settling.settled_at``; "still moving" when fewer than three milestones agree), then
the mean ± std over the seeds that reached each step, every 2,000 steps.  A metric that never
started to move (a soft share still at 1.00) also counts as settled: read it beside its value.  It exits non-zero when a run's last milestone
disagrees with its eval.json (both are measured from the same final generator).
"""
from __future__ import annotations

import sys

import numpy as np

from comgan_lite import shipped
from comgan_lite.nets import FAMILY_NAMES as NAMES
from lab import settling, ship


def summary_table(rows, keys, heading, cell, note=""):
    """Mean ± std over seeds of the settling metrics, one line per group of ``keys``;
    ``cell(group)`` fills the column after β."""
    print(f"\n| model | β | {heading} | seeds | best-of-two | soft share | trivial share |{note}")
    print("|---|---|---|---|---|---|---|")
    for s in shipped.summarise(rows, keys=keys, columns=[(k, k) for k in settling.SETTLE_TOL]):
        cells = [f"{s[k]['mean']:.2f} ± {s[k]['std']:.2f}" for k in settling.SETTLE_TOL]
        print(f"| {NAMES[s['family']]} | {s['beta']:g} | {cell(s)} | {s['seeds']} | " + " | ".join(cells) + " |")


def main() -> None:
    write = "--write" in sys.argv[1:]   # also (re)write data/runs-logs/settling.json
    folders = shipped.long_runs(0.1) + shipped.long_runs(1.0)
    folders = sorted(folders)
    if not folders:
        sys.exit(f"no run with milestones.json in {shipped.LOG_RUNS_DIR}")
    drift = []
    for p in folders:
        last, stated = shipped.read_milestones(p)[-1], shipped.read_eval(p)
        if abs(last["iou_best_of_two"] - stated["iou_best_of_two"]) > 1e-4:
            drift.append(f"{p.name}: milestone {last['iou_best_of_two']:.3f}, eval.json {stated['iou_best_of_two']:.3f}")
    print("| run | last step | best-of-two settled at | soft share settled at | trivial share settled at |")
    print("|---|---|---|---|---|")
    for r in settling.settling(folders):
        cells = [f"{r[k]:,}" if r[k] is not None else "still moving" for k in settling.SETTLE_TOL]
        print(f"| {r['run']} | {r['last_step']:,} | " + " | ".join(cells) + " |")
    last = max(shipped.read_milestones(p)[-1]["step"] for p in folders)
    steps = list(range(2000, last + 1, 2000))   # each row averages the seeds that reached it
    summary_table(shipped.at_steps(folders, steps), ("family", "beta", "steps"), "step",
                  lambda s: f"{s['steps']:,}")
    ends = shipped.evaluations(folders)
    summary_table(ends, ("family", "beta"), "last steps", lambda s: " / ".join(
        f"{n:,}" for n in sorted({e["steps"] for e in ends if (e["family"], e["beta"]) == (s["family"], s["beta"])})),
        note="   (each run at its end: eval.json)")
    minutes = {NAMES[shipped.read_config(p)["family"]]: [] for p in folders}
    for p in folders:
        log = shipped.read_log(p)
        minutes[NAMES[shipped.read_config(p)["family"]]].append(ship.training_minutes(log) / log[-1]["step"] * 1000)
    print("\nminutes per 1,000 steps (one CPU thread): " +
          ", ".join(f"{k} {np.mean(v):.1f}" for k, v in minutes.items()))
    if write:
        settling.write_settling()
        print(f"wrote {shipped.SETTLING}")
    if drift:
        sys.exit("milestones that disagree with eval.json:\n" + "\n".join(drift))


if __name__ == "__main__":
    main()
