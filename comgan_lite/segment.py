"""Stage 2 of DS-ComGAN: a segmenter S learned from a frozen generator (Sec. 3.3, eq. 9-10).

The generator makes pairs (x_bar, m_bar): a composite and the mask it was composed with.  S is
trained on them, and a mask discriminator D_m aligns what S predicts on *real* images with the
distribution of generator masks (method.md 4):

    L_cons = mean | S(x_bar) - m_bar |                                   (L1, eq. 10)
    L_Dm   = BCE(D_m(m_bar), 1) + BCE(D_m(S(x_bar)), 0)
           + BCE(D_m(m_bar), 1) + BCE(D_m(S(x)), 0)                      (eq. 9 as implemented)
    L_S    = lambda * L_cons + BCE(D_m(S(x_bar)), 1) + BCE(D_m(S(x)), 1),  lambda = 2

No ground-truth mask is used.  Two reference modes share the code:
``cons`` (L_cons only, no D_m: what the alignment adds) and ``supervised`` (BCE on the real
images' ground truth: the upper bound).  Two departures from the official code: D_m has no
BatchNorm (measured in appendix A3), and S and D_m step at 1e-3 (we train 1,500 steps, the
official code about 30,000 at 2e-4).

    python -m comgan_lite.segment --generator data/runs/dscomgan-medium-b1-s0 \
        --dataset medium --steps 1500 --out runs/seg/medium

Seeded; a progress bar; a JSON-lines log; atomic checkpoints; the same command resumes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F_

from . import losses, metrics, nets
from .checkpoints import (CHECKPOINT, COMMON_HELP, LOG, CheckpointError, check_same, config_from_dict,  # noqa: F401
                          config_parser, float_state, half_state, load_checkpoint, load_weights,
                          require, resumable_loop, save_atomic, what_file)
from .compose import TRIVIAL_HIGH, TRIVIAL_LOW
from .data import DATA_DIR, TRAINABLE, DatasetError, images_to_tensor, load_arrays
from .folders import FolderDataset, folder_arrays
from .runtime import DEVICES, get_device
from .train import draw_inputs, load_generator, standing_statistics

SEGMENTER = "segmenter.pt"
MODES = ("ds", "cons", "supervised")
GRABCUT_MARGIN = 1 / 8                       # the fixed central rectangle leaves 1/8 per side


@dataclass
class SegConfig:
    mode: str = "ds"             # ds: L_cons + D_m (eq. 9-10) | cons: L_cons only | supervised
    generator: str = ""          # a DS-ComGAN run folder or generator.pt (modes ds and cons)
    dataset: str = "medium"      # real images: a preset, emoji or multi (data.load_arrays)
    data: str = ""               # a folder of your own images instead (folders.FolderDataset)
    size: int = 32
    steps: int = 1500            # S updates (one D_m update each)
    batch_size: int = 32
    lr: float = 1e-3             # Adam (0.5, 0.999) for S and D_m (official 2e-4 for ~30k
                                 # iterations; we train 1,500, notebook 05)
    lambda_cons: float = 2.0     # weight of L_cons (official: 2)
    width: int = 16              # U-Net widths width, 2 width, 4 width (method.md 8.1)
    levels: int = 3
    ndf: int = 32                # D_m width
    dm_batch_norm: bool = False  # BatchNorm in D_m (official: on). Off: D_m judges each of its
                                 # three batches in a separate call, and per-batch statistics
                                 # kept L_cons from falling (appendix A3)
    polarity: str = "auto"       # which side of m_bar is the object: auto | keep | invert
    drop_trivial: bool = False   # skip generated pairs whose mask is all 0 or all 1 (not official)
    augment: bool = False        # flip, crop and colour-jitter the generated pairs (augment_pairs)
    dm_joint_batch: bool = False # D_m judges the mask triplet as one batch (with dm_batch_norm)
    ema: bool = True             # use the generator's EMA weights when it has them
    n_standing: int = 1024       # generator samples for its BatchNorm statistics and the polarity vote
    n_train: int = 10_000        # real training images (train split)
    seed: int = 0
    log_every: int = 50
    checkpoint_every: int = 250
    threads: int = 1
    device: str = "auto"         # auto | cpu | cuda | mps; a checkpoint resumes on any

    ARCHITECTURE = ("size", "width", "levels", "ndf", "dm_batch_norm")
    # the settings with a fixed set of values, and what --help says of every setting
    CHOICES = {"mode": MODES, "dataset": TRAINABLE, "size": (32, 64, 128),
               "polarity": ("auto", "keep", "invert"), "device": DEVICES}
    HELP = {
        "mode": "ds: L_cons + D_m (eq. 9-10); cons: L_cons only; supervised: ground truth",
        "generator": "a DS-ComGAN run folder or generator.pt (modes ds and cons)",
        "dataset": "the real images: a preset, emoji, multi, emoji-seen (its held-out sprites are emoji-unseen, evaluation only) or emoji-noto-openmoji (its unseen style is emoji-fluent, evaluation only)",
        "data": "a folder of your own images instead of --dataset (plain, or the CUB layout, "
                "whose masks are used only to report val_iou on its first 256 images)",
        "size": "image size in pixels (the generator's)",
        **COMMON_HELP, "steps": "S updates (one D_m update each)",
        "lr": "Adam learning rate of S and D_m (official: 2e-4 for ~30k steps)",
        "lambda_cons": "weight of L_cons (official: 2)",
        "width": "U-Net widths: width, 2 width, 4 width, ...", "levels": "U-Net levels",
        "ndf": "D_m width", "dm_batch_norm": "BatchNorm in D_m (official: on; appendix A3)",
        "polarity": "which side of m_bar is the object (auto: a centre-versus-border vote)",
        "drop_trivial": "skip generated pairs whose mask is all 0 or all 1 (not official)",
        "augment": "flip, crop and colour-jitter the generated pairs (not official)",
        "dm_joint_batch": "D_m judges m_bar, S(x_bar) and S(x) as one batch: one set of "
                          "BatchNorm statistics for all three (needs --dm-batch-norm)",
        "ema": "use the generator's EMA weights when it has them",
        "n_standing": "generator samples for its BatchNorm statistics and the polarity vote",
        "n_train": "real training images (train split)"}

    def __post_init__(self):
        require(self, positive=("steps", "batch_size", "lr", "width", "levels", "ndf", "n_standing",
                                "n_train", "log_every", "checkpoint_every", "threads"),
                choices=self.CHOICES,
                within={"lambda_cons": (0.0, float("inf"))})
        if self.dm_joint_batch and not self.dm_batch_norm:
            raise ValueError("--dm-joint-batch changes only how BatchNorm sees the masks: "
                             "add --dm-batch-norm")

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(self.width << i for i in range(self.levels))


# ----------------------------------------------------------------------------------------------
# The frozen generator as a source of pairs
# ----------------------------------------------------------------------------------------------
def generator_file(path: str | Path) -> Path:
    """generator.pt of a run folder (or the file itself); a relative path that does not exist
    from here is read from the repository root, as shipped configs name it."""
    path = Path(path)
    if not path.exists() and not path.is_absolute() and (DATA_DIR.parent / path).exists():
        path = DATA_DIR.parent / path
    return path / "generator.pt" if path.is_dir() else path


def object_is_inverted(masks: torch.Tensor) -> bool:
    """Which side of the generator's masks is the object, decided without labels: the side
    that fills more of the central quarter than of the border (the rule the Otsu and k-means
    baselines use per image, here over a whole sample).  DS-ComGAN may paint the object into
    x_b (notebook 04); then S must learn 1 - m_bar."""
    m = masks[:, 0]
    h, w = m.shape[-2:]
    centre = m[:, h // 4: 3 * h // 4, w // 4: 3 * w // 4].mean()
    border = torch.cat([m[:, 0], m[:, -1], m[:, :, 0], m[:, :, -1]], 1).mean()
    return bool(centre < border)


class PairSource:
    """Fresh (x_bar, m_bar) every call from a frozen generator: no gradients, eval mode with
    standing BatchNorm statistics (``train.standing_statistics``), the mask flipped once and for
    all when the object lives in x_b."""

    def __init__(self, path: str | Path, size: int, polarity: str = "auto", ema: bool = True,
                 device="cpu", seed: int = 0, n_standing: int = 1024):
        self.spec = (str(Path(path)), size, polarity, ema, str(device), seed, n_standing)
        path = generator_file(path)
        ckpt_has_ema = "g_ema" in load_checkpoint(path)
        g, self.cfg = load_generator(path, device, ema=ema and ckpt_has_ema)
        if self.cfg.family != "dscomgan":
            raise CheckpointError(f"{path} is a {self.cfg.family} generator; the segmenter is "
                                  "trained on a DS-ComGAN (train one with --family dscomgan)")
        if self.cfg.size != size:
            raise CheckpointError(f"{path} makes {self.cfg.size} px images, the segmenter is "
                                  f"{size} px; pass --size {self.cfg.size}")
        for p in g.parameters():
            p.requires_grad_(False)
        rng = torch.Generator().manual_seed(10_000 + seed)
        self.g = standing_statistics(g, draw_inputs(self.cfg, n_standing, rng, device),
                                     batch=min(64, n_standing))
        self.device = device
        if polarity not in ("auto", "keep", "invert"):
            raise ValueError("polarity must be auto, keep or invert")
        if polarity == "auto":
            self.inverted = object_is_inverted(self.sample(n_standing, rng, flip=False)[1])
        else:
            self.inverted = polarity == "invert"

    @torch.no_grad()
    def sample(self, n: int, rng: torch.Generator, flip: bool = True, drop_trivial: bool = False,
               augment: bool = False):
        """(x_bar (n, 3, H, W) in [-1, 1], m_bar (n, 1, H, W) in [0, 1], object = 1).
        ``drop_trivial``: draw 1.5 n and keep pairs whose mask is not all 0 or all 1 (mean
        within [0.01, 0.99], notebook 02), first in order; trivial ones fill up a shortfall.
        ``augment``: flipped, cropped and colour-jittered (``augment_pairs``)."""
        k = n + n // 2 if drop_trivial else n
        out = self.g(*draw_inputs(self.cfg, k, rng, self.device))
        x, m = out["image"], out["mask"]
        if drop_trivial:
            area = m.mean((1, 2, 3))
            keep = ((area >= TRIVIAL_LOW) & (area <= TRIVIAL_HIGH)).float()
            order = torch.argsort(-keep, stable=True)[:n]     # non-trivial first, in draw order
            x, m = x[order], m[order]
        m = 1 - m if flip and self.inverted else m
        return augment_pairs(x, m, rng) if augment else (x, m)


def augment_pairs(x: torch.Tensor, m: torch.Tensor, rng: torch.Generator):
    """Random flips, crops and colour changes of generated pairs: x (n, 3, H, W) in [-1, 1]
    and its mask m (n, 1, H, W) get the same horizontal flip and the same crop (a square of
    75-100 % of the side, resized back); x alone gets a colour change (saturation 0.7-1.3,
    contrast 0.8-1.2, brightness +-0.2).  Draws from ``rng`` (a CPU generator)."""
    n = len(x)
    u = lambda: torch.rand(n, generator=rng).to(x.device)            # noqa: E731, one per image
    flip, scale, tx, ty, sat, con, bri = (u() for _ in range(7))
    scale = 0.75 + 0.25 * scale
    theta = torch.zeros(n, 2, 3, device=x.device)
    theta[:, 0, 0] = torch.where(flip < 0.5, -scale, scale)          # a negative x scale flips
    theta[:, 1, 1] = scale
    theta[:, 0, 2], theta[:, 1, 2] = (1 - scale) * (2 * tx - 1), (1 - scale) * (2 * ty - 1)
    grid = F_.affine_grid(theta, list(x.shape), align_corners=False)
    x = F_.grid_sample(x, grid, padding_mode="border", align_corners=False)
    m = F_.grid_sample(m, grid, padding_mode="border", align_corners=False)
    view = (n, 1, 1, 1)
    grey = x.mean(1, keepdim=True)
    x = grey + (x - grey) * (0.7 + 0.6 * sat).view(view)
    mean = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean) * (0.8 + 0.4 * con).view(view) + mean + (0.4 * bri - 0.2).view(view)
    return x.clamp(-1, 1), m


# ----------------------------------------------------------------------------------------------
# Segmenter, prediction and evaluation
# ----------------------------------------------------------------------------------------------
def build(cfg: SegConfig):
    """S (a U-Net, logits out) and D_m (the DCGAN-style D on a 1-channel mask in [-1, 1])."""
    return nets.UNet(cfg.widths), nets.Discriminator(cfg.size, ndf=cfg.ndf, in_ch=1,
                                                     batch_norm=cfg.dm_batch_norm)


def scores(pred, gt) -> dict[str, np.ndarray]:
    """Per-image IoU and Dice at 0.5, fixed polarity, and best-of-two as separate arrays."""
    return {"iou": metrics.iou(pred, gt), "dice": metrics.dice(pred, gt),
            "iou_best_of_two": metrics.iou(pred, gt, best_of_two=True),
            "dice_best_of_two": metrics.dice(pred, gt, best_of_two=True)}


def evaluation_set(dataset: str, size: int = 32, n: int = 1000):
    """The held-out set: the test split (no training of any stage sees it), as
    (images (n, 3, H, W) in [-1, 1], masks (n, H, W) bool, uint8 images (n, H, W, 3))."""
    a = load_arrays(dataset, size, "test", n, progress=False)
    return images_to_tensor(a["image"]), a["mask"], a["image"].transpose(0, 2, 3, 1).copy()


def segment_folder(s: nets.UNet, folder: str | Path, size: int | None = None, limit: int = 64,
                   allow_missing_masks: bool = False) -> dict:
    """Segment the images of a folder (``folders.FolderDataset``: a plain folder, or the CUB layout
    with ground truth) at the size the segmenter was trained at (its config, set by
    ``load_segmenter``); ``size``, if given, must agree.  Returns images (N, 3, H, W), soft masks
    (N, 1, H, W), the ground-truth masks (N, 1, H, W) or None, and the file paths; at most
    ``limit`` images, sorted by path."""
    trained = getattr(getattr(s, "config", None), "size", None)
    if trained is not None and size is not None and size != trained:
        raise ValueError(f"size={size} disagrees with the segmenter, trained at {trained} px; "
                         "leave size out (the segmenter's own size is used)")
    if trained is None and size is None:
        raise ValueError("this segmenter has no config (load it with segment.load_segmenter), "
                         "so pass the size it was trained at: size=32 or 64")
    ds = FolderDataset(folder, trained or size, allow_missing_masks=allow_missing_masks)
    items = [ds[i] for i in range(min(limit, len(ds)))]
    images = torch.stack([it["image"] for it in items])
    gt = torch.stack([it["mask"] for it in items]) if all("mask" in it for it in items) else None
    return {"image": images, "mask": s.predict(images), "truth": gt,
            "paths": [it["path"] for it in items]}


def teacher_quality(pairs: PairSource, judge: nets.UNet, n: int = 512, seed: int = 2024) -> dict:
    """How good the generator's labels are: on n fresh pairs, the IoU between m_bar (object side,
    thresholded at 0.5) and what ``judge`` (the supervised U-Net of the same dataset) sees in
    x_bar, and the share of pairs whose mask is all 0 or all 1."""
    x, m = pairs.sample(n, torch.Generator().manual_seed(seed))
    area = m.mean((1, 2, 3))
    return {"faithfulness": float(metrics.iou(m, judge.predict(x)).mean()),
            "trivial": float(((area < TRIVIAL_LOW) | (area > TRIVIAL_HIGH)).float().mean())}


# ----------------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------------
def segment_step(s, d, opt_s, opt_d, x, x_bar, m_bar, cfg: SegConfig) -> tuple[dict, dict]:
    """One D_m update (eq. 9, mode ds only), then one S update on lambda * L_cons (eq. 10) plus,
    in mode ds, S's adversarial loss (eq. 9).  x: real images; (x_bar, m_bar): generated pairs.
    Returns the losses (floats) and the tensors to draw."""
    s_bar = torch.sigmoid(s(x_bar))                     # S(sg x_bar)
    loss_cons = losses.consistency_loss(s_bar, m_bar)
    loss_s = cfg.lambda_cons * loss_cons
    row = {"loss_cons": loss_cons.item()}
    s_x = torch.sigmoid(s(x)) if cfg.mode == "ds" else None
    if cfg.mode == "ds":
        loss_d, seen = losses.mask_discriminator_loss(d, m_bar, s_bar.detach(), s_x.detach(),
                                                      joint=cfg.dm_joint_batch)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        loss_adv = losses.segmenter_adversarial_loss(d, s_bar, s_x, m_bar, joint=cfg.dm_joint_batch)
        loss_s = loss_s + loss_adv
        row.update(loss_d=loss_d.item(), loss_adv=loss_adv.item(), **seen)
    opt_s.zero_grad(set_to_none=True)
    loss_s.backward()
    opt_s.step()
    return row, {"x_bar": x_bar, "m_bar": m_bar, "s_bar": s_bar.detach(), "x": x,
                 "s_x": None if s_x is None else s_x.detach()}


def supervised_step(s, opt_s, x, m) -> tuple[dict, dict]:
    """The reference: one S update on BCE against the real images' ground truth m."""
    logits = s(x)
    loss = F_.binary_cross_entropy_with_logits(logits, m)
    opt_s.zero_grad(set_to_none=True)
    loss.backward()
    opt_s.step()
    return {"loss_bce": loss.item()}, {"x": x, "s_x": torch.sigmoid(logits).detach(), "m_x": m}


def pair_source(cfg: SegConfig, device, given: PairSource | None = None) -> PairSource | None:
    """The generator's pairs for ``cfg`` (None in mode supervised): ``given`` when it was built
    exactly as ``cfg`` asks, a new PairSource when none is given."""
    wanted = (str(Path(cfg.generator)), cfg.size, cfg.polarity, cfg.ema, str(device), cfg.seed, cfg.n_standing)
    if given is not None and (cfg.mode == "supervised" or given.spec != wanted):
        raise ValueError(f"the pairs given were built as {given.spec}, the config asks for {wanted}; "
                         "leave pairs out and train builds its own")
    if given is None and cfg.mode != "supervised":
        return PairSource(*wanted)
    return given


def train(cfg: SegConfig, out: str | Path, progress: bool = True, stop_after: int | None = None,
          on_log=None, force: bool = False, pairs: PairSource | None = None) -> Path:
    """Train (or resume) S into folder ``out``; writes ``segmenter.pt`` when done.
    ``on_log(row, batch)`` is called with each logged row and a dict of tensors to draw
    (x_bar, m_bar, S(x_bar), x, S(x)).  ``pairs``: a PairSource already built exactly as ``cfg``
    asks (a notebook reuses its own and saves the generator's warm-up).  Returns the log's path."""
    if cfg.mode != "supervised" and not cfg.generator:
        raise ValueError(f"mode {cfg.mode} needs --generator (a DS-ComGAN run folder)")
    out = Path(out)
    torch.set_num_threads(cfg.threads)
    device = get_device(cfg.device)
    torch.manual_seed(cfg.seed)
    rng = torch.Generator().manual_seed(cfg.seed)
    s, d = build(cfg)
    s, d = s.to(device), d.to(device)
    opt_s = torch.optim.Adam(s.parameters(), cfg.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), cfg.lr, betas=(0.5, 0.999))
    real = (folder_arrays(cfg.data, cfg.size, cfg.n_train, progress) if cfg.data
            else load_arrays(cfg.dataset, cfg.size, "train", cfg.n_train, progress=progress))
    real_x = images_to_tensor(real["image"])
    if cfg.mode == "supervised" and real["mask"] is None:
        raise DatasetError(f"--mode supervised learns from masks, and {cfg.data} has none; give "
                           "it a segmentations/ folder (the CUB layout), or use --mode ds")
    real_m = None if real["mask"] is None else torch.from_numpy(real["mask"]).float()[:, None]
    val = (folder_arrays(cfg.data, cfg.size, 256, progress=False) if cfg.data
           else load_arrays(cfg.dataset, cfg.size, "val", 256, progress=False))
    val_x, val_m = images_to_tensor(val["image"]).to(device), val["mask"]
    pairs = pair_source(cfg, device, pairs)

    def one_step(step: int):
        idx = torch.randint(len(real_x), (cfg.batch_size,), generator=rng)
        x = real_x[idx].to(device)
        if cfg.mode == "supervised":
            flip = bool(torch.rand(1, generator=rng) < 0.5)
            xm = real_m[idx].to(device)
            row, shown = supervised_step(s, opt_s, *((x.flip(3), xm.flip(3)) if flip else (x, xm)))
        else:
            x_bar, m_bar = pairs.sample(cfg.batch_size, rng, True, cfg.drop_trivial, cfg.augment)
            row, shown = segment_step(s, d, opt_s, opt_d, x, x_bar, m_bar, cfg)
        if (step + 1) % cfg.log_every == 0 or step + 1 == cfg.steps:
            if shown["s_x"] is None:                        # mode cons: S never saw x
                shown["s_x"] = s.predict(x)
            return {"step": step + 1, **row,
                    "val_iou": float("nan") if val_m is None else float(metrics.iou(s.predict(val_x), val_m).mean()),
                    "area_x": float((shown["s_x"] > 0.5).float().mean())}, shown

    def check(ckpt: dict, path: Path):
        check_same(ckpt["config"], cfg, None, path)

    s.train(), d.train()
    step = resumable_loop(out, cfg, {"s": s, "d": d, "opt_s": opt_s, "opt_d": opt_d}, rng, one_step,
                          steps=cfg.steps, checkpoint_every=cfg.checkpoint_every,
                          desc=f"S {cfg.mode} {cfg.data or cfg.dataset}", progress=progress,
                          stop_after=stop_after, check=check, on_log=on_log, shown=("val_iou",),
                          force=force)
    if step >= cfg.steps:
        export_segmenter(s, cfg, out / SEGMENTER,
                         inverted=None if pairs is None else pairs.inverted)
    print(f"{out}: step {step}/{cfg.steps}")
    return out / LOG


def export_segmenter(s: nets.UNet, cfg: SegConfig, path: Path, inverted: bool | None = None) -> None:
    """The shipped form: fp16 state dict + config (+ whether the generator's mask was flipped)."""
    save_atomic({"s": half_state(s), "config": asdict(cfg), "inverted": inverted}, path)


def load_segmenter(path: str | Path, device=None) -> tuple[nets.UNet, SegConfig]:
    """Load a shipped segmenter (a file or a run folder), with errors that say what to do."""
    path = Path(path)
    if path.is_dir():
        path = path / SEGMENTER
    if not path.exists():
        raise CheckpointError(f"no segmenter at {path}; train one with python -m comgan_lite.segment "
                              "(an unfinished run has checkpoint.pt but no segmenter.pt: run its "
                              "command again to finish it)")
    ckpt = load_checkpoint(path)
    if "s" not in ckpt or "config" not in ckpt:
        raise CheckpointError(f"{path} is {what_file(ckpt)}, not a comgan-lite segmenter file; "
                              "segmenters are written by python -m comgan_lite.segment")
    cfg = config_from_dict(SegConfig, ckpt["config"])
    s = nets.UNet(cfg.widths)
    load_weights(s, float_state(ckpt["s"]), path, f"a U-Net of widths {cfg.widths}")
    s.config = cfg                                      # segment_folder reads its image size
    return s.to(device or get_device()).eval(), cfg


def main(argv=None):
    parser = config_parser(SegConfig, __doc__, "run folder (checkpoint, log, segmenter.pt)")
    a = vars(parser.parse_args(argv))
    out, progress, force = a.pop("out"), not a.pop("no_progress"), a.pop("force")
    try:
        cfg = SegConfig(**a)
        get_device(cfg.device)                          # a device this machine lacks: refused
        if cfg.data:
            FolderDataset(cfg.data, cfg.size)           # a wrong folder: refused, nothing written
    except ValueError as e:
        parser.error(str(e))                            # one line, exit status 2, nothing written
    try:
        train(cfg, out, progress=progress, force=force)
    except (CheckpointError, DatasetError, ValueError) as e:
        raise SystemExit(f"error: {e}")
    except KeyboardInterrupt:
        raise SystemExit(130)


if __name__ == "__main__":
    main()
