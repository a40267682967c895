"""Where the adversarial mask gradient of a trapped run lies (notebook 02's T1-start runs)."""
from __future__ import annotations

from pathlib import Path

import torch

from comgan_lite import compose, evaluate, losses, train
from comgan_lite.checkpoints import CHECKPOINT, CheckpointError, load_checkpoint


def gradient_by_region(checkpoint: str | Path, n: int = 256) -> dict:
    """Where the adversarial logit gradient dL/ds (Lemma 1) of a training checkpoint lies: on
    the object the oracle sees in each composite of the fixed evaluation batch, or off it
    (``compose.logit_gradient_on``), with ``compose.logit_gradient_stats`` beside it.  Needs
    the full checkpoint (G and D), not a shipped generator."""
    ckpt = load_checkpoint(checkpoint)
    if "d" not in ckpt:
        raise CheckpointError(f"{checkpoint} holds no discriminator: pass a training "
                              f"checkpoint ({CHECKPOINT}), not an exported generator.")
    cfg = train.config_from_dict(ckpt["config"])
    g, d = train.build(cfg)
    g.load_state_dict(ckpt["g"]), d.load_state_dict(ckpt["d"])
    g.train(), d.train()                      # the modes of a G step in training
    out = g(*evaluate.evaluation_inputs(g, n))
    grad = torch.autograd.grad(losses.generator_loss(d, out["image"]), out["mask"])[0]
    with torch.no_grad():
        on_object = evaluate.oracle_model(cfg.size).predict(out["image"]) > 0.5   # (n, 1, H, W)
    mask = out["mask"].detach()
    return {"step": int(ckpt["step"]), **compose.logit_gradient_on(on_object, grad, mask),
            **compose.logit_gradient_stats(grad, mask), "mask_mean": float(mask.mean())}
