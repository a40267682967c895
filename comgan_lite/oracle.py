"""The oracle: a U-Net trained once, *supervised*, on the procedural data's ground-truth masks.

It is a measuring instrument, not part of any method.  Shown a generator's composite, it says
where the object is; the generator's own mask should agree (mask faithfulness).

    python -m comgan_lite.oracle --size 32 --out data/oracle/oracle-32px.pt
    python -m comgan_lite.oracle --size 64 --steps 3000 --out data/oracle/oracle-64px.pt
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F_

from . import metrics
from .data import PRESETS, ShapesDataset, images_to_tensor
from .nets import UNet
from .checkpoints import (COMMON_HELP, CheckpointError, float_state, half_state, load_checkpoint,
                          load_weights, positive_int, save_atomic, train_to_the_end, what_file)

WIDTHS = {32: (16, 32, 64, 128), 64: (16, 32, 64, 128, 256),   # 0.54 M and 2.2 M parameters
          128: (16, 32, 64, 128, 256)}                         # none shipped at 128 px


def load_split(size: int, split: str, n: int, presets=tuple(PRESETS)):
    """Images (N, 3, H, W) in [-1, 1] and masks (N, 1, H, W) of several presets, concatenated."""
    xs, ms = [], []
    for preset in presets:
        a = ShapesDataset(preset, size, split, n).arrays()
        xs.append(images_to_tensor(a["image"]))
        ms.append(torch.from_numpy(a["mask"]).float()[:, None])
    return torch.cat(xs), torch.cat(ms)


@dataclass
class OracleConfig:
    size: int = 32
    steps: int = 3000
    batch_size: int = 64
    n_train: int = 10_000
    seed: int = 0


def train_oracle(size: int = 32, steps: int = 3000, batch_size: int = 64, n_train: int = 10_000,
                 seed: int = 0, progress: bool = True, run_dir=None) -> tuple[UNet, dict]:
    """Supervised training on easy + medium + hard (flips as augmentation), resumable from
    ``run_dir`` (the shared loop of ``checkpoints``).  Returns the model and its held-out IoU
    per preset (test split, 1,000 images each)."""
    cfg = OracleConfig(size, steps, batch_size, n_train, seed)
    torch.manual_seed(seed)
    rng = torch.Generator().manual_seed(seed)
    x, m = load_split(size, "train", n_train)
    model = UNet(WIDTHS[size])
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    model.train()

    def one_step(step: int):
        idx = torch.randint(len(x), (batch_size,), generator=rng)
        xb, mb = x[idx], m[idx]
        if torch.rand(1, generator=rng) < 0.5:
            xb, mb = xb.flip(3), mb.flip(3)
        loss = F_.binary_cross_entropy_with_logits(model(xb), mb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if (step + 1) % 100 == 0:
            return {"step": step + 1, "loss": loss.item()}, None

    train_to_the_end(run_dir, cfg, {"model": model, "opt": opt, "sched": sched}, rng, one_step, steps,
                     f"oracle {size}px", progress)
    return model, evaluate(model, size)


def evaluate(model: UNet, size: int, n: int = 1000) -> dict:
    """Held-out IoU (fixed polarity, threshold 0.5) per preset on the test split."""
    out = {}
    for preset in PRESETS:
        x, m = load_split(size, "test", n, (preset,))
        out[preset] = float(metrics.iou(model.predict(x), m).mean())
    return out


def save_oracle(model: UNet, size: int, scores: dict, path: Path) -> None:
    save_atomic({"oracle": half_state(model), "size": size, "widths": list(WIDTHS[size]),
                 "heldout_iou": scores}, path)


def load_oracle(path: str | Path) -> tuple[UNet, dict]:
    """Load a shipped oracle (fp16 -> fp32, eval mode).  Returns (model, info)."""
    path = Path(path)
    ckpt = load_checkpoint(path)
    if "oracle" not in ckpt:
        raise CheckpointError(f"{path} is {what_file(ckpt)}, not an oracle file; "
                              "train one with python -m comgan_lite.oracle")
    widths = tuple(ckpt.get("widths", WIDTHS.get(ckpt.get("size"), ())))
    model = UNet(widths)
    load_weights(model, float_state(ckpt["oracle"]), path, f"a U-Net of widths {widths}")
    return model.eval(), {"size": ckpt["size"], "heldout_iou": ckpt["heldout_iou"]}


@torch.no_grad()
def faithfulness(oracle: UNet, composites: torch.Tensor, masks: torch.Tensor,
                 real_area: float) -> dict:
    """Mask faithfulness of a generator: does its mask outline the object its composite shows?

    - iou: mean per-image IoU between the generator's mask (> 0.5) and the oracle's prediction
      on the composite, fixed polarity;
    - iou_best_of_two: the same with the better of mask and inverted mask per image (labelled
      separately: it forgives a generator that put the object in its *background* layer);
    - oracle_area / real_area: the gate.  The number only means something when the composites
      look like data, e.g. the oracle finds about as much object as in real images.
    """
    seen = oracle.predict(composites) > 0.5
    return {"iou": float(metrics.iou(masks, seen).mean()),
            "iou_best_of_two": float(metrics.iou(masks, seen, best_of_two=True).mean()),
            "oracle_area": float(seen.float().mean()), "real_area": real_area}


def command_line() -> argparse.ArgumentParser:
    """The options of ``python -m comgan_lite.oracle``, each with its help text."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, default=32, choices=sorted(WIDTHS),
                   help="image size in pixels the oracle reads (default: 32)")
    p.add_argument("--steps", type=positive_int, default=3000, help="training steps (default: 3000)")
    p.add_argument("--seed", type=int, default=0, help=COMMON_HELP["seed"] + " (default: 0)")
    p.add_argument("--threads", type=positive_int, default=1, help=COMMON_HELP["threads"] + " (default: 1)")
    p.add_argument("--out", required=True, help="where to write the oracle, e.g. data/oracle/oracle-32px.pt "
                   "(its scores go beside it as .json)")
    p.add_argument("--run-dir", help="resumable run folder (default: runs/<out's name>)")
    return p


def main(argv=None):
    args = command_line().parse_args(argv)
    torch.set_num_threads(args.threads)
    start = time.time()
    run_dir = args.run_dir or Path("runs") / Path(args.out).stem
    try:
        model, scores = train_oracle(args.size, args.steps, seed=args.seed, run_dir=run_dir)
    except CheckpointError as e:
        raise SystemExit(f"error: {e}")
    minutes = (time.time() - start) / 60
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_oracle(model, args.size, scores, out)
    info = {"size": args.size, "steps": args.steps, "seed": args.seed, "minutes": round(minutes, 1),
            "heldout_iou": {k: round(v, 4) for k, v in scores.items()}}
    out.with_suffix(".json").write_text(json.dumps(info, indent=1) + "\n")
    print(json.dumps(info))
    if min(scores.values()) < 0.9:
        print("warning: held-out IoU below 0.9 on some preset; train longer before shipping")


if __name__ == "__main__":
    main()
