"""Train a compositional GAN (ComGAN, Pi1, Pi2 or DS-ComGAN): eq. 3 + beta * L_binary (eq. 11).

    python -m comgan_lite.train --family comgan --preset easy --size 32 --beta 0.1 \
        --steps 4000 --seed 0 --out runs/comgan-easy-32

Read ``gan_step`` first: one discriminator update, then one generator update.  Everything else
here is bookkeeping around it: building the networks, drawing batches, logging what Lemma 1 says
to watch (``MaskProbe``), exporting the generator.  Seeded; a progress bar; a JSON-lines log;
checkpoints written atomically; run the same command again to resume (``checkpoints``).
"""
from __future__ import annotations

import copy
from functools import partial
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F_

from . import compose, distributed, losses, nets
from .checkpoints import (CHECKPOINT, COMMON_HELP, LOG, CheckpointError, check_same, config_parser,  # noqa: F401
                          float_state, half_state, load_checkpoint, load_weights, require,
                          resumable_loop, save_atomic, what_file)
from .checkpoints import config_from_dict as _config_from_dict
from .data import TRAINABLE, images_to_tensor, load_arrays
from .folders import FolderDataset, folder_arrays
from .runtime import DEVICES, autocast, get_device

FAMILY_CHOICES = (*nets.FAMILIES, "dscomgan")


@dataclass
class TrainConfig:
    family: str = "comgan"          # comgan | pi1 | pi2 | dscomgan
    preset: str = "easy"            # dataset: a preset (easy/medium/hard), emoji or multi
    data: str = ""                  # a folder of your own images instead (folders.FolderDataset)
    size: int = 32                  # 32, 64 or 128 px
    beta: float = 0.1               # weight of the binary regulariser (eq. 11)
    steps: int = 4000               # generator updates (one D update each, 1:1)
    batch_size: int = 32
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    width: int | None = None        # trunk width at 4x4 (None: nets.CONFIGS default)
    head_width: int | None = None   # F/B/M head width (None: default); Corollary 1 ablation
    n_res: int | None = None        # residual blocks in F and B (None: default)
    n_res_mask: int | None = None   # residual blocks in M (None: default); deep-M ablation
    ndf: int = 32                   # discriminator width
    mask_init_logit: float = 0.0    # != 0: M's last conv gets a bias starting here (-8: start at T1)
    # DS-ComGAN only (family "dscomgan", method.md 3)
    n_codes: int = 8                # N: values of the codes f and b
    tie_codes: bool = False         # b = f, as the official code does (the paper: independent)
    info: bool = True               # L_info (eq. 8): D_f / D_b posteriors, trained with G
    lambda_info: float = 1.0
    global_features: bool = True    # x_z shown to D and multi-scale phi (Table 2)
    ema: float = 0.0                # > 0: also keep an exponential moving average of G's
                                    # parameters, theta_avg <- ema*theta_avg + (1-ema)*theta
                                    # (the official code: 0.999; method.md 3.4)
    spectral_norm: bool = False
    n_train: int = 10_000           # real images (procedural train split)
    seed: int = 0
    log_every: int = 50
    snapshot_every: int = 500
    keep_every: int = 0             # > 0: also export the generator every K steps to gens/
    checkpoint_every: int = 250
    threads: int = 1                # torch threads for this process
    device: str = "auto"            # auto | cpu | cuda | mps; a checkpoint resumes on any
    amp: bool = False               # bf16 autocast of the forward passes (cuda, cpu)

    # what must match for a checkpoint to be resumed
    ARCHITECTURE = ("family", "size", "width", "head_width", "n_res", "n_res_mask",
                    "mask_init_logit", "ndf", "spectral_norm", "n_codes", "info",
                    "global_features")


    # the settings with a fixed set of values, and what --help says of every setting
    CHOICES = {"family": FAMILY_CHOICES, "preset": TRAINABLE, "size": tuple(nets.CONFIGS), "device": DEVICES}
    HELP = {
        "family": "which generator to train (dscomgan: DS-ComGAN, with codes f and b)",
        "preset": "the real images: a procedural preset, emoji, multi, emoji-seen (34 of the 44 sprites; emoji-unseen holds the other 10 for evaluation only) or emoji-noto-openmoji (two art styles; emoji-fluent holds a third for evaluation only)",
        "data": "a folder of your own images to train on instead of --preset: a plain folder, "
                "or the CUB layout (images/, segmentations/: masks only for evaluation); "
                "the first --n-train images are used",
        "size": "image size in pixels",
        "beta": "weight of the binary regulariser L_binary (eq. 11)",
        "steps": "generator updates (one D update each); raise it to extend a run",
        **COMMON_HELP, "lr_g": "Adam learning rate of G",
        "lr_d": "Adam learning rate of D",
        "width": "trunk width at 4x4 (default: nets.CONFIGS for --size)",
        "head_width": "F/B/M head width (default: nets.CONFIGS); Corollary 1 ablation",
        "n_res": "residual blocks in F and B (default: nets.CONFIGS)",
        "n_res_mask": "residual blocks in M (default: nets.CONFIGS); deep-M ablation",
        "ndf": "discriminator width",
        "mask_init_logit": "if not 0, M's last conv gets a bias starting here (-8: start at T1)",
        "n_codes": "DS-ComGAN: N, the values of the codes f and b",
        "tie_codes": "DS-ComGAN: b = f, as the official code does (the paper: independent)",
        "info": "DS-ComGAN: L_info (eq. 8), the D_f / D_b posteriors trained with G",
        "lambda_info": "DS-ComGAN: weight of L_info",
        "global_features": "DS-ComGAN: x_z shown to D and multi-scale phi (Table 2)",
        "ema": "if > 0, also keep an EMA of G's parameters with this decay (official: 0.999)",
        "spectral_norm": "spectral normalisation in D",
        "n_train": "real training images (procedural train split)",
        "snapshot_every": "steps between snapshot PNGs",
        "keep_every": "if > 0, also export the generator every K steps to gens/"}

    # what older runs saved for "default" (config.json and checkpoints keep them)
    LEGACY_DEFAULTS = {"width": 0, "head_width": 0, "n_res": -1, "n_res_mask": -1}

    def __post_init__(self):
        for k, old in self.LEGACY_DEFAULTS.items():
            if getattr(self, k) == old:
                setattr(self, k, None)
        require(self, positive=("steps", "batch_size", "lr_g", "lr_d", "ndf", "n_train",
                                "log_every", "snapshot_every", "checkpoint_every", "threads"),
                choices=self.CHOICES,
                within={"ema": (0.0, 1.0), "beta": (0.0, float("inf")), "keep_every": (0, 2**31),
                        "n_codes": (2, 1025)})
        for name in ("width", "head_width", "n_res", "n_res_mask"):
            value = getattr(self, name)
            if value is not None and (value < 0 or value == 0 and "width" in name):
                raise ValueError(f"--{name.replace('_', '-')} must be positive, not {value!r}")


Z_DIM = 64


def config_from_dict(saved: dict) -> TrainConfig:
    """A TrainConfig from a saved one (checkpoint or config.json)."""
    return _config_from_dict(TrainConfig, saved)


def build(cfg: TrainConfig):
    """The generator and the image discriminator D (D_z for DS-ComGAN)."""
    arch = dict(width=cfg.width, head_width=cfg.head_width, n_res=cfg.n_res, n_res_mask=cfg.n_res_mask)
    if cfg.family == "dscomgan":
        g = nets.make_ds_generator(cfg.size, n_codes=cfg.n_codes,
                                   global_features=cfg.global_features, **arch)
    else:
        g = nets.make_generator(cfg.family, cfg.size, **arch)
    if cfg.mask_init_logit:
        nets.add_mask_bias(g, cfg.mask_init_logit)
    d = nets.Discriminator(cfg.size, ndf=cfg.ndf, spectral_norm=cfg.spectral_norm)
    return g, d


def build_posteriors(cfg: TrainConfig) -> torch.nn.ModuleDict | None:
    """DS-ComGAN's D_f and D_b (eq. 8): N-way classifiers of the code from the raw x_f / x_b,
    separate networks (method.md 3.3); None when there is no L_info."""
    if cfg.family != "dscomgan" or not cfg.info:
        return None
    return torch.nn.ModuleDict({k: nets.Discriminator(cfg.size, ndf=2 * cfg.ndf, n_classes=cfg.n_codes)
                                for k in ("f", "b")})


def draw_inputs(cfg: TrainConfig, n: int, rng: torch.Generator, device="cpu") -> tuple:
    """One batch of generator inputs: (z,), or for DS-ComGAN (z, f, b) with f uniform over the
    N codes and b = f (tie_codes) or drawn independently (method.md 3.2)."""
    z = torch.randn(n, Z_DIM, generator=rng).to(device)
    if cfg.family != "dscomgan":
        return (z,)
    f = torch.randint(cfg.n_codes, (n,), generator=rng).to(device)
    b = f if cfg.tie_codes else torch.randint(cfg.n_codes, (n,), generator=rng).to(device)
    return z, f, b


# ----------------------------------------------------------------------------------------------
# One training step
# ----------------------------------------------------------------------------------------------
def gan_step(g, d, opt_g, opt_d, real, inputs, cfg, posteriors=None, probe=None):
    """One D update, then one G update.  Returns the losses (floats) and G's output.

    D: real -> 1, composite -> 0 (eq. 3); DS-ComGAN's D_z also calls x_z fake (eq. 7).
    G: -log D(x_bar) + beta * L_binary(m) (eq. 3, 11); DS-ComGAN adds -log D(x_z) (eq. 7) and
    lambda * L_info (eq. 8).  ``probe`` (a MaskProbe, on logging steps) reads dL/dm on the way.
    With ``cfg.amp`` the forward passes run in bf16 (autocast); the backward passes do not."""
    with autocast(real.device, cfg.amp):
        fake = g(*inputs)                               # image, mask, fg, bg (+ x_z)
        if "x_z" in fake:
            loss_d = losses.ds_discriminator_loss(d, real, fake["image"].detach(), fake["x_z"].detach())
        else:
            loss_d = losses.discriminator_loss(d, real, fake["image"].detach())
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()

    with autocast(real.device, cfg.amp):
        terms = {"loss_g_adv": losses.generator_loss(d, fake["image"]),
                 "loss_binary": losses.binary_entropy(fake["mask"].float())}
        loss = terms["loss_g_adv"] + cfg.beta * terms["loss_binary"]
        if "x_z" in fake:
            terms["loss_g_adv_z"] = losses.generator_loss(d, fake["x_z"])
            loss = loss + terms["loss_g_adv_z"]
        accuracies = {}
        if posteriors is not None:
            terms["loss_info"], accuracies = losses.info_loss(posteriors, fake, *inputs[1:])
            loss = loss + cfg.lambda_info * terms["loss_info"]
    if probe is not None:
        probe.watch(fake, terms["loss_g_adv"])          # before backward: the graph is needed
    opt_g.zero_grad(set_to_none=True)
    loss.backward()
    row = {"loss_d": loss_d.item(), **{k: v.item() for k, v in terms.items()}, **accuracies}
    if probe is not None:
        row.update(probe.read())                        # after backward, before the update
    opt_g.step()
    return row, fake


class MaskProbe:
    """What Lemma 1 says to watch, measured on logging steps: the adversarial part of dL/dm and
    its logit statistics, the whole dL/dm, g_M = ||dL/dtheta_M|| over the mask parameters, the
    cosine between g_M's direction now and at the previous log, and the trivial-solution
    diagnostics of the batch.  Its state (the last direction) lives in checkpoints."""

    def __init__(self, mask_params):
        self.params, self.previous = mask_params, None

    def watch(self, fake: dict, loss_adv: torch.Tensor) -> None:
        self.fake, mask = fake, fake["mask"]
        mask.retain_grad()
        self.adv_dm = torch.autograd.grad(loss_adv, mask, retain_graph=True)[0]
        mask.grad = None  # retain_grad also caught that pass: start clean

    def read(self) -> dict:
        mask, fg, bg = (self.fake[k].detach() for k in ("mask", "fg", "bg"))
        return {"grad_mask_params": grad_norm(self.params),
                "grad_mask_pixels": float(self.fake["mask"].grad.norm()),
                "grad_mask_pixels_adv": float(self.adv_dm.norm()),
                **compose.logit_gradient_stats(self.adv_dm, mask),
                "grad_mask_cosine": self._cosine_to_previous(),
                **compose.diagnostics(fg, bg, mask)}

    def _cosine_to_previous(self) -> float:
        """Near 0: the gradient points somewhere new every time (notebook 02's trap)."""
        now = torch.cat([p.grad.detach().flatten() for p in self.params if p.grad is not None])
        before, self.previous = self.previous, now
        if before is None or before.shape != now.shape:
            return float("nan")
        return float(F_.cosine_similarity(now, before, dim=0))

    def state_dict(self):
        return self.previous

    def load_state_dict(self, previous) -> None:
        self.previous = previous


def grad_norm(params) -> float:
    return float(torch.sqrt(sum((p.grad.detach() ** 2).sum() for p in params if p.grad is not None)))


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------
def check_resumable(cfg: TrainConfig, ckpt: dict, path: Path) -> None:
    """Refuse to resume a checkpoint trained with other settings (only steps and the intervals
    may change), or one without the EMA ``cfg`` keeps."""
    if cfg.ema > 0 and "g_ema" not in ckpt:
        raise CheckpointError(f"{path} was trained without --ema; resume it without "
                              "--ema, or use another --out folder.")
    check_same(asdict(config_from_dict(ckpt["config"])), cfg, None, path)


def build_training(cfg: TrainConfig, device: torch.device, layout=torch.contiguous_format) -> dict:
    """G and D (and DS-ComGAN's D_f / D_b), their Adam optimisers, the EMA copy and the mask
    probe, on ``device``: everything a checkpoint holds but the random generator."""
    torch.manual_seed(cfg.seed)  # parameter initialisation
    g, d = build(cfg)
    posteriors = build_posteriors(cfg)
    g.to(device, memory_format=layout), d.to(device, memory_format=layout)
    g_params = list(g.parameters())
    if posteriors is not None:  # D_f and D_b are trained by the generator's optimiser
        posteriors.to(device)
        g_params += list(posteriors.parameters())
    g_ema = copy.deepcopy(g) if cfg.ema > 0 else None  # parameters averaged, buffers unused
    return {"g": g, "d": d, "opt_g": torch.optim.Adam(g_params, cfg.lr_g, betas=(0.5, 0.999)),
            "opt_d": torch.optim.Adam(d.parameters(), cfg.lr_d, betas=(0.5, 0.999)),
            "grad_mask_previous": MaskProbe(nets.get_mask_parameters(g)),
            **({"posteriors": posteriors} if posteriors is not None else {}),
            **({"g_ema": g_ema} if g_ema is not None else {})}


def train(cfg: TrainConfig, out: str | Path, progress: bool = True, stop_after: int | None = None,
          on_log=None, force: bool = False):
    """Train (or resume) into folder ``out``.  ``stop_after`` ends early after that many steps of
    this call (tests use it to simulate an interruption).  ``on_log(row, batch)`` is called with
    every logged row and that step's generator output (detached), e.g. for a live plot.
    ``force``: train over a folder that holds a finished run.  Returns the path of the log."""
    out = Path(out)
    torch.set_num_threads(cfg.threads)
    device = distributed.start(get_device(cfg.device))   # this rank's device under torchrun
    rank, world = distributed.rank_and_world()
    layout = torch.channels_last if device.type == "cuda" else torch.contiguous_format
    parts = build_training(cfg, device, layout)
    g, d, opt_g, opt_d, probe = (parts[k] for k in ("g", "d", "opt_g", "opt_d", "grad_mask_previous"))
    posteriors, g_ema = parts.get("posteriors"), parts.get("g_ema")
    rng = torch.Generator().manual_seed(cfg.seed)  # data order and z: saved in checkpoints
    g_step, d_step = distributed.wrap(g, device), distributed.wrap(d, device)   # DDP, or as they are
    post_step = posteriors if posteriors is None else torch.nn.ModuleDict(
        {k: distributed.wrap(m, device, unused=True) for k, m in posteriors.items()})
    distributed.say_global_batch(cfg.batch_size, device)

    # the same real images for every seed (data seed 0): seeds vary the model, not the data
    real_all = images_to_tensor(folder_arrays(cfg.data, cfg.size, cfg.n_train, progress)["image"] if cfg.data
                                else load_arrays(cfg.preset, cfg.size, "train", cfg.n_train,
                                                 seed=0, progress=progress)["image"])
    fixed_inputs = draw_inputs(cfg, 64, torch.Generator().manual_seed(1234), device)

    def one_step(step: int):
        # every rank draws the same global batch and trains on its share (distributed.py)
        idx = distributed.my_share(torch.randint(len(real_all), (world * cfg.batch_size,), generator=rng))
        real = real_all[idx].to(device).contiguous(memory_format=layout)
        inputs = tuple(map(distributed.my_share, draw_inputs(cfg, world * cfg.batch_size, rng, device)))
        logging = (step + 1) % cfg.log_every == 0 or step == 0
        row, fake = gan_step(g_step, d_step, opt_g, opt_d, real, inputs, cfg, post_step,
                             probe if logging else None)
        if g_ema is not None and rank == 0:
            update_ema(g_ema, g, cfg.ema)
        if logging:
            return {"step": step + 1, **row}, {k: v.detach() for k, v in fake.items()}

    def after_step(step: int):
        if step % cfg.snapshot_every == 0 or step == cfg.steps:
            save_snapshot(g, fixed_inputs, out / "snapshots" / f"step{step:06d}.png")
        if cfg.keep_every and step % cfg.keep_every == 0:
            export_generator(g, cfg, out / "gens" / f"step{step:05d}.pt", g_ema)

    step = resumable_loop(out, cfg, parts, rng, one_step, steps=cfg.steps,
                          checkpoint_every=cfg.checkpoint_every, desc=f"{cfg.family} {cfg.data or cfg.preset}",
                          progress=progress, stop_after=stop_after, check=partial(check_resumable, cfg),
                          after_step=after_step, on_log=on_log, shown=("trivial", "soft_share"), force=force,
                          main=rank == 0)
    if not distributed.ranks_agree(g, d):
        raise RuntimeError(f"the {world} ranks ended with different weights; please report this")
    if rank > 0:
        return out / LOG
    if step >= cfg.steps:
        export_generator(g, cfg, out / "generator.pt", g_ema)
    print(f"{out}: step {step}/{cfg.steps}" + (f" (the {world} ranks hold identical weights)" if world > 1 else ""))
    return out / LOG


def seconds_per_step(cfg: TrainConfig, steps: int = 3, device=None) -> float:
    """Seconds one training step (a D and a G update at ``cfg.batch_size``) takes on ``device``,
    averaged over ``steps`` steps after two warm-up steps, on random images: what a run costs
    before you start it (bench/throughput.py prints a table of them)."""
    import time
    device = get_device(device or cfg.device)
    layout = torch.channels_last if device.type == "cuda" else torch.contiguous_format
    parts = build_training(cfg, device, layout)
    real = (torch.rand(cfg.batch_size, 3, cfg.size, cfg.size, device=device) * 2 - 1).contiguous(memory_format=layout)
    rng = torch.Generator().manual_seed(0)
    sync = {"cuda": torch.cuda.synchronize, "mps": torch.mps.synchronize}.get(device.type, lambda: None)
    for i in range(steps + 2):
        if i == 2:
            sync()
            start = time.perf_counter()
        gan_step(parts["g"], parts["d"], parts["opt_g"], parts["opt_d"], real,
                 draw_inputs(cfg, cfg.batch_size, rng, device), cfg, parts.get("posteriors"))
    sync()
    return (time.perf_counter() - start) / steps


# ----------------------------------------------------------------------------------------------
# Sampling, the parameter average, the shipped generator
# ----------------------------------------------------------------------------------------------
@torch.no_grad()
def sample(g, *inputs: torch.Tensor) -> dict:
    """Generate from (z,) or (z, f, b) with BatchNorm in training mode (batch statistics), the
    mode G trains in."""
    was_training = g.training
    g.train()
    out = g(*inputs)
    g.train(was_training)
    return {k: v.detach() for k, v in out.items()}


@torch.no_grad()
def standing_statistics(g, inputs: tuple, batch: int = 64):
    """A copy of ``g`` in eval mode whose BatchNorm statistics are the averages of the batch
    statistics over ``inputs`` (BigGAN's "standing statistics").  It then makes one image at a
    time (a widget) the way ``sample`` makes it inside a large batch."""
    g = copy.deepcopy(g)
    bns = [m for m in g.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None                     # cumulative average over the batches below
    g.train()
    n = len(inputs[0])
    for i in range(0, n - batch + 1, batch):
        g(*(t[i:i + batch] for t in inputs))
    return g.eval()


@torch.no_grad()
def update_ema(g_ema, g, decay: float) -> None:
    """theta_avg <- decay * theta_avg + (1 - decay) * theta over parameters only; BatchNorm
    buffers are copied, not averaged (the official code's EMA, method.md 3.4)."""
    for p_avg, p in zip(g_ema.parameters(), g.parameters()):
        p_avg.lerp_(p, 1 - decay)
    for b_avg, b in zip(g_ema.buffers(), g.buffers()):
        b_avg.copy_(b)


def export_generator(g, cfg: TrainConfig, path: Path, g_ema=None) -> None:
    """The shipped form: fp16 generator state dict (and its EMA, if kept) + config (small; load
    with load_generator)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    state = {"g": half_state(g), "config": asdict(cfg)}
    if g_ema is not None:
        state["g_ema"] = half_state(g_ema)
    save_atomic(state, path)


def load_generator(path: str | Path, device=None, ema: bool = False):
    """Load a shipped generator (fp16 state dict -> fp32 model). Returns (generator, config).
    ``ema=True`` loads the parameter average instead of the last parameters."""
    path = Path(path)
    ckpt = load_checkpoint(path)
    if not ("g" in ckpt or "g_ema" in ckpt) or "config" not in ckpt:
        raise CheckpointError(f"{path} is {what_file(ckpt)}, not a comgan-lite generator file")
    if ema and "g_ema" not in ckpt:
        raise CheckpointError(f"{path} holds no EMA generator (it was trained without --ema); "
                              "load it with ema=False")
    if not ema and "g" not in ckpt:
        raise CheckpointError(f"{path} ships only its generator's parameter average (EMA), to keep "
                              "the repository small; load it with ema=True")
    cfg = config_from_dict(ckpt["config"])
    g, _ = build(cfg)
    load_weights(g, float_state(ckpt["g_ema" if ema else "g"]), path,
                 f"the {cfg.family} architecture it names")
    return g.to(device or get_device()), cfg


def save_snapshot(g, inputs: tuple, path: Path) -> None:
    """A grid of composites, masks, foregrounds and backgrounds for 8 fixed inputs (PNG)."""
    import os

    import numpy as np
    from PIL import Image
    out = sample(g, *inputs)
    rows = []
    for key in ("image", "mask", "fg", "bg"):
        t = out[key][:8].cpu()
        t = t.repeat(1, 3, 1, 1) * 2 - 1 if key == "mask" else t
        rows.append(torch.cat(list(t), dim=2))
    grid = ((torch.cat(rows, dim=1).clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.png")
    Image.fromarray(np.ascontiguousarray(grid.numpy())).save(tmp)
    os.replace(tmp, path)


def main(argv=None):
    parser = config_parser(TrainConfig, __doc__, "run folder (checkpoint, log, snapshots)")
    args = vars(parser.parse_args(argv))
    out, progress, force = args.pop("out"), not args.pop("no_progress"), args.pop("force")
    try:
        cfg = TrainConfig(**args)
        autocast(get_device(cfg.device), cfg.amp)       # a device this machine lacks: refused
        if cfg.data:
            FolderDataset(cfg.data, cfg.size)           # a wrong folder: refused, nothing written
    except ValueError as e:
        parser.error(str(e))                            # one line, exit status 2, nothing written
    try:
        train(cfg, out, progress=progress, force=force)
    except (CheckpointError, ValueError) as e:
        raise SystemExit(f"error: {e}")
    except KeyboardInterrupt:
        raise SystemExit(130)
    finally:
        distributed.stop()


if __name__ == "__main__":
    main()
