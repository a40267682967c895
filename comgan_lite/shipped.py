"""The shipped results, read-only: the runs, segmenters and tables in ``data/``.

Each shipped run folder holds ``config.json``, ``metrics.jsonl`` (the training log),
``final.png`` (the last snapshot), ``eval.json`` (its scores, measured when it was shipped) and,
for some, ``generator.pt`` (a fp16 generator a notebook samples from) and ``milestones.json``
(its scores every 1,000 steps).  Names read like the run: ``run("comgan-easy-b1", seed=0)`` is
ComGAN on the easy preset with beta = 1, seed 0.  The code that trains, scores and ships them
lives outside the package, in ``lab/``.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from .checkpoints import read_log as _read_rows
from .data import DATA_DIR
from .nets import FAMILY_NAMES

RUNS_DIR = DATA_DIR / "runs"            # runs shipped with their generator
LOG_RUNS_DIR = DATA_DIR / "runs-logs"   # runs shipped without it: logs, scores, final.png
SEG_DIR = DATA_DIR / "segmentation"     # segmenters, their generators, the Table 4 analog
TABLE4 = SEG_DIR / "table.json"
TEACHERS = SEG_DIR / "teachers.json"     # each S-ds's generator, its masks judged (bench/segmentation.py)
UNSEEN_DIR = SEG_DIR / "unseen"          # segmenters trained on emoji-seen, scored on emoji-unseen too
UNSEEN_TABLE = UNSEEN_DIR / "table.json"
STYLES_TABLE = SEG_DIR / "styles.json"   # the emoji segmenters on Noto art (seen) and Fluent art (unseen)
SIZE64_DIR = SEG_DIR / "size64"          # the emoji pipeline at 64 px (segmenters, the generator's log)
SIZE64_TABLE = SIZE64_DIR / "table.json"
STUDIES_TABLE = SEG_DIR / "studies.json"  # what makes S generalise: variants of S-ds on emoji, scored
SEEDS_TABLE = SEG_DIR / "seeds.json"     # S-ds in a second seed on each dataset, scored (not shipped)
SETTLING = LOG_RUNS_DIR / "settling.json"
FAMILIES = ("comgan", "pi1", "pi2")     # notebooks 02 and 03; "dscomgan": notebooks 04 and 05
METHODS = {"ds": "DS-ComGAN S", "cons": "S, L_cons only", "grabcut": "GrabCut",
           "otsu": "Otsu", "kmeans": "k-means", "supervised": "supervised U-Net"}


# ----------------------------------------------------------------------------------------------
# Finding runs
# ----------------------------------------------------------------------------------------------
def run(name: str, seed: int = 0, variant: str = "") -> Path:
    """The folder of a shipped run: ``name`` is family-preset-b<beta> (``"pi2-easy-b1"``),
    ``variant`` what sets it apart (``"64px"``, ``"start-t1"``, ``"deep-m"``, ``"6000"`` ...)."""
    folder = f"{name}-s{seed}" + (f"-{variant}" if variant else "")
    for root in (RUNS_DIR, LOG_RUNS_DIR):
        if (root / folder / "config.json").exists():
            return root / folder
    raise FileNotFoundError(f"no shipped run {folder} in {RUNS_DIR} or {LOG_RUNS_DIR}; "
                            "python bench/reproduce_runs.py --list shows what ships")


def seeds(name: str, variant: str = "") -> list[Path]:
    """Every shipped seed of a run, in seed order."""
    found = []
    for seed in range(10):
        try:
            found.append(run(name, seed, variant))
        except FileNotFoundError:
            pass
    return found


def grid(preset: str, betas=(0.1, 1), families=FAMILIES) -> list[Path]:
    """The 3-seed grid of ``families`` x ``betas`` on ``preset`` (generators shipped)."""
    return [p for f in families for b in betas for p in seeds(f"{f}-{preset}-b{b:g}")]


def long_runs(beta: float, size: int = 32, variants: bool = False) -> list[Path]:
    """The long runs with milestones (scores every 1,000 steps) at ``beta`` and ``size`` px, in
    folder-name order (families, then seeds): runs of the default architecture started as usual,
    unless ``variants`` (T1 starts, wider networks ...) are asked for too."""
    return [p for p in sorted(LOG_RUNS_DIR.glob("*/")) if (p / "milestones.json").exists()
            and read_config(p)["beta"] == beta and read_config(p)["size"] == size
            and (variants or variant(read_config(p)) == "")]


def segmenter(mode: str, dataset: str, root: str | Path = SEG_DIR) -> Path:
    """The folder of a shipped segmenter: mode ds, cons or supervised."""
    return Path(root) / f"S-{mode}-{dataset}"


# ----------------------------------------------------------------------------------------------
# Reading them
# ----------------------------------------------------------------------------------------------
def read_config(folder: str | Path) -> dict:
    return json.loads((Path(folder) / "config.json").read_text())


def read_log(folder: str | Path) -> list[dict]:
    """The JSON-lines training log as a list of dicts (one per logged step)."""
    return _read_rows(Path(folder) / "metrics.jsonl")


def read_eval(folder: str | Path) -> dict:
    """A run's eval.json: its scores, measured when it was shipped."""
    return json.loads((Path(folder) / "eval.json").read_text())


def evaluations(folders) -> list[dict]:
    """The eval.json of each folder (tests/test_runs_shipped.py checks they still hold)."""
    return [read_eval(f) for f in folders]


def read_milestones(folder: str | Path) -> list[dict]:
    """A long run's milestones.json: its scores every 1,000 steps."""
    return json.loads((Path(folder) / "milestones.json").read_text())


def left_t1_at(folder: str | Path) -> int | None:
    """For a run started at T1: the first logged step after which fewer than half of its
    training batch's masks are trivial, or None if it never left."""
    log = read_log(folder)
    return next((row["step"] for i, row in enumerate(log)
                 if all(later["trivial"] < 0.5 for later in log[i:])), None)


def variant(cfg: dict) -> str:
    """'' for the default architecture, else what differs, e.g. 'n_res_mask=3' (ablations)."""
    defaults = {"width": (0, None), "head_width": (0, None), "n_res": (-1, None),
                "n_res_mask": (-1, None), "ndf": (32,), "mask_init_logit": (0.0,),
                "tie_codes": (False,), "info": (True,), "global_features": (True,)}
    return ",".join(f"{k}={cfg[k]}" for k, v in defaults.items() if k in cfg and cfg[k] not in v)


def teachers() -> dict:
    """Each dataset's teacher: {dataset: {"object in x_b", "faithfulness", "trivial", "n"}}, the
    generator behind the shipped S-ds judged by the shipped supervised U-Net (bench/segmentation.py)."""
    if not TEACHERS.exists():
        raise FileNotFoundError(f"no teachers at {TEACHERS}; run python bench/segmentation.py --write")
    return json.loads(TEACHERS.read_text())


def unseen_table() -> dict:
    """The held-out-sprite comparison: {"emoji-seen": {method: cells}, "emoji-unseen": {...}}, every
    segmenter trained on emoji-seen alone (bench/segmentation.py --unseen)."""
    return read_table(UNSEEN_TABLE, "--unseen")


def styles_table() -> dict:
    """The unseen-style comparison: {"emoji": {method: cells}, "emoji-fluent": {...}}, every
    segmenter trained on Noto sprites alone (bench/segmentation.py --styles)."""
    return read_table(STYLES_TABLE, "--styles")


def size64_table() -> dict:
    """The emoji pipeline at 64 px: {"emoji": {method: cells}, "emoji-fluent": {...}}
    (bench/segmentation.py --size64)."""
    return read_table(SIZE64_TABLE, "--size64")


def studies_table() -> dict:
    """Variants of S-ds trained at 32 px on the emoji generator's pairs, one row per run:
    {run: {"change": ..., "seed": ..., "emoji": IoU, "emoji-fluent": IoU}} (bench/segmentation.py --studies)."""
    return read_table(STUDIES_TABLE, "--studies")


def seeds_table() -> dict:
    """S-ds in seed 1 on each dataset's shipped generator, scored on the 1,000 test images (its
    segmenter does not ship): {dataset: {"seed": 1, "iou": ..., "dice": ..., ...}}; emoji's
    second seed is the studies table's row none-s1 (bench/segmentation.py --seeds)."""
    return read_table(SEEDS_TABLE, "--seeds RUNS")


def s_ds_seeds() -> dict:
    """{dataset: [IoU of seed 0, IoU of seed 1]} of S-ds at 32 px on the 1,000 test images: seed 0
    is the shipped segmenter of the Table 4 analog, seed 1 the seeds table (emoji: the studies
    table's shipped setting, seed 1)."""
    table = table4()
    second = {d: row["iou"] for d, row in seeds_table().items()}
    second["emoji"] = studies_table()["none-s1"]["emoji"]
    return {d: [table[d]["ds"]["iou"], second[d]] for d in table}


def study_spread(studies: dict, keys=("emoji",)) -> dict:
    """What the studies table says about seeds, as IoU on ``keys`` (test sets):
    ``base``: the mean of the shipped setting's seeds on emoji; ``best_gain``: the best run on emoji
    minus ``base``; ``spread``: the largest difference between seed 0 and seed 1 of one change."""
    pairs = [(row, studies[f"{row['change']}-s1"]) for row in studies.values()
             if row["seed"] == 0 and f"{row['change']}-s1" in studies]
    shipped_setting = [r["emoji"] for r in studies.values() if r["change"] == "none"]
    if not pairs or not shipped_setting:
        raise ValueError("the studies table needs the shipped setting ('none') and a change with seeds 0 and 1; "
                         "run python bench/segmentation.py --studies /root/seg-runs --write")
    base = sum(shipped_setting) / len(shipped_setting)
    return {"base": base, "best_gain": max(r["emoji"] for r in studies.values()) - base,
            "spread": max(abs(a[k] - b[k]) for a, b in pairs for k in keys)}


def read_table(path: Path, flag: str = "") -> dict:
    """A table bench/segmentation.py wrote (``flag``: the option that writes it)."""
    if not path.exists():
        raise FileNotFoundError(f"no table at {path}; run python bench/segmentation.py {flag} --write")
    return json.loads(path.read_text())


def table4() -> dict:
    """The Table 4 analog: {dataset: {method: {"iou": ..., "dice": ..., ...}}} (bench/segmentation.py)."""
    if not TABLE4.exists():
        raise FileNotFoundError(f"no table at {TABLE4}; run python bench/segmentation.py --write")
    return json.loads(TABLE4.read_text())


def table4_all() -> dict:
    """The Table 4 analog in one table, {row: {method: cells}}: the five datasets at 32 px, then
    the test images no training stage saw (``emoji-fluent``: Fluent's art, by the segmenters of
    ``emoji``; ``emoji-unseen``: ten held-out Noto sprites, by segmenters trained on
    ``emoji-seen``), then ``emoji`` and ``emoji-fluent`` at 64 px.  Each part is written by
    bench/segmentation.py (no flag, ``--styles``, ``--unseen``, ``--size64``)."""
    styles, unseen, s64 = styles_table(), unseen_table(), size64_table()
    return {**table4(), "emoji-fluent (unseen art)": styles["emoji-fluent"],
            "emoji-unseen (unseen sprites)": unseen["emoji-unseen"],
            "emoji, 64 px": s64["emoji"], "emoji-fluent, 64 px (unseen art)": s64["emoji-fluent"]}


def settling_report(beta: float) -> str:
    """From which milestone each long run's scores stopped moving (bench/convergence.py --write
    measures it with the rule of lab/settling.py)."""
    return "\n".join(json.loads(SETTLING.read_text())["report"][f"{beta:g}"])


def window_means(log: list[dict], start: int, stop: int, keys) -> dict:
    """Mean of each key over the logged rows with start <= step < stop (NaNs, e.g. the first
    grad_mask_cosine of a run, skipped): single logged rows are too noisy to quote."""
    rows = [r for r in log if start <= r["step"] < stop]
    if not rows:
        raise ValueError(f"no logged rows between steps {start} and {stop}")
    return {k: float(np.nanmean([r.get(k, np.nan) for r in rows])) for k in keys}


def at_steps(folders, steps, keys=("iou_best_of_two", "soft_share", "trivial")) -> list[dict]:
    """Milestone scores of long runs at the given steps, as rows shaped like eval.json's
    (family, preset, beta, variant, seed, steps and the keys) for ``summarise``."""
    out = []
    for f in folders:
        cfg, by_step = read_config(f), {r["step"]: r for r in read_milestones(f)}
        for s in steps:
            if s in by_step:
                out.append({"family": cfg["family"], "preset": cfg["preset"], "beta": cfg["beta"],
                            "variant": variant(cfg), "seed": cfg["seed"], "steps": s,
                            **{k: by_step[s][k] for k in keys}})
    return out


# ----------------------------------------------------------------------------------------------
# Tables over seeds
# ----------------------------------------------------------------------------------------------
COLUMNS = [("iou", "faithfulness"), ("iou_best_of_two", "best-of-two"),
           ("trivial", "trivial share"), ("soft_share", "soft share"),
           ("layer_difference", "mean abs(x_f − x_b)"), ("oracle_area", "oracle area"),
           ("grad_mask_params", "g_M"), ("grad_mask_pixels_adv", "‖dL_adv/dm‖"),
           ("minutes", "minutes")]
SETTLE_COLUMNS = [("iou_best_of_two", "best-of-two"), ("soft_share", "soft share"),
                  ("trivial", "trivial share")]
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
    by_step = bool(summary) and "steps" in summary[0]   # summarise(at_steps(...), keys=(..., "steps"))
    head = "| model | preset | β | " + "step | " * by_step + "seeds | " + " | ".join(c for _, c in columns) + " |"
    lines = [head, "|---" * (4 + by_step + len(columns)) + "|"]
    for s in summary:
        model = FAMILY_NAMES.get(s["family"], s["family"]) + (f" ({s['variant']})" if s.get("variant") else "")
        cells = [f"{s[k]['mean']:.2f} ± {s[k]['std']:.2f}" if s["seeds"] > 1 else f"{s[k]['mean']:.2f}"
                 for k, _ in columns]
        step = f"{s['steps']:,} | " if by_step else ""
        lines.append(f"| {model} | {s['preset']} | {s['beta']:g} | {step}{s['seeds']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table4_markdown(table: dict, key: str = "iou") -> str:
    """Datasets as rows, methods as columns: mean ``key`` (fixed polarity unless the key says
    best_of_two)."""
    methods = [m for m in METHODS if any(m in table[d] for d in table)]
    lines = ["| dataset | " + " | ".join(METHODS[m] for m in methods) + " |",
             "|---|" + "---|" * len(methods)]
    for d in table:
        lines.append(f"| {d} | " + " | ".join(f"{table[d][m][key]:.2f}" if m in table[d] else "–"
                                            for m in methods) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# DS-ComGAN rows by role
# ----------------------------------------------------------------------------------------------
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
