"""Shipped training runs: copy a finished run into ``data/runs/``, evaluate it, summarise seeds.

A shipped run folder holds what the notebooks and ``bench/compare_generators.py`` need, and
nothing more (no optimiser or discriminator state):

    generator.pt    fp16 generator + its TrainConfig    (train.export_generator)
    metrics.jsonl   the training log                     (train.train)
    config.json     the TrainConfig as JSON
    final.png       the last snapshot: composites, masks, foregrounds, backgrounds for 8 fixed z
    eval.json       evaluate_run() at shipping time: the numbers the notebooks state
    milestones.json evaluate_milestones() at shipping time, for runs that exported generators
                    along the way (train --keep-every): the scores every K steps
    gradient_regions.json  (trap runs only) gradient_by_region() along the first steps,
                    written by bench/trap_gradient.py
"""
from __future__ import annotations

import json
import shutil
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from . import compose, factors, metrics, oracle, train
from .data import DATA_DIR, ShapesDataset

RUNS_DIR = DATA_DIR / "runs"
LOG_RUNS_DIR = DATA_DIR / "runs-logs"   # runs shipped without their generator: logs and scores
ORACLE_DIR = DATA_DIR / "oracle"   # oracle-32px.pt, oracle-64px.pt: one per resolution
FACTORS_PATH = DATA_DIR / "factors" / "factors-medium-32px.pt"
N_FD = 1024           # images per side of the Fréchet distance
N_EVAL = 512          # composites per evaluation
EVAL_SEED = 2024      # the fixed evaluation batch: z ~ N(0, I) from this seed
SHIPPED_FILES = ("generator.pt", "metrics.jsonl", "config.json", "final.png", "eval.json")


def read_config(folder: str | Path) -> dict:
    return json.loads((Path(folder) / "config.json").read_text())


def read_log(folder: str | Path) -> list[dict]:
    """The JSON-lines training log as a list of dicts (one per logged step)."""
    text = (Path(folder) / train.LOG).read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


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


def window_means(log: list[dict], start: int, stop: int, keys) -> dict:
    """Mean of each key over the logged rows with start <= step < stop (NaNs, e.g. the first
    grad_mask_cosine of a run, skipped): single logged rows are too noisy to quote."""
    rows = [r for r in log if start <= r["step"] < stop]
    if not rows:
        raise ValueError(f"no logged rows between steps {start} and {stop}")
    return {k: float(np.nanmean([r.get(k, np.nan) for r in rows])) for k in keys}


def variant(cfg: dict) -> str:
    """'' for the default architecture, else what differs, e.g. 'n_res_mask=3' (ablations)."""
    defaults = train.TrainConfig()
    keys = ("width", "head_width", "n_res", "n_res_mask", "ndf", "mask_init_logit",
            "tie_codes", "info", "global_features")
    changed = [f"{k}={cfg[k]}" for k in keys if k in cfg and cfg[k] != getattr(defaults, k)]
    return ",".join(changed)


def find_runs(root: str | Path = RUNS_DIR, **match) -> list[Path]:
    """Run folders under ``root`` (sorted) whose config matches every ``key=value`` given (a
    tuple of values: any of them); ``variant=''`` (the default) keeps only default
    architectures, ``variant=None`` keeps all."""
    match.setdefault("variant", "")
    found = []
    for folder in sorted(Path(root).glob("*/")):
        if not (folder / "config.json").exists() or folder.name.endswith(".tmp"):
            continue                             # .tmp: a run being shipped right now
        cfg = read_config(folder)
        cfg["variant"] = variant(cfg)
        if all(v is None or cfg.get(k) == v or (isinstance(v, tuple) and cfg.get(k) in v)
               for k, v in match.items()):
            found.append(folder)
    return found


@lru_cache(maxsize=None)
def real_area(preset: str, size: int = 32) -> float:
    """Share of object pixels in 1,000 real test images: the gate of faithfulness."""
    return float(ShapesDataset(preset, size, "test", 1000).arrays(progress=False)["mask"].mean())


@lru_cache(maxsize=None)
def oracle_model(size: int = 32):
    """The shipped oracle segmenter for ``size`` px images (loaded once per size)."""
    path = ORACLE_DIR / f"oracle-{size}px.pt"
    if not path.exists():
        raise FileNotFoundError(f"no oracle for {size} px images at {path}; train one with "
                                f"python -m comgan_lite.oracle --size {size} --out {path}")
    model, info = oracle.load_oracle(path)
    if info["size"] != size:
        raise train.CheckpointError(f"{path} holds a {info['size']} px oracle, not {size} px")
    return model


def evaluation_inputs(g, n: int = N_EVAL, seed: int = EVAL_SEED) -> tuple:
    """The fixed evaluation inputs: z seeded by ``seed`` (the same z for every family), and for
    DS-ComGAN independent uniform codes f and b after it."""
    if hasattr(g, "n_codes"):
        return factors.fixed_inputs(n, g.n_codes, g.z_dim, seed)
    return (torch.randn(n, g.z_dim, generator=torch.Generator().manual_seed(seed)),)


def evaluation_batch(g, n: int = N_EVAL, seed: int = EVAL_SEED) -> dict:
    """The fixed evaluation batch: n composites (and layers) from the fixed inputs."""
    return train.sample(g, *evaluation_inputs(g, n, seed))


@lru_cache(maxsize=1)
def factor_classifier(path: str = str(FACTORS_PATH)):
    """The shipped factor classifier (loaded once)."""
    return factors.load_classifier(path)[0]


@lru_cache(maxsize=None)
def real_features(preset: str, size: int = 32, n: int = N_FD):
    """Factor-classifier features of n real test images (one side of the Fréchet distance)."""
    x, _ = factors.load_split(preset, size, "test", n)
    return factors.predict(factor_classifier(), x)["features"].numpy()


def frechet_factor_distance(g, preset: str, size: int = 32, n: int = N_FD) -> float:
    """Fréchet distance between n composites and n real test images, on the factor
    classifier's 128-d features (FD_factors; not FID, not comparable to published FIDs)."""
    batch = N_EVAL   # sampled in batches of the evaluation size: BatchNorm sees what it saw in training
    feats = np.concatenate([
        factors.predict(factor_classifier(),
                        evaluation_batch(g, batch, seed=EVAL_SEED + 1 + i)["image"])["features"].numpy()
        for i in range(-(-n // batch))])[:n]
    return metrics.frechet_distance(feats, real_features(preset, size, n))


def disentanglement(g, n: int = N_EVAL) -> dict:
    """DS-ComGAN's controllability and code purity (``factors.disentanglement``) as flat
    columns ``ctrl_<input>_<factor>`` and ``nmi_<code>_<factor>``."""
    d = factors.disentanglement(g, factor_classifier(), n, EVAL_SEED)
    row = {f"ctrl_{w}_{k}": v for w, changes in d["control"].items() for k, v in changes.items()}
    row.update({f"nmi_{c}_{k}": v for c, nmis in d["purity"].items() for k, v in nmis.items()})
    return row


def mask_scores(g, cfg, n: int = N_EVAL) -> dict:
    """Faithfulness (fixed polarity and best-of-two, with its gate) and the trivial-solution
    diagnostics of generator ``g`` on the fixed evaluation batch, with the share of nearly
    trivial masks (mean below 0.05 or above 0.95: emptier or fuller than any real `easy` mask)."""
    out = evaluation_batch(g, n)
    faith = oracle.faithfulness(oracle_model(cfg.size), out["image"], out["mask"],
                                real_area(cfg.preset, cfg.size))
    near = compose.trivial_share(out["mask"], compose.NEAR_TRIVIAL_LOW, compose.NEAR_TRIVIAL_HIGH)["trivial"]
    return {**faith, **compose.diagnostics(out["fg"], out["bg"], out["mask"]), "near_trivial": near}


MILESTONES = "gens"   # a run's folder of generators exported along the way: gens/step01000.pt, ...


def evaluate_milestones(folder: str | Path, n: int = N_EVAL) -> list[dict]:
    """``mask_scores`` of every generator a run exported along the way (``gens/stepNNNNN.pt``,
    e.g. by training in 1,000-step chunks), in step order: how its masks changed with training."""
    rows = []
    for path in sorted((Path(folder) / MILESTONES).glob("step*.pt")):
        g, cfg = train.load_generator(path, device="cpu")
        rows.append({"step": int(path.stem[4:]), **mask_scores(g, cfg, n)})
    return rows


def gradient_by_region(checkpoint: str | Path, n: int = 256) -> dict:
    """Where the adversarial logit gradient dL/ds (Lemma 1) of a training checkpoint lies: on
    the object the oracle sees in each composite of the fixed evaluation batch, or off it
    (``compose.logit_gradient_on``), with ``compose.logit_gradient_stats`` beside it.  Needs
    the full checkpoint (G and D), not a shipped generator."""
    ckpt = train.load_checkpoint(checkpoint)
    if "d" not in ckpt:
        raise train.CheckpointError(f"{checkpoint} holds no discriminator: pass a training "
                                    f"checkpoint ({train.CHECKPOINT}), not an exported generator.")
    cfg = train.config_from_dict(ckpt["config"])
    g, d = train.build(cfg)
    g.load_state_dict(ckpt["g"]), d.load_state_dict(ckpt["d"])
    g.train(), d.train()                      # the modes of a G step in training
    out = g(*evaluation_inputs(g, n))
    grad = torch.autograd.grad(train.generator_loss(d, out["image"]), out["mask"])[0]
    with torch.no_grad():
        on_object = oracle.predict(oracle_model(cfg.size), out["image"]) > 0.5   # (n, 1, H, W)
    mask = out["mask"].detach()
    return {"step": int(ckpt["step"]), **compose.logit_gradient_on(on_object, grad, mask),
            **compose.logit_gradient_stats(grad, mask), "mask_mean": float(mask.mean())}


def settled_at(rows: list[dict], key: str, tol: float, last: int = 2) -> int | None:
    """The first step from which ``key`` stays within a band of width ``tol`` until the end,
    provided that band holds at least ``last`` + 1 milestones; None: still moving at the end.
    (Our working definition of "trained until the metrics stop moving".)"""
    for i, row in enumerate(rows):
        later = [r[key] for r in rows[i:]]
        if max(later) - min(later) <= tol:
            return row["step"] if len(later) > last else None
    return None


SETTLE_TOL = {"iou_best_of_two": 0.05, "soft_share": 0.05, "trivial": 0.02}


def read_milestones(folder: str | Path) -> list[dict]:
    """A shipped long run's milestones.json: its scores every 1,000 steps."""
    return json.loads((Path(folder) / "milestones.json").read_text())


def long_runs(**match) -> list[Path]:
    """The convergence study's long runs: 32 px runs in ``LOG_RUNS_DIR`` that ship milestones
    (notebook 02, section 5), filtered like ``find_runs``; ``size=64`` gives the 64 px ones."""
    match = {"variant": None, "size": 32, **match}
    return [p for p in find_runs(LOG_RUNS_DIR, **match) if (p / "milestones.json").exists()]


def settling(folders, tol: dict = SETTLE_TOL) -> list[dict]:
    """Per long run: its family, beta, seed, last step, and for every metric in ``tol`` the step
    from which it stopped moving (``settled_at``; None = still moving at the last milestone)."""
    out = []
    for f in folders:
        cfg, rows = read_config(f), read_milestones(f)
        out.append({"run": Path(f).name, "family": cfg["family"], "beta": cfg["beta"],
                    "seed": cfg["seed"], "last_step": rows[-1]["step"],
                    **{k: settled_at(rows, k, t) for k, t in tol.items()}})
    return out


def settling_report(folders) -> str:
    """One line per long run: its scores at the last milestone and, per metric, the step from
    which it stopped moving (``settling``)."""
    lines = []
    for p, r in zip(folders, settling(folders)):
        end = read_milestones(p)[-1]
        said = ", ".join(f"{label} " + (f"from {r[k]:,}" if r[k] is not None else "still moving")
                         for k, label in (("iou_best_of_two", "best of two"), ("soft_share", "soft share"),
                                          ("trivial", "trivial share")))
        lines.append(f"{r['run']:26s} at {end['step']:,}: best of two {end['iou_best_of_two']:.2f}, "
                     f"soft {end['soft_share']:.2f}, mean mask {end['mask_mean']:.2f}; settled: {said}")
    return "\n".join(lines)


SETTLE_COLUMNS = [("iou_best_of_two", "best-of-two"), ("soft_share", "soft share"),
                  ("trivial", "trivial share")]


def at_steps(folders, steps, keys=tuple(SETTLE_TOL)) -> list[dict]:
    """Milestone scores of long runs at the given steps, as rows shaped like ``evaluate_run``'s
    (family, preset, beta, variant, steps, and the keys) for ``summarise(..., keys=(..., "steps"))``."""
    out = []
    for f in folders:
        cfg, by_step = read_config(f), {r["step"]: r for r in read_milestones(f)}
        for s in steps:
            if s in by_step:
                out.append({"family": cfg["family"], "preset": cfg["preset"], "beta": cfg["beta"],
                            "variant": variant(cfg), "seed": cfg["seed"], "steps": s,
                            **{k: by_step[s][k] for k in keys}})
    return out


def evaluate_run(folder: str | Path, n: int = N_EVAL, ema: bool | None = None) -> dict:
    """Faithfulness (fixed polarity and best-of-two), the gate, the trivial-solution diagnostics
    on the fixed evaluation batch, and the last five logged gradient norms (single rows are
    noisy) and minutes of the training log.  DS-ComGAN runs add controllability, code purity
    and FD_factors.  ``ema``: evaluate the parameter average (default: when the run kept one,
    as the official code evaluates)."""
    folder = Path(folder)
    if ema is None:
        ema = "g_ema" in train.load_checkpoint(folder / "generator.pt")
    g, cfg = train.load_generator(folder / "generator.pt", device="cpu", ema=ema)
    log = read_log(folder)
    last = log[-5:]
    return {"run": folder.name.removesuffix(".tmp"), "family": cfg.family, "preset": cfg.preset,
            "beta": cfg.beta, "seed": cfg.seed, "steps": cfg.steps, "variant": variant(vars(cfg)),
            **mask_scores(g, cfg, n),
            "grad_mask_params": float(np.mean([r["grad_mask_params"] for r in last])),
            "grad_mask_pixels_adv": float(np.mean([r["grad_mask_pixels_adv"] for r in last])),
            "minutes": training_minutes(log), "weights": "ema" if ema else "last",
            **(disentanglement(g, n) if cfg.family == "dscomgan" else {}),
            **({"fd_factors": frechet_factor_distance(g, cfg.preset, cfg.size)}
               if cfg.family == "dscomgan" else {})}


def stated_evals(folders) -> list[dict]:
    """The eval.json of each shipped run: the numbers measured when it was shipped."""
    return [json.loads((Path(f) / "eval.json").read_text()) for f in folders]


def results(folders, recompute: bool | None = None) -> list[dict]:
    """The rows of the comparison table: recomputed from the generators (full mode, about 3 s a
    run), or in quick mode read from each run's eval.json, the same computation stored when the
    run was shipped (tests/test_runs_shipped.py checks that they still agree)."""
    from .runtime import quick_mode
    if recompute is None:
        recompute = not quick_mode()
    return evaluate_runs(folders) if recompute else stated_evals(folders)


def evaluate_runs(folders, progress: bool = True) -> list[dict]:
    from tqdm.auto import tqdm
    return [evaluate_run(f) for f in tqdm(list(folders), desc="evaluating runs", disable=not progress)]


def _write_json(path: Path, obj) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1) + "\n")
    tmp.replace(path)


def write_eval(folder: str | Path) -> dict:
    """(Re)write a run's eval.json from its generator (atomically): after a change to a metric,
    the stated numbers of every shipped run are measured again, never edited by hand."""
    folder = Path(folder)
    stated = evaluate_run(folder)
    if stated["weights"] == "ema":                               # and the last weights beside it
        stated["last"] = evaluate_run(folder, ema=False)
    _write_json(folder / "eval.json", stated)
    return stated


def ship(src: str | Path, root: str | Path = RUNS_DIR, with_generator: bool = True,
         evaluate: bool = True, name: str | None = None) -> Path:
    """Copy a finished run (``train.train`` folder) into ``root/<name>`` in its shipped form and
    write its eval.json.  Refuses unfinished runs; never leaves a half-copied folder.
    ``with_generator=False`` keeps only the log, snapshot and evaluation (for long runs that
    the notebooks quote but do not sample from); ``evaluate=False`` writes no eval.json (the
    segmentation stage's generators on emoji and multi, which the oracle cannot judge)."""
    src = Path(src)
    if not (src / "generator.pt").exists():
        raise FileNotFoundError(f"{src} has no generator.pt: the run has not finished "
                                "(run the same train command again to resume it)")
    name = name or src.name
    dst = Path(root) / name
    tmp = Path(root) / (name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in ("generator.pt", "metrics.jsonl", "config.json"):
        shutil.copy2(src / name, tmp / name)
    snaps = sorted((src / "snapshots").glob("step*.png"))
    if snaps:
        shutil.copy2(snaps[-1], tmp / "final.png")
    if evaluate:
        write_eval(tmp)
        if (src / MILESTONES).is_dir():   # scores along the way, measured now (gens/ stays behind)
            _write_json(tmp / "milestones.json", evaluate_milestones(src))
    if not with_generator:
        (tmp / "generator.pt").unlink()
    shutil.rmtree(dst, ignore_errors=True)
    tmp.rename(dst)
    return dst


COLUMNS = [("iou", "faithfulness"), ("iou_best_of_two", "best-of-two"),
           ("trivial", "trivial share"), ("soft_share", "soft share"),
           ("layer_difference", "mean abs(x_f − x_b)"), ("oracle_area", "oracle area"),
           ("grad_mask_params", "g_M"), ("grad_mask_pixels_adv", "‖dL_adv/dm‖"),
           ("minutes", "minutes")]


COMGAN_FAMILIES = ("comgan", "pi1", "pi2")     # notebooks 02 and 03; "dscomgan": notebook 04


def object_in_background(row: dict) -> bool:
    """True when a run drew the object in x_b (notebook 03's inverted polarity): its fixed-
    polarity faithfulness is far below its best-of-two one."""
    return row["iou"] < row["iou_best_of_two"] - 0.1


def by_role(row: dict) -> dict:
    """A DS-ComGAN evaluation row with its codes named by role: the *object code* is f when the
    object sits in x_f and b when it sits in x_b (and the *scene code* the other one), so runs of
    either polarity can be compared and averaged.  Adds ``ctrl_object_<factor>``,
    ``ctrl_scene_<factor>``, ``nmi_object_<factor>``, ``nmi_scene_<factor>`` and
    ``object_in_x_b`` (1 or 0)."""
    inverted = object_in_background(row)
    roles = {"object": "b" if inverted else "f", "scene": "f" if inverted else "b"}
    out = dict(row, object_in_x_b=float(inverted))
    for role, code in roles.items():
        for key in [k for k in row if k.startswith(f"ctrl_{code}_") or k.startswith(f"nmi_{code}_")]:
            kind, factor = key.split("_", 2)[0], key.split("_", 2)[2]
            out[f"{kind}_{role}_{factor}"] = row[key]
    return out


def control_table(row: dict, factors_shown=None) -> dict:
    """{input: {factor: change rate}} of a ``by_role`` row, inputs z, object code, scene code and
    the resample-everything reference (for ``plots.controllability``)."""
    names = {"z": "z", "object": "object code", "scene": "scene code", "all": "all (reference)"}
    keys = factors_shown or [k[len("ctrl_z_"):] for k in row if k.startswith("ctrl_z_")]
    return {label: {k: row[f"ctrl_{w}_{k}"] for k in keys} for w, label in names.items()}


DS_COLUMNS = [("object_in_x_b", "object in x_b"),
              ("ctrl_object_fg_hue", "object code → object hue"),
              ("ctrl_object_bg_hue", "object code → scene hue"),
              ("ctrl_scene_bg_hue", "scene code → scene hue"),
              ("ctrl_scene_fg_hue", "scene code → object hue"),
              ("ctrl_object_fg_class", "object code → object texture"),
              ("ctrl_z_fg_class", "z → object texture"),
              ("nmi_object_fg_hue", "NMI(object code, object hue)"),
              ("nmi_scene_bg_hue", "NMI(scene code, scene hue)"),
              ("nmi_object_fg_class", "NMI(object code, object texture)"),
              ("fd_factors", "FD_factors"), ("iou_best_of_two", "best-of-two"),
              ("trivial", "trivial share"), ("minutes", "minutes")]


def summarise(rows: list[dict], keys=("family", "preset", "beta", "variant"),
              columns=None) -> list[dict]:
    """Group rows by ``keys``; for every numeric column the mean, std and the values per seed."""
    groups = defaultdict(list)
    for r in rows:
        groups[tuple(r[k] for k in keys)].append(r)
    out = []
    def order(kv):   # numbers by value (steps: 2,000 before 10,000), everything else as text
        return tuple((0, v, "") if isinstance(v, (int, float)) else (1, 0, str(v)) for v in kv[0])
    for key, rs in sorted(groups.items(), key=order):
        s = dict(zip(keys, key), seeds=len(rs))
        for col, _ in columns or COLUMNS:
            v = np.array([r[col] for r in rs], dtype=float)
            s[col] = {"mean": float(v.mean()), "std": float(v.std()), "values": v.tolist()}
        out.append(s)
    return out


def markdown_table(summary: list[dict], columns=COLUMNS) -> str:
    """The comparison table as markdown: mean ± std over seeds (std over seeds, ddof 0)."""
    names = {"comgan": "ComGAN", "pi1": "Π1", "pi2": "Π2", "dscomgan": "DS-ComGAN"}
    by_step = bool(summary) and "steps" in summary[0]   # summarise(at_steps(...), keys=(..., "steps"))
    head = "| model | preset | β | " + "step | " * by_step + "seeds | " + " | ".join(c for _, c in columns) + " |"
    lines = [head, "|---" * (4 + by_step + len(columns)) + "|"]
    for s in summary:
        model = names.get(s["family"], s["family"]) + (f" ({s['variant']})" if s.get("variant") else "")
        cells = [f"{s[k]['mean']:.2f} ± {s[k]['std']:.2f}" if s["seeds"] > 1 else f"{s[k]['mean']:.2f}"
                 for k, _ in columns]
        step = f"{s['steps']:,} | " if by_step else ""
        lines.append(f"| {model} | {s['preset']} | {s['beta']:g} | {step}{s['seeds']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
