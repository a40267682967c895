"""Train a compositional GAN (ComGAN, Pi1 or Pi2): adversarial loss + beta * L_binary (eq. 11).

    python -m comgan_lite.train --family comgan --preset easy --size 32 --beta 0.1 \
        --steps 4000 --seed 0 --out runs/comgan-easy-32

Seeded; a progress bar; a JSON-lines metrics log; checkpoints written atomically every
``checkpoint_every`` steps and on Ctrl-C / kill.  Run the same command again to resume: the
result is the same as an uninterrupted run (all random state lives in the checkpoint).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import signal
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import torch
import torch.nn.functional as F_

from . import compose, nets
from .data import images_to_tensor, load_arrays
from .losses import binary_entropy
from .runtime import get_device

CHECKPOINT = "checkpoint.pt"
LOG = "metrics.jsonl"


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used; the message says what to do."""


@dataclass
class TrainConfig:
    family: str = "comgan"          # comgan | pi1 | pi2
    preset: str = "easy"            # dataset: a preset (easy/medium/hard), emoji or multi
    size: int = 32                  # 32 or 64 px
    beta: float = 0.1               # weight of the binary regulariser (eq. 11)
    steps: int = 4000               # generator updates (one D update each, 1:1)
    batch_size: int = 32
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    width: int = 0                  # trunk width at 4x4 (0: nets.CONFIGS default)
    head_width: int = 0             # F/B/M head width (0: default); Corollary 1 ablation
    n_res: int = -1                 # residual blocks in F and B (-1: default)
    n_res_mask: int = -1            # residual blocks in M (-1: default); deep-M ablation
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
    keep_every: int = 0             # > 0: also export the generator every K steps to gens/ (the
                                    # milestones runs.evaluate_milestones scores; not shipped)
    checkpoint_every: int = 250
    threads: int = 1                # torch threads for this process

    # what must match for a checkpoint to be resumed
    ARCHITECTURE = ("family", "size", "width", "head_width", "n_res", "n_res_mask",
                    "mask_init_logit", "ndf", "spectral_norm", "n_codes", "info",
                    "global_features")


Z_DIM = 64


def build(cfg: TrainConfig):
    """The generator and the image discriminator D (D_z for DS-ComGAN)."""
    arch = dict(width=cfg.width or None, head_width=cfg.head_width or None,
                n_res=None if cfg.n_res < 0 else cfg.n_res,
                n_res_mask=None if cfg.n_res_mask < 0 else cfg.n_res_mask)
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


def info_loss(posteriors, fake: dict, f: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """L_info as implemented (method.md 3.3): CE(D_f(x_f), f) + CE(D_b(x_b), b), and the
    posteriors' accuracies for the log."""
    logits_f = posteriors["f"](fake["fg"], classes=True)[1]   # (B, N)
    logits_b = posteriors["b"](fake["bg"], classes=True)[1]
    loss = F_.cross_entropy(logits_f, f) + F_.cross_entropy(logits_b, b)
    acc = {"info_acc_f": float((logits_f.argmax(1) == f).float().mean()),
           "info_acc_b": float((logits_b.argmax(1) == b).float().mean())}
    return loss, acc


def save_atomic(obj, path: str | Path) -> None:
    """torch.save to a temporary file, then rename: a reader never sees a half-written file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path) -> dict:
    """Load a checkpoint safely (weights_only=True), with errors that say what to do."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no checkpoint at {path}; train one with python -m comgan_lite.train")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # truncated, corrupt, or not a checkpoint at all
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(e).__name__}: {e}). "
                              "Delete it to start afresh, or restore it from data/.") from e


def check_architecture(saved: dict, cfg: TrainConfig, path: Path) -> None:
    saved = {k: saved.get(k, getattr(TrainConfig, k)) for k in TrainConfig.ARCHITECTURE}
    diff = {k: (saved[k], getattr(cfg, k)) for k in TrainConfig.ARCHITECTURE
            if saved[k] != getattr(cfg, k)}
    if diff:
        said = ", ".join(f"{k}: checkpoint {a!r} vs requested {b!r}" for k, (a, b) in diff.items())
        raise CheckpointError(f"{path} was trained with another architecture ({said}). Use "
                              "another --out folder, or the checkpoint's own settings.")


def generator_loss(d, fake):
    """G's side of the GAN loss: the non-saturating -log D(x_bar) (method.md 7.1), BCE on
    logits with target 1."""
    d_fake = d(fake)
    return F_.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))


def discriminator_loss(d, real, fake):
    """D's side of the GAN loss (eq. 3, BCE on logits): real -> 1, composite -> 0 (G's side:
    ``generator_loss``)."""
    d_real, d_fake = d(real), d(fake)
    return F_.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + \
        F_.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))


def _cosine_to_previous(params, previous: dict) -> float:
    """Cosine between the mask parameters' gradient now and at the previous logged step (kept in
    ``previous``): near 0 means the gradient points somewhere new every time (notebook 02's trap)."""
    now = torch.cat([p.grad.detach().flatten() for p in params if p.grad is not None])
    before, previous["grad"] = previous.get("grad"), now
    if before is None or before.shape != now.shape:
        return float("nan")
    return float(F_.cosine_similarity(now, before, dim=0))


def grad_norm(params) -> float:
    return float(torch.sqrt(sum((p.grad.detach() ** 2).sum() for p in params if p.grad is not None)))


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


def train(cfg: TrainConfig, out: str | Path, progress: bool = True, stop_after: int | None = None,
          on_log=None):
    """Train (or resume) into folder ``out``.  ``stop_after`` ends early after that many steps of
    this call (tests use it to simulate an interruption).  ``on_log(row, batch)`` is called with
    every logged row and that step's generator output (detached), e.g. for a live plot.
    Returns the path of the log."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(cfg.threads)
    device = get_device()
    torch.manual_seed(cfg.seed)  # parameter initialisation
    g, d = build(cfg)
    posteriors = build_posteriors(cfg)
    g.to(device), d.to(device)
    g_params = list(g.parameters())
    if posteriors is not None:  # D_f and D_b are trained by the generator's optimiser
        posteriors.to(device)
        g_params += list(posteriors.parameters())
    opt_g = torch.optim.Adam(g_params, cfg.lr_g, betas=(0.5, 0.999))
    g_ema = copy.deepcopy(g) if cfg.ema > 0 else None  # parameters averaged, buffers unused
    opt_d = torch.optim.Adam(d.parameters(), cfg.lr_d, betas=(0.5, 0.999))
    rng = torch.Generator().manual_seed(cfg.seed)  # data order and z: saved in checkpoints
    step, minutes_before = 0, 0.0  # minutes spent in earlier calls of a resumed run
    previous: dict = {}  # the last logged mask-parameter gradient, for grad_mask_cosine
    ckpt_path = out / CHECKPOINT
    if ckpt_path.exists():
        ckpt = load_checkpoint(ckpt_path)
        check_architecture(ckpt["config"], cfg, ckpt_path)
        g.load_state_dict(ckpt["g"]), d.load_state_dict(ckpt["d"])
        if posteriors is not None:
            posteriors.load_state_dict(ckpt["posteriors"])
        if g_ema is not None:
            if "g_ema" not in ckpt:
                raise CheckpointError(f"{ckpt_path} was trained without --ema; resume it without "
                                      "--ema, or use another --out folder.")
            g_ema.load_state_dict(ckpt["g_ema"])
        opt_g.load_state_dict(ckpt["opt_g"]), opt_d.load_state_dict(ckpt["opt_d"])
        rng.set_state(ckpt["rng"])
        step = int(ckpt["step"])
        if "grad_mask_previous" in ckpt:
            previous["grad"] = ckpt["grad_mask_previous"]
        minutes_before = float(ckpt.get("minutes", 0.0))
        _truncate_log(out / LOG, step)
        print(f"resuming {out} at step {step}")
    (out / "config.json").write_text(json.dumps(asdict(cfg), indent=1))

    # the same real images for every seed (data seed 0): seeds vary the model, not the data
    real_all = images_to_tensor(load_arrays(cfg.preset, cfg.size, "train", cfg.n_train,
                                            seed=0, progress=progress)["image"])
    fixed_inputs = draw_inputs(cfg, 64, torch.Generator().manual_seed(1234), device)
    mask_params = nets.get_mask_parameters(g)

    stop = {"now": False}

    def _request_stop(signum, frame):
        stop["now"] = True
    old_handler = signal.signal(signal.SIGTERM, _request_stop) if _main_thread() else None

    def checkpoint():
        state = {"g": g.state_dict(), "d": d.state_dict(), "opt_g": opt_g.state_dict(),
                 "opt_d": opt_d.state_dict(), "rng": rng.get_state(), "step": step,
                 "minutes": minutes_before + (time.time() - start) / 60, "config": asdict(cfg)}
        if posteriors is not None:
            state["posteriors"] = posteriors.state_dict()
        if g_ema is not None:
            state["g_ema"] = g_ema.state_dict()
        if "grad" in previous:  # so that a resumed run logs the same grad_mask_cosine
            state["grad_mask_previous"] = previous["grad"]
        save_atomic(state, ckpt_path)

    from tqdm.auto import tqdm
    bar = tqdm(total=cfg.steps, initial=step, disable=not progress, desc=f"{cfg.family} {cfg.preset}")
    start, start_step = time.time(), step
    done_this_call = 0
    try:
        with open(out / LOG, "a") as log:
            while step < cfg.steps and not stop["now"]:
                idx = torch.randint(len(real_all), (cfg.batch_size,), generator=rng)
                real = real_all[idx].to(device)
                inputs = draw_inputs(cfg, cfg.batch_size, rng, device)

                # -- discriminator step: real -> 1, composite (and x_z) -> 0 ----------------
                fake = g(*inputs)
                loss_d = discriminator_loss(d, real, fake["image"].detach())
                if "x_z" in fake:  # DS-ComGAN: D_z also judges the auxiliary image (eq. 7)
                    loss_d = loss_d + discriminator_loss(d, real, fake["x_z"].detach())
                opt_d.zero_grad(set_to_none=True)
                loss_d.backward()
                opt_d.step()

                # -- generator step: -log D(x_bar) + beta * L_binary(m) --------------------
                mask = fake["mask"]
                mask.retain_grad()
                loss_adv = generator_loss(d, fake["image"])
                loss_bin = binary_entropy(mask)
                loss = loss_adv + cfg.beta * loss_bin
                extra = {}
                if "x_z" in fake:
                    extra["loss_g_adv_z"] = generator_loss(d, fake["x_z"])
                    loss = loss + extra["loss_g_adv_z"]
                if posteriors is not None:
                    extra["loss_info"], accuracies = info_loss(posteriors, fake, *inputs[1:])
                    loss = loss + cfg.lambda_info * extra["loss_info"]
                logging = (step + 1) % cfg.log_every == 0 or step == 0
                if logging:  # the adversarial part of dL/dm alone (Lemma 1)
                    adv_dm = torch.autograd.grad(loss_adv, mask, retain_graph=True)[0]
                    mask.grad = None  # retain_grad also caught that pass: start clean
                opt_g.zero_grad(set_to_none=True)
                loss.backward()
                if logging:
                    row = {"step": step + 1, "loss_d": loss_d.item(), "loss_g_adv": loss_adv.item(),
                           "loss_binary": loss_bin.item(),
                           "grad_mask_params": grad_norm(mask_params),
                           "grad_mask_pixels": float(mask.grad.norm()),
                           "grad_mask_pixels_adv": float(adv_dm.norm()),
                           **compose.logit_gradient_stats(adv_dm, mask.detach()),
                           "grad_mask_cosine": _cosine_to_previous(mask_params, previous),
                           **compose.diagnostics(fake["fg"].detach(), fake["bg"].detach(),
                                                 mask.detach()),
                           **{k: v.item() for k, v in extra.items()},
                           **(accuracies if posteriors is not None else {}),
                           "minutes": minutes_before + (time.time() - start) / 60}
                    log.write(json.dumps(row) + "\n")
                    log.flush()
                    bar.set_postfix(trivial=f"{row['trivial']:.2f}", soft=f"{row['soft_share']:.2f}")
                    if on_log is not None:
                        on_log(row, {k: v.detach() for k, v in fake.items()})
                opt_g.step()
                if g_ema is not None:
                    update_ema(g_ema, g, cfg.ema)
                step += 1
                done_this_call += 1
                bar.update(1)
                if step % cfg.snapshot_every == 0 or step == cfg.steps:
                    save_snapshot(g, fixed_inputs, out / "snapshots" / f"step{step:06d}.png")
                if cfg.keep_every and step % cfg.keep_every == 0:
                    export_generator(g, cfg, out / "gens" / f"step{step:05d}.pt", g_ema)
                if step % cfg.checkpoint_every == 0:
                    checkpoint()
                if stop_after is not None and done_this_call >= stop_after:
                    break
    except KeyboardInterrupt:
        print(f"\ninterrupted at step {step}; checkpoint saved, run the same command to resume")
    finally:
        bar.close()
        checkpoint()
        if old_handler is not None:
            signal.signal(signal.SIGTERM, old_handler)
    if step >= cfg.steps:
        export_generator(g, cfg, out / "generator.pt", g_ema)
    minutes = (time.time() - start) / 60
    print(f"{out}: step {step}/{cfg.steps}, {step - start_step} steps in {minutes:.1f} min")
    return out / LOG


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


def _truncate_log(path: Path, step: int) -> None:
    """Drop log rows written after the checkpoint we resume from (they will be redone)."""
    if not path.exists():
        return
    rows = [line for line in path.read_text().splitlines()
            if line.strip() and json.loads(line)["step"] <= step]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(r + "\n" for r in rows))
    os.replace(tmp, path)


def half_state(module: torch.nn.Module) -> dict:
    """A state dict with floating tensors in fp16: the small form we ship."""
    return {k: (v.half() if v.is_floating_point() else v) for k, v in module.state_dict().items()}


def float_state(state: dict) -> dict:
    """The inverse of half_state: floating tensors back to fp32."""
    return {k: (v.float() if v.is_floating_point() else v) for k, v in state.items()}


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


def config_from_dict(saved: dict) -> TrainConfig:
    """A TrainConfig from a saved one (checkpoint or config.json), ignoring keys this version
    no longer knows."""
    known = {f.name for f in fields(TrainConfig)}
    return TrainConfig(**{k: v for k, v in saved.items() if k in known})


def load_generator(path: str | Path, device=None, ema: bool = False):
    """Load a shipped generator (fp16 state dict -> fp32 model). Returns (generator, config).
    ``ema=True`` loads the parameter average instead of the last parameters."""
    path = Path(path)
    ckpt = load_checkpoint(path)
    if "g" not in ckpt or "config" not in ckpt:
        raise CheckpointError(f"{path} is not a comgan-lite generator file (keys: {sorted(ckpt)})")
    if ema and "g_ema" not in ckpt:
        raise CheckpointError(f"{path} holds no EMA generator (it was trained without --ema); "
                              "load it with ema=False")
    cfg = config_from_dict(ckpt["config"])
    g, _ = build(cfg)
    try:
        g.load_state_dict(float_state(ckpt["g_ema" if ema else "g"]))
    except RuntimeError as e:
        raise CheckpointError(f"{path} does not fit the {cfg.family} architecture it names: {e}") from e
    return g.to(device or get_device()), cfg


def save_snapshot(g, inputs: tuple, path: Path) -> None:
    """A grid of composites, masks, foregrounds and backgrounds for 8 fixed inputs (PNG)."""
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


def config_parser(config_class, description: str, out_help: str) -> argparse.ArgumentParser:
    """A command line with one option per field of a config dataclass (``--no-NAME`` for
    booleans that default to on), plus ``--out`` and ``--no-progress``."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in fields(config_class):
        flag = f.name.replace("_", "-")
        if f.type in ("bool", bool) and f.default:   # on by default: --no-NAME turns it off
            p.add_argument(f"--no-{flag}", dest=f.name, action="store_false")
        elif f.type in ("bool", bool):
            p.add_argument(f"--{flag}", action="store_true", default=f.default)
        else:
            kind = {"int": int, "float": float, "str": str}.get(str(f.type), type(f.default))
            p.add_argument(f"--{flag}", type=kind, default=f.default)
    p.add_argument("--out", required=True, help=out_help)
    p.add_argument("--no-progress", action="store_true")
    return p


def main(argv=None):
    args = vars(config_parser(TrainConfig, __doc__, "run folder (checkpoint, log, snapshots)").parse_args(argv))
    out, progress = args.pop("out"), not args.pop("no_progress")
    try:
        train(TrainConfig(**args), out, progress=progress)
    except CheckpointError as e:
        raise SystemExit(f"error: {e}")


if __name__ == "__main__":
    main()
