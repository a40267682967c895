"""The Table 4 analog: every segmenter and classical baseline on each dataset's held-out images,
and shipping a finished segmenter into data/segmentation/ (bench/segmentation.py)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from comgan_lite import baselines, segment, shipped
from comgan_lite.checkpoints import CheckpointError, load_checkpoint, save_atomic
from comgan_lite.data import PRESETS
from lab.ship import compact_log

N_EVAL = 1000                                # held-out test images per dataset


def compare(dataset: str, modes=("ds", "cons", "supervised"),
            classical=("grabcut", "otsu", "kmeans"), n: int = N_EVAL, size: int = 32,
            root: str | Path = shipped.SEG_DIR, trained_on: str | None = None) -> dict:
    """Per-image scores on the held-out set for the shipped segmenters and the classical
    baselines: {method: {"iou": (n,), "dice": (n,), "iou_best_of_two": ..., ...}}.
    ``trained_on``: score the segmenters trained on that dataset instead (for emoji-unseen,
    whose sprites no training stage saw: the segmenters of emoji-seen)."""
    x, gt, u8 = segment.evaluation_set(dataset, size, n)
    out = {}
    for mode in modes:
        s, _ = segment.load_segmenter(shipped.segmenter(mode, trained_on or dataset, root), "cpu")
        out[mode] = segment.scores(s.predict(x), gt)
    for name in classical:
        kwargs = {"margin": segment.GRABCUT_MARGIN} if name == "grabcut" else {}
        out[name] = segment.scores(getattr(baselines, name)(u8, **kwargs), gt)
    return out


def means(per_image: dict[str, dict[str, np.ndarray]]) -> dict[str, dict[str, float]]:
    """The table's cells: the mean of every per-image score."""
    return {m: {k: float(v.mean()) for k, v in sc.items()} for m, sc in per_image.items()}


def goals(table: dict) -> list[tuple[str, bool, str]]:
    """(goal, met?, the numbers): S at least 0.15 IoU above GrabCut on every preset (the paper's
    margin on CUB), and S within 10 % of the supervised U-Net on easy."""
    out = []
    for d in PRESETS:
        if d in table:
            s, gc = table[d]["ds"]["iou"], table[d]["grabcut"]["iou"]
            out.append((f"{d}: S >= GrabCut + 0.15", s >= gc + 0.15, f"S {s:.3f}, GrabCut {gc:.3f}, "
                        f"difference {s - gc:+.3f}"))
    if "easy" in table:
        s, sup = table["easy"]["ds"]["iou"], table["easy"]["supervised"]["iou"]
        out.append(("easy: S >= 0.9 x supervised", s >= 0.9 * sup, f"S {s:.3f}, supervised {sup:.3f}, "
                    f"ratio {s / sup:.3f}"))
    return out


def write_table(table: dict) -> None:
    shipped.TABLE4.write_text(json.dumps(table, indent=1) + "\n")


def teachers(dataset: str, n: int = 512, root: str | Path = shipped.SEG_DIR) -> dict:
    """How good the labels S learned from were: the generator named by the shipped S-ds of
    ``dataset``, its polarity vote and its masks judged by the shipped supervised U-Net
    (``segment.teacher_quality`` on ``n`` fresh pairs)."""
    cfg = segment.load_segmenter(shipped.segmenter("ds", dataset, root), "cpu")[1]
    pairs = segment.PairSource(cfg.generator, cfg.size)
    judge = segment.load_segmenter(shipped.segmenter("supervised", dataset, root), "cpu")[0]
    return {"object in x_b": pairs.inverted, "n": n, **segment.teacher_quality(pairs, judge, n=n)}


def teacher_ships(dataset: str, root: str | Path = shipped.SEG_DIR) -> bool:
    """Whether the generator the shipped S-ds of ``dataset`` learned from ships its weights
    (easy, hard and multi ship its config, log and snapshot only, to keep the repository small)."""
    generator = shipped.read_config(shipped.segmenter("ds", dataset, root))["generator"]
    return segment.generator_file(generator).exists()


def write_teachers(rows: dict) -> None:
    shipped.TEACHERS.write_text(json.dumps(rows, indent=1) + "\n")


def ship_segmenter(src: str | Path, generator: str, root: str | Path = shipped.SEG_DIR,
                   name: str | None = None) -> Path:
    """Copy a finished segmenter run into ``root/name`` (default ``S-<mode>-<dataset>``:
    segmenter.pt, config.json, metrics.jsonl), naming its generator by ``generator`` (a path
    relative to the repository root), atomically: a folder appears whole or not at all."""
    src = Path(src)
    if not (src / segment.SEGMENTER).exists():
        raise CheckpointError(f"{src} has no {segment.SEGMENTER}: the run has not finished; run "
                              "its command again to resume it")
    ckpt = load_checkpoint(src / segment.SEGMENTER)
    ckpt["config"]["generator"] = generator if ckpt["config"]["mode"] != "supervised" else ""
    cfg = ckpt["config"]
    dest = Path(root) / (name or f"S-{cfg['mode']}-{cfg['dataset']}")
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_atomic(ckpt, tmp / segment.SEGMENTER)
    (tmp / "config.json").write_text(json.dumps(cfg, indent=1))
    shutil.copy(src / segment.LOG, tmp / segment.LOG)
    compact_log(tmp / segment.LOG)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest
