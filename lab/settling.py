"""When did a long run stop moving?  Our working rule, applied to its milestones."""
from __future__ import annotations

from pathlib import Path

from comgan_lite import checkpoints, shipped

SETTLE_TOL = {"iou_best_of_two": 0.05, "soft_share": 0.05, "trivial": 0.02}


def settled_at(rows: list[dict], key: str, tol: float, last: int = 2) -> int | None:
    """The first step from which ``key`` stays within a band of width ``tol`` until the end,
    provided that band holds at least ``last`` + 1 milestones; None: still moving at the end.
    (Our working definition of "trained until the metrics stop moving".)"""
    for i, row in enumerate(rows):
        later = [r[key] for r in rows[i:]]
        if max(later) - min(later) <= tol:
            return row["step"] if len(later) > last else None
    return None


def settling(folders, tol: dict = SETTLE_TOL) -> list[dict]:
    """Per long run: its family, beta, seed, last step, and for every metric in ``tol`` the step
    from which it stopped moving (``settled_at``; None = still moving at the last milestone)."""
    out = []
    for f in folders:
        cfg, rows = shipped.read_config(f), shipped.read_milestones(f)
        out.append({"run": Path(f).name, "family": cfg["family"], "beta": cfg["beta"],
                    "seed": cfg["seed"], "last_step": rows[-1]["step"],
                    **{k: settled_at(rows, k, t) for k, t in tol.items()}})
    return out


def settling_report(folders) -> str:
    """One line per long run: its scores at the last milestone and, per metric, the step from
    which it stopped moving (``settling``)."""
    lines = []
    for p, r in zip(folders, settling(folders)):
        end = shipped.read_milestones(p)[-1]
        said = ", ".join(f"{label} " + (f"from {r[k]:,}" if r[k] is not None else "still moving")
                         for k, label in (("iou_best_of_two", "best of two"), ("soft_share", "soft share"),
                                          ("trivial", "trivial share")))
        lines.append(f"{r['run']:26s} at {end['step']:,}: best of two {end['iou_best_of_two']:.2f}, "
                     f"soft {end['soft_share']:.2f}, mean mask {end['mask_mean']:.2f}; settled: {said}")
    return "\n".join(lines)


def write_settling(betas=(0.1, 1.0)) -> dict:
    """data/runs-logs/settling.json: the report per beta, which the notebooks print."""
    out = {"rule": SETTLE_TOL, "report": {f"{b:g}": settling_report(shipped.long_runs(b)).split("\n")
                                          for b in betas}}
    checkpoints.write_json(shipped.SETTLING, out)
    return out
