"""Score a finished run and copy it into ``data/`` in its shipped form (see comgan_lite.shipped)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from comgan_lite import checkpoints, evaluate, shipped, train

MILESTONES = "gens"   # a run's folder of generators exported along the way: gens/step01000.pt, ...
SHIPPED_FILES = ("generator.pt", "metrics.jsonl", "config.json", "final.png", "eval.json")


def training_minutes(log: list[dict]) -> float:
    """Wall-clock minutes of a run from its log.  Each row carries the minutes so far; a run
    resumed from a checkpoint written before checkpoints kept that count starts again at 0, so
    every such restart adds the count it interrupted."""
    total, before = 0.0, 0.0
    for row in log:
        if row["minutes"] < before:
            total += before
        before = row["minutes"]
    return total + before


def evaluate_run(folder: str | Path, n: int = evaluate.N_EVAL, ema: bool | None = None) -> dict:
    """eval.json's content: ``evaluate.mask_scores``, the last five logged gradient norms
    (single rows are noisy) and the training minutes; DS-ComGAN runs add controllability, code
    purity and FD_factors.  ``ema``: score the parameter average (default: when the run kept
    one, as the official code evaluates)."""
    folder = Path(folder)
    if ema is None:
        ema = "g_ema" in checkpoints.load_checkpoint(folder / "generator.pt")
    g, cfg = train.load_generator(folder / "generator.pt", device="cpu", ema=ema)
    log = shipped.read_log(folder)
    last = log[-5:]
    ds = cfg.family == "dscomgan"
    return {"run": folder.name.removesuffix(".tmp"), "family": cfg.family, "preset": cfg.preset,
            "beta": cfg.beta, "seed": cfg.seed, "steps": cfg.steps,
            "variant": shipped.variant(vars(cfg)), **evaluate.mask_scores(g, cfg, n),
            "grad_mask_params": float(np.mean([r["grad_mask_params"] for r in last])),
            "grad_mask_pixels_adv": float(np.mean([r["grad_mask_pixels_adv"] for r in last])),
            "minutes": training_minutes(log), "weights": "ema" if ema else "last",
            **(evaluate.disentanglement(g, n) if ds else {}),
            **({"fd_factors": evaluate.frechet_factor_distance(g, cfg.preset, cfg.size)} if ds else {})}


def evaluate_runs(folders, progress: bool = True) -> list[dict]:
    from tqdm.auto import tqdm
    return [evaluate_run(f) for f in tqdm(list(folders), desc="evaluating runs", disable=not progress)]


def evaluate_milestones(folder: str | Path, n: int = evaluate.N_EVAL) -> list[dict]:
    """``mask_scores`` of every generator a run exported along the way (``gens/stepNNNNN.pt``),
    in step order: how its masks changed with training."""
    rows = []
    for path in sorted((Path(folder) / MILESTONES).glob("step*.pt")):
        g, cfg = train.load_generator(path, device="cpu")
        rows.append({"step": int(path.stem[4:]), **evaluate.mask_scores(g, cfg, n)})
    return rows


def write_eval(folder: str | Path) -> dict:
    """(Re)write a run's eval.json from its generator (atomically): after a change to a metric,
    the stated numbers of every shipped run are measured again, never edited by hand."""
    folder = Path(folder)
    stated = evaluate_run(folder)
    if stated["weights"] == "ema":                               # and the last weights beside it
        stated["last"] = evaluate_run(folder, ema=False)
    checkpoints.write_json(folder / "eval.json", stated)
    return stated


def ship(src: str | Path, root: str | Path = shipped.RUNS_DIR, with_generator: bool = True,
         evaluate: bool = True, name: str | None = None) -> Path:
    """Copy a finished run (``train.train`` folder) into ``root/<name>`` in its shipped form and
    write its eval.json.  Refuses unfinished runs; never leaves a half-copied folder.
    ``with_generator=False`` keeps only the log, snapshot and evaluation (for runs that only
    feed a table); ``evaluate=False`` writes no eval.json (the segmentation stage's generators
    on emoji and multi, which the oracle cannot judge)."""
    src = Path(src)
    if not (src / "generator.pt").exists():
        raise FileNotFoundError(f"{src} has no generator.pt: the run has not finished "
                                "(run the same train command again to resume it)")
    name = name or src.name
    dst, tmp = Path(root) / name, Path(root) / (name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in ("generator.pt", "metrics.jsonl", "config.json"):
        shutil.copy2(src / f, tmp / f)
    compact_log(tmp / "metrics.jsonl")
    snaps = sorted((src / "snapshots").glob("step*.png"))
    if snaps:
        shutil.copy2(snaps[-1], tmp / "final.png")
    if evaluate:
        write_eval(tmp)
        if (src / MILESTONES).is_dir():   # scores along the way, measured now (gens/ stays behind)
            checkpoints.write_json(tmp / "milestones.json", evaluate_milestones(src))
    if not with_generator:
        (tmp / "generator.pt").unlink()
    shutil.rmtree(dst, ignore_errors=True)
    tmp.rename(dst)
    return dst


def find_runs(root: str | Path = shipped.RUNS_DIR, **match) -> list[Path]:
    """Run folders under ``root`` (sorted) whose config matches every ``key=value`` given (a
    tuple of values: any of them); ``variant=''`` (the default) keeps only default
    architectures, ``variant=None`` keeps all."""
    match.setdefault("variant", "")
    found = []
    for folder in sorted(Path(root).glob("*/")):
        if not (folder / "config.json").exists() or folder.name.endswith(".tmp"):
            continue                             # .tmp: a run being shipped right now
        cfg = shipped.read_config(folder)
        cfg["variant"] = shipped.variant(cfg)
        if all(v is None or cfg.get(k) == v or (isinstance(v, tuple) and cfg.get(k) in v)
               for k, v in match.items()):
            found.append(folder)
    return found


def rescore(folders) -> tuple[list[dict], list[str]]:
    """Each run's eval.json row, re-measured from its generator where one ships (checking it
    against eval.json), read as stated where only the log ships.  Returns (rows, drifts)."""
    rows, drift = [], []
    for folder in folders:
        stated = shipped.read_eval(folder) if (Path(folder) / "eval.json").exists() else None
        if not (Path(folder) / "generator.pt").exists():
            rows.append(stated)
            continue
        r = evaluate_run(folder)
        if stated and (abs(stated["iou"] - r["iou"]) > 0.01
                       or abs(stated["iou_best_of_two"] - r["iou_best_of_two"]) > 0.01):
            drift.append(f"{Path(folder).name}: stated {stated['iou']:.3f}/{stated['iou_best_of_two']:.3f}, "
                         f"now {r['iou']:.3f}/{r['iou_best_of_two']:.3f}")
        rows.append(r)
    return rows, drift


def rounded(x, digits: int = 6):
    """``x`` (a float, or a dict or list holding floats) with every float rounded to ``digits``
    significant digits, as the shipped logs keep them."""
    if isinstance(x, float):
        return float(f"{x:.{digits}g}")
    if isinstance(x, dict):
        return {k: rounded(v, digits) for k, v in x.items()}
    return [rounded(v, digits) for v in x] if isinstance(x, list) else x


def compact_log(path: str | Path, digits: int = 6) -> None:
    """Rewrite a JSON-lines training log with every float rounded to ``digits`` significant
    digits and no spaces, atomically: the trainer logs float32 values, which carry about seven
    digits, with Python's seventeen; the shipped logs would be a third larger for nothing."""
    path = Path(path)
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(rounded(r, digits), separators=(",", ":")) + "\n" for r in rows))
    tmp.replace(path)


def keep_ema_only(path: str | Path) -> None:
    """Rewrite an exported generator that keeps both its last weights and their average (EMA) to
    keep only the average, atomically: the stage-1 generators of data/segmentation/ feed their
    segmenters through the average alone, and the last weights would double their size."""
    ckpt = checkpoints.load_checkpoint(path)
    if "g_ema" not in ckpt:
        raise checkpoints.CheckpointError(f"{path} has no EMA weights to keep")
    checkpoints.save_atomic({"g_ema": ckpt["g_ema"], "config": ckpt["config"]}, Path(path))
