"""Measuring disentanglement: a factor classifier that reads the known factors of a scene, and
what each generator input (z, f, b) moves when it is resampled.

The paper shows Figures 6 and 7 as grids; our procedural data has known factors, so we can
count instead of squint.  The classifier is trained once, supervised, on the real training
split and frozen: a measuring instrument like the oracle, not part of any method.

    python -m comgan_lite.factors --preset medium --out data/factors/factors-medium-32px.pt

Factors (one softmax head each): the object's shape, its appearance class (flat, shaded,
striped, dotted), the background's class (flat, gradient, stripes, noise), and the hue of object
and background in six bins (red, yellow, green, cyan, blue, magenta): the hue of the mean
colour inside and outside the true mask.
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F_

from . import metrics, train
from .data import BG_CLASSES, FG_CLASSES, PRESETS, SHAPES, ShapesDataset, images_to_tensor
from .checkpoints import (COMMON_HELP, CheckpointError, float_state, half_state, load_checkpoint,
                          load_weights, positive_int, save_atomic, train_to_the_end, what_file)

N_HUES = 6
HUE_NAMES = ("red", "yellow", "green", "cyan", "blue", "magenta")
FACTORS = {"shape": SHAPES, "fg_class": FG_CLASSES, "bg_class": BG_CLASSES,
           "fg_hue": HUE_NAMES, "bg_hue": HUE_NAMES}


def hue_bins(rgb: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Hue bin (0-5, 60 degrees each, centred on red, yellow, ...) of the weighted mean colour.
    rgb: (N, 3, H, W) (any scale); weights: (N, H, W)."""
    w = weights[:, None].astype(np.float64)
    c = (rgb * w).sum((2, 3)) / np.maximum(w.sum((2, 3)), 1e-6)          # (N, 3)
    r, g, b = c[:, 0], c[:, 1], c[:, 2]
    hue = np.degrees(np.arctan2(np.sqrt(3) * (g - b), 2 * r - g - b)) % 360  # 0 red, 120 green
    return (((hue + 30) % 360) // 60).astype(np.int64)


def factor_labels(arrays: dict) -> dict[str, torch.Tensor]:
    """The five factor labels of a rendered split (``ShapesDataset.arrays()``)."""
    mask = arrays["mask"].astype(np.float32)
    return {"shape": torch.from_numpy(arrays["shape"]).long(),
            "fg_class": torch.from_numpy(arrays["fg_class"]).long(),
            "bg_class": torch.from_numpy(arrays["bg_class"]).long(),
            "fg_hue": torch.from_numpy(hue_bins(arrays["image"], mask)),
            "bg_hue": torch.from_numpy(hue_bins(arrays["image"], 1 - mask))}


class FactorClassifier(nn.Module):
    """A small CNN with one head per factor.  ``features`` (128-d) are what the Fréchet
    distance compares."""

    def __init__(self, size: int = 32, width: int = 32):
        super().__init__()
        layers, c = [], 3
        for i in range(size.bit_length() - 3):                      # 32 px: 32 -> 16 -> 8 -> 4
            c_out = width << i
            layers += [nn.Conv2d(c, c_out, 3, 2, 1), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2),
                       nn.Conv2d(c_out, c_out, 3, 1, 1), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)]
            c = c_out
        self.body = nn.Sequential(*layers)                           # (B, c, 4, 4)
        self.embed = nn.Sequential(nn.Flatten(), nn.Linear(c * 16, 128), nn.LeakyReLU(0.2))
        self.heads = nn.ModuleDict({k: nn.Linear(128, len(v)) for k, v in FACTORS.items()})
        self.size, self.width = size, width

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed(self.body(x))                              # (B, 128)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        h = self.features(x)
        return {k: head(h) for k, head in self.heads.items()}        # logits per factor


def load_split(preset: str, size: int, split: str, n: int):
    a = ShapesDataset(preset, size, split, n).arrays(progress=False)
    return images_to_tensor(a["image"]), factor_labels(a)


@dataclass
class ClassifierConfig:
    preset: str = "medium"
    size: int = 32
    steps: int = 8000
    batch_size: int = 64
    n_train: int = 10_000
    seed: int = 0


def train_classifier(preset: str = "medium", size: int = 32, steps: int = 8000,
                     batch_size: int = 64, n_train: int = 10_000, seed: int = 0,
                     progress: bool = True, run_dir=None) -> tuple[FactorClassifier, dict]:
    """Supervised training on the real training split (horizontal flips keep every factor),
    resumable from ``run_dir`` (the shared loop of ``checkpoints``).  Returns the model and its
    held-out accuracy per factor (test split, 1,000 images)."""
    cfg = ClassifierConfig(preset, size, steps, batch_size, n_train, seed)
    torch.manual_seed(seed)
    rng = torch.Generator().manual_seed(seed)
    x, y = load_split(preset, size, "train", n_train)
    model = FactorClassifier(size)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    model.train()

    def one_step(step: int):
        idx = torch.randint(len(x), (batch_size,), generator=rng)
        xb = x[idx]
        if torch.rand(1, generator=rng) < 0.5:
            xb = xb.flip(3)
        logits = model(xb)
        loss = sum(F_.cross_entropy(logits[k], y[k][idx]) for k in FACTORS)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if (step + 1) % 100 == 0:
            return {"step": step + 1, "loss": loss.item()}, None

    train_to_the_end(run_dir, cfg, {"model": model, "opt": opt, "sched": sched}, rng, one_step, steps,
                     f"factor classifier {preset}", progress)
    return model.eval(), heldout_accuracy(model, preset, size)


@torch.no_grad()
def predict(model: FactorClassifier, images: torch.Tensor, batch: int = 256) -> dict:
    """Predicted class per factor (N,) and the 128-d features (N, 128), BatchNorm in eval mode."""
    model.eval()
    out = {k: [] for k in (*FACTORS, "features")}
    for i in range(0, len(images), batch):
        x = images[i:i + batch]
        h = model.features(x)
        out["features"].append(h)
        for k, head in model.heads.items():
            out[k].append(head(h).argmax(1))
    return {k: torch.cat(v) for k, v in out.items()}


def heldout_accuracy(model: FactorClassifier, preset: str, size: int, n: int = 1000) -> dict:
    x, y = load_split(preset, size, "test", n)
    pred = predict(model, x)
    return {k: float((pred[k] == y[k]).float().mean()) for k in FACTORS}


def save_classifier(model: FactorClassifier, preset: str, accuracy: dict, path: Path) -> None:
    save_atomic({"factor_classifier": half_state(model), "size": model.size, "width": model.width,
                 "preset": preset, "heldout_accuracy": accuracy}, path)


def load_classifier(path: str | Path) -> tuple[FactorClassifier, dict]:
    """Load a shipped factor classifier (fp16 -> fp32, eval mode).  Returns (model, info)."""
    path = Path(path)
    ckpt = load_checkpoint(path)
    if "factor_classifier" not in ckpt:
        raise CheckpointError(f"{path} is {what_file(ckpt)}, not a factor-classifier file; "
                              "train one with python -m comgan_lite.factors")
    model = FactorClassifier(ckpt["size"], ckpt["width"])
    load_weights(model, float_state(ckpt["factor_classifier"]), path,
                 f"a {ckpt['size']} px factor classifier of width {ckpt['width']}")
    return model.eval(), {k: ckpt[k] for k in ("size", "preset", "heldout_accuracy")}


# ----------------------------------------------------------------------------------------------
# What each input moves
# ----------------------------------------------------------------------------------------------
def resample(inputs: tuple, which: str, n_codes: int, seed: int) -> tuple:
    """(z, f, b) with one of them drawn afresh (codes: always a *different* value), or with
    ``which='all'`` a fresh, independent draw of all three (the reference: unrelated images)."""
    z, f, b = inputs
    rng = torch.Generator().manual_seed(seed)
    if which == "all":
        return fixed_inputs(len(z), n_codes, z.shape[1], seed)
    if which == "z":
        return torch.randn(z.shape, generator=rng), f, b
    shift = torch.randint(1, n_codes, f.shape, generator=rng)     # never the same code
    return (z, (f + shift) % n_codes, b) if which == "f" else (z, f, (b + shift) % n_codes)


def fixed_inputs(n: int, n_codes: int, z_dim: int = 64, seed: int = 2024) -> tuple:
    """The fixed evaluation inputs: z ~ N(0, I), f and b independent and uniform."""
    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(n, z_dim, generator=rng)
    return z, torch.randint(n_codes, (n,), generator=rng), torch.randint(n_codes, (n,), generator=rng)


@torch.no_grad()
def disentanglement(g, classifier: FactorClassifier, n: int = 512, seed: int = 2024) -> dict:
    """What each input moves, read off the composite by the factor classifier.

    - ``control[input][factor]``: resample z, f or b alone (the others fixed) and count the
      share of images whose predicted factor changed; ``control[input]['mask']`` is 1 - the
      mean IoU of the masks before and after.  ``control['all']`` resamples everything: the
      rates between unrelated images, the ceiling to read the others against.
    - ``purity[code][factor]``: normalised mutual information between the code f (or b) and
      each predicted factor (1: the code fixes the factor; 0: independent).
    """
    n_codes = g.n_codes
    base_inputs = fixed_inputs(n, n_codes, g.z_dim, seed)
    base = train.sample(g, *base_inputs)
    before = predict(classifier, base["image"])
    control = {}
    for i, which in enumerate(("z", "f", "b", "all")):
        out = train.sample(g, *resample(base_inputs, which, n_codes, seed + 1 + i))
        after = predict(classifier, out["image"])
        row = {k: float((before[k] != after[k]).float().mean()) for k in FACTORS}
        row["mask"] = float(1 - metrics.iou(base["mask"], out["mask"]).mean())
        control[which] = row
    purity = {code: {k: metrics.normalized_mutual_information(c.numpy(), before[k].numpy())
                     for k in FACTORS}
              for code, c in (("f", base_inputs[1]), ("b", base_inputs[2]))}
    return {"control": control, "purity": purity}


@torch.no_grad()
def vary(g, which: str, n_rows: int = 4, n_cols: int | None = None, seed: int = 7) -> dict:
    """Figure 6/7 analogs: ``n_rows`` random inputs (z, f, b); along each row the input
    ``which`` takes ``n_cols`` values (the codes 0..N-1, or fresh z samples) while the other two
    stay fixed.  ``g`` should be a ``train.standing_statistics`` copy, so that every image is
    made alone.  Returns the generator's outputs shaped (n_rows, n_cols, C, H, W)."""
    n_codes = g.n_codes
    n_cols = n_cols or n_codes
    z, f, b = fixed_inputs(n_rows, n_codes, g.z_dim, seed)
    z, f, b = (t.repeat_interleave(n_cols, 0) for t in (z, f, b))     # row-major: r * n_cols + c
    cols = torch.arange(n_cols).repeat(n_rows)
    if which == "z":
        z = torch.randn(n_cols, g.z_dim, generator=torch.Generator().manual_seed(seed + 1))[cols]
    elif which in ("f", "b"):
        if n_cols > n_codes:
            raise ValueError(f"only {n_codes} codes to show, asked for {n_cols}")
        f, b = (cols, b) if which == "f" else (f, cols)
    else:
        raise ValueError(f"which must be 'z', 'f' or 'b', got {which!r}")
    out = g(z, f, b)
    return {k: v.reshape(n_rows, n_cols, *v.shape[1:]) for k, v in out.items()}


def command_line() -> argparse.ArgumentParser:
    """The options of ``python -m comgan_lite.factors``, each with its help text."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default="medium", choices=sorted(PRESETS),
                   help="the dataset whose factors the classifier learns to read (default: medium)")
    p.add_argument("--size", type=int, default=32, choices=(32, 64),
                   help="image size in pixels (default: 32)")
    p.add_argument("--steps", type=positive_int, default=8000, help="training steps (default: 8000)")
    p.add_argument("--seed", type=int, default=0, help=COMMON_HELP["seed"] + " (default: 0)")
    p.add_argument("--threads", type=positive_int, default=1, help=COMMON_HELP["threads"] + " (default: 1)")
    p.add_argument("--out", required=True, help="where to write the classifier (.pt; its accuracies go "
                   "beside it as .json)")
    p.add_argument("--run-dir", help="resumable run folder (default: runs/<out's name>)")
    return p


def main(argv=None):
    args = command_line().parse_args(argv)
    torch.set_num_threads(args.threads)
    start = time.time()
    run_dir = args.run_dir or Path("runs") / Path(args.out).stem
    try:
        model, acc = train_classifier(args.preset, args.size, args.steps, seed=args.seed, run_dir=run_dir)
    except CheckpointError as e:
        raise SystemExit(f"error: {e}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_classifier(model, args.preset, acc, out)
    info = {"preset": args.preset, "size": args.size, "steps": args.steps, "seed": args.seed,
            "minutes": round((time.time() - start) / 60, 1),
            "heldout_accuracy": {k: round(v, 4) for k, v in acc.items()}}
    out.with_suffix(".json").write_text(json.dumps(info, indent=1) + "\n")
    print(json.dumps(info))


if __name__ == "__main__":
    main()
