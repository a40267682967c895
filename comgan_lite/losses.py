"""Losses.  So far: the binary regulariser of eq. 11 (pixel-wise binary entropy, from CGN)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F_


def binary_entropy(mask: torch.Tensor, eps: float = 1e-6, reduce: bool = True) -> torch.Tensor:
    """L_binary: mean over pixels of -m log2 m - (1 - m) log2(1 - m) (eq. 11).

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
