"""Every loss of the paper, each a short function named after what it is.

Stage 1, the compositional GAN (``train.gan_step``):
    discriminator_loss       D's side of the GAN loss                        eq. 3
    generator_loss           G's side, non-saturating                        eq. 3
    ds_discriminator_loss    DS-ComGAN's D_z: composite and x_z are fake     eq. 7
    info_loss                L_info: the codes f, b read back from x_f, x_b  eq. 8
    binary_entropy           L_binary, weighted by beta in the G loss        eq. 11
Stage 2, the segmenter (``segment.segment_step``):
    mask_discriminator_loss  D_m on the triplet of masks                     eq. 9
    segmenter_adversarial_loss  S's side of eq. 9
    consistency_loss         L_cons = mean |S(x_bar) - m_bar|                eq. 10

D's outputs are logits; every GAN term is binary cross-entropy on logits (method.md 7.1).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F_


def bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    """Binary cross-entropy of logits against a constant target (1: real, 0: fake)."""
    return F_.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


# ----------------------------------------------------------------------------------------------
# Stage 1: the compositional GAN
# ----------------------------------------------------------------------------------------------
def discriminator_loss(d, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """D's side of eq. 3: -log D(x) - log(1 - D(x_bar)), real -> 1, composite -> 0.
    Pass the composite detached: this loss trains D only."""
    d_real, d_fake = d(real), d(fake)
    return F_.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + \
        F_.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))


def generator_loss(d, fake: torch.Tensor) -> torch.Tensor:
    """G's side of eq. 3 in its non-saturating form, -log D(x_bar) (method.md 7.1): the
    composite should be judged real."""
    d_fake = d(fake)
    return F_.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))


def ds_discriminator_loss(d, real: torch.Tensor, fake: torch.Tensor, x_z: torch.Tensor) -> torch.Tensor:
    """DS-ComGAN's D_z (eq. 7): the composite x_bar and the auxiliary image x_z, drawn from z
    alone, are both fake.  G's side is ``generator_loss`` on each."""
    return discriminator_loss(d, real, fake) + discriminator_loss(d, real, x_z)


def info_loss(posteriors, fake: dict, f: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """L_info (eq. 8) as implemented (method.md 3.3): CE(D_f(x_f), f) + CE(D_b(x_b), b), the
    codes read back from the raw layers by separate classifiers; with the posteriors'
    accuracies for the log."""
    logits_f = posteriors["f"](fake["fg"], classes=True)[1]   # (B, N)
    logits_b = posteriors["b"](fake["bg"], classes=True)[1]
    loss = F_.cross_entropy(logits_f, f) + F_.cross_entropy(logits_b, b)
    acc = {"info_acc_f": float((logits_f.argmax(1) == f).float().mean()),
           "info_acc_b": float((logits_b.argmax(1) == b).float().mean())}
    return loss, acc


def binary_entropy(mask: torch.Tensor, eps: float = 1e-6, reduce: bool = True) -> torch.Tensor:
    """L_binary: mean over pixels of -m log2 m - (1 - m) log2(1 - m) (eq. 11, weighted by beta).

    The mask is clamped to [eps, 1 - eps]: the official copy has no epsilon and gives NaN on an
    exactly saturated sigmoid.  It is smallest (0) at m = 0 or 1, so it pushes masks to saturate.
    ``reduce=False`` returns the per-pixel entropies.
    """
    m = mask.clamp(eps, 1 - eps)
    h = -(m * torch.log2(m) + (1 - m) * torch.log2(1 - m))
    return h.mean() if reduce else h


def binary_entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """The same entropy computed from the mask logits s (m = sigmoid(s)), stable everywhere."""
    m = torch.sigmoid(logits)
    # H(m) in nats = softplus(s) - m * s; divide by ln 2 for bits.
    return ((F_.softplus(logits) - m * logits) / math.log(2)).mean()


# ----------------------------------------------------------------------------------------------
# Stage 2: the segmenter
# ----------------------------------------------------------------------------------------------
def as_d_input(masks: torch.Tensor) -> torch.Tensor:
    """Masks in [0, 1] -> [-1, 1], the range D_m's first layer was initialised for."""
    return masks * 2 - 1


def mask_discriminator_loss(d, m_bar: torch.Tensor, s_bar: torch.Tensor,
                            s_x: torch.Tensor, joint: bool = False) -> tuple[torch.Tensor, dict]:
    """D_m's side of eq. 9 on the triplet of masks: the generator's mask m_bar is real, S's
    predictions on the composite, S(x_bar), and on a real image, S(x), are fake (as
    implemented: m_bar counted once against each).  Pass the predictions detached.
    ``joint``: D_m judges the three as one batch (one set of BatchNorm statistics for all
    three, so BatchNorm cannot tell them apart by their batch alone).  Also returns D_m's mean
    verdicts for the log."""
    d_real, d_fake_bar, d_fake_x = judge_masks(d, (m_bar, s_bar, s_x), joint)
    loss = 2 * bce(d_real, 1.0) + bce(d_fake_bar, 0.0) + bce(d_fake_x, 0.0)
    seen = {"d_real": float(torch.sigmoid(d_real.detach()).mean()),
            "d_fake_x": float(torch.sigmoid(d_fake_x.detach()).mean())}
    return loss, seen


def segmenter_adversarial_loss(d, s_bar: torch.Tensor, s_x: torch.Tensor,
                               m_bar: torch.Tensor | None = None, joint: bool = False) -> torch.Tensor:
    """S's side of eq. 9: both its predictions should pass for generator masks.  ``joint``
    (with ``m_bar``): judged in one batch with the generator's masks, as D_m was trained."""
    if joint:
        _, d_bar, d_x = judge_masks(d, (m_bar, s_bar, s_x), joint=True)
    else:
        d_bar, d_x = d(as_d_input(s_bar)), d(as_d_input(s_x))
    return bce(d_bar, 1.0) + bce(d_x, 1.0)


def judge_masks(d, masks: tuple[torch.Tensor, ...], joint: bool) -> tuple[torch.Tensor, ...]:
    """D_m's logits for each batch of masks: one call per batch, or (``joint``) one call on
    all of them concatenated, split back."""
    if not joint:
        return tuple(d(as_d_input(m)) for m in masks)
    return torch.split(d(as_d_input(torch.cat(masks))), [len(m) for m in masks])


def consistency_loss(s_bar: torch.Tensor, m_bar: torch.Tensor) -> torch.Tensor:
    """L_cons (eq. 10, L1): S's prediction on a composite should be the mask it was composed
    with, mean |S(x_bar) - m_bar|."""
    return (s_bar - m_bar).abs().mean()
