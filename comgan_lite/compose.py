"""Image composition (Assumption 1), the mask gradient (Lemma 1) and trivial-solution diagnostics.

Pure tensor functions: no networks.  Shapes: images (B, 3, H, W) in [-1, 1], masks (B, 1, H, W)
in [0, 1]; a single image without the batch axis works too.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F_

SATURATION = 0.01  # a mask pixel is saturated when m (1 - m) < 0.01, i.e. m < 0.0101 or m > 0.9899
# An image's mask is trivial when it holds (almost) no object or (almost) no scene: mean below
# 0.01 or above 0.99, i.e. fewer than 1 % of the pixels on one side.  The smallest real objects
# cover 6 % of the image on easy, 2.6 % on medium and 1.1 % on hard (1,000 test images at 32 px),
# so no real mask counts as trivial (a 0.05 / 0.95 cut would count 13 % of real medium masks,
# the small objects, as trivial).
TRIVIAL_LOW, TRIVIAL_HIGH = 0.01, 0.99
NEAR_TRIVIAL_LOW, NEAR_TRIVIAL_HIGH = 0.05, 0.95   # 'nearly' trivial: less than the smallest real easy object


def compose(fg: torch.Tensor, bg: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Eq. 1: x = m * x_f + (1 - m) * x_b (the mask broadcasts over colour channels)."""
    return mask * fg + (1 - mask) * bg


def mask_gradient(grad_image: torch.Tensor, fg: torch.Tensor, bg: torch.Tensor) -> torch.Tensor:
    """dL/dm from dL/dx by the chain rule through eq. 1: sum over c of dL/dx_c * (x_f - x_b)_c.

    It vanishes where x_f = x_b (trivial solution T2), whatever the loss says about the image.
    """
    return (grad_image * (fg - bg)).sum(dim=-3, keepdim=True)


def feather(mask: torch.Tensor, softness: float) -> torch.Tensor:
    """Soften a mask's edge with a Gaussian blur of std ``softness`` pixels (0 = unchanged)."""
    if softness <= 0:
        return mask
    squeeze = mask.dim() == 3
    m = mask[None] if squeeze else mask
    radius = max(1, math.ceil(3 * softness))
    t = torch.arange(-radius, radius + 1, dtype=m.dtype)
    k = torch.exp(-0.5 * (t / softness) ** 2)
    k = k / k.sum()
    m = F_.pad(m, (radius, radius, radius, radius), mode="replicate")
    m = F_.conv2d(m, k.view(1, 1, 1, -1))           # blur along x
    m = F_.conv2d(m, k.view(1, 1, -1, 1))           # blur along y
    return m[0] if squeeze else m


def soft_share(mask: torch.Tensor) -> float:
    """Share of mask pixels that are not saturated (m (1 - m) >= 0.01)."""
    return float(((mask * (1 - mask)) >= SATURATION).float().mean())


def trivial_share(mask: torch.Tensor, low: float = TRIVIAL_LOW, high: float = TRIVIAL_HIGH) -> dict[str, float]:
    """Share of images whose mean mask is below 0.01 (all background) or above 0.99 (all
    foreground): trivial solution T1 judged per image, since a batch can mix both kinds and
    still have a batch-mean mask of 0.4.  Other thresholds, e.g. NEAR_TRIVIAL_*, count masks
    that are nearly empty or nearly full."""
    means = mask.flatten(1).mean(1)
    low, high = (means < low).float().mean(), (means > high).float().mean()
    return {"all_background": float(low), "all_foreground": float(high),
            "trivial": float(low + high)}


def layer_difference(fg: torch.Tensor, bg: torch.Tensor) -> float:
    """Mean |x_f - x_b| over pixels and channels: near 0 signals trivial solution T2."""
    return float((fg - bg).abs().mean())


def logit_gradient_stats(grad_mask: torch.Tensor, mask: torch.Tensor) -> dict[str, float]:
    """Where the mask's gradient goes after the sigmoid (Lemma 1: dL/ds = m (1 - m) dL/dm).

    grad_logits: ||dL/ds||.  top1_share: the share of ||dL/ds||^2 carried by the 1 % of pixels
    with the largest |dL/ds| (near 1: a handful of soft pixels carry all of it).  opening_share:
    the share of ||dL/ds||^2 on pixels where a descent step raises m (dL/ds < 0).
    """
    g = (grad_mask * mask * (1 - mask)).flatten()
    sq = g ** 2
    total = float(sq.sum())
    if total == 0:
        return {"grad_logits": 0.0, "top1_share": 0.0, "opening_share": 0.0}
    k = max(1, g.numel() // 100)
    return {"grad_logits": total ** 0.5,
            "top1_share": float(sq.topk(k).values.sum()) / total,
            "opening_share": float(sq[g < 0].sum()) / total}


def logit_gradient_on(region: torch.Tensor, grad_mask: torch.Tensor, mask: torch.Tensor) -> dict[str, float]:
    """Where dL/ds = m (1 - m) dL/dm lies relative to a region (e.g. the object the composite
    shows; same shape as the mask, values 0/1).  area: the region's share of pixels.
    gradient_share: its share of ||dL/ds||^2 (above area: the gradient points at the region).
    opening_share_in / _out: inside / outside it, the share of ||dL/ds||^2 on pixels where a
    descent step raises m (dL/ds < 0).  mask_in / mask_out: the mean mask inside / outside."""
    g = grad_mask * mask * (1 - mask)
    sq, inside, opening = g ** 2, region.bool(), g < 0

    def share(part, whole):
        total = float(sq[whole].sum())
        return float(sq[part & whole].sum()) / total if total > 0 else 0.0
    everywhere = torch.ones_like(inside)
    return {"area": float(inside.float().mean()),
            "gradient_share": share(inside, everywhere),
            "opening_share_in": share(opening, inside),
            "opening_share_out": share(opening, ~inside),
            "mask_in": float(mask[inside].mean()) if inside.any() else 0.0,
            "mask_out": float(mask[~inside].mean()) if (~inside).any() else 0.0}


def diagnostics(fg: torch.Tensor, bg: torch.Tensor, mask: torch.Tensor) -> dict[str, float]:
    """All trivial-solution diagnostics of a batch, as plain floats for logs and tables."""
    return {**trivial_share(mask), "soft_share": soft_share(mask),
            "mask_mean": float(mask.mean()), "layer_difference": layer_difference(fg, bg)}
