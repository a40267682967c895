"""Mask quality: per-image IoU and Dice at threshold 0.5.

Fixed polarity (foreground = mask 1) is the number we report.  The official code, ReDO and IEM
take the better of the mask and its complement per image; that flatters weak methods, so we
compute it only as a separate, labelled number (``best_of_two=True``).
"""
from __future__ import annotations

import numpy as np
import torch


def _binary(m, threshold: float = 0.5) -> np.ndarray:
    if isinstance(m, torch.Tensor):
        m = m.detach().cpu().numpy()
    m = np.asarray(m)
    if m.ndim == 4:  # (B, 1, H, W) -> (B, H, W)
        m = m[:, 0]
    if m.ndim == 2:
        m = m[None]
    return m > threshold if m.dtype != bool else m


def _scores(pred: np.ndarray, gt: np.ndarray, kind: str) -> np.ndarray:
    inter = (pred & gt).sum(axis=(1, 2)).astype(np.float64)
    if kind == "iou":
        union = (pred | gt).sum(axis=(1, 2))
        return np.where(union > 0, inter / np.maximum(union, 1), 1.0)
    total = pred.sum(axis=(1, 2)) + gt.sum(axis=(1, 2))
    return np.where(total > 0, 2 * inter / np.maximum(total, 1), 1.0)


def iou(pred, gt, best_of_two: bool = False) -> np.ndarray:
    """Per-image IoU |P & G| / |P | G| (1 when both are empty). Returns an array of length B."""
    p, g = _binary(pred), _binary(gt)
    s = _scores(p, g, "iou")
    return np.maximum(s, _scores(~p, g, "iou")) if best_of_two else s


def dice(pred, gt, best_of_two: bool = False) -> np.ndarray:
    """Per-image Dice 2|P & G| / (|P| + |G|) (1 when both are empty)."""
    p, g = _binary(pred), _binary(gt)
    s = _scores(p, g, "dice")
    return np.maximum(s, _scores(~p, g, "dice")) if best_of_two else s


def normalized_mutual_information(a, b) -> float:
    """NMI between two integer labelings (arithmetic-mean normalisation):
    I(A; B) / ((H(A) + H(B)) / 2), in [0, 1]; 1 when one labeling determines the other up to
    renaming, 0 when they are independent.  Used for the purity of DS-ComGAN's codes (f vs the
    true foreground class)."""
    a, b = np.asarray(a).ravel(), np.asarray(b).ravel()
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"need two labelings of the same non-zero length, got {a.shape}, {b.shape}")
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    joint = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(joint, (ai, bi), 1)
    joint /= a.size
    pa, pb = joint.sum(1), joint.sum(0)
    nz = joint > 0
    mi = float((joint[nz] * np.log(joint[nz] / np.outer(pa, pb)[nz])).sum())
    ha, hb = float(-(pa * np.log(pa)).sum()), float(-(pb * np.log(pb)).sum())
    return 0.0 if ha + hb == 0 else max(0.0, mi / ((ha + hb) / 2))


def frechet_distance(a, b) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, D):
    |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)).  On Inception features this is FID;
    we use it on the factor classifier's features, so it is *not* FID and not comparable to
    published FIDs.  tr((S_a S_b)^(1/2)) = sum of sqrt(eig(S_a^(1/2) S_b S_a^(1/2))), which is
    symmetric, so plain eigh suffices."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(f"need two feature sets (N, D) with the same D and N >= 2, got {a.shape}, {b.shape}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(s_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    cross = np.linalg.eigvalsh(root_a @ s_b @ root_a)
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b)
                 - 2 * np.sqrt(np.clip(cross, 0, None)).sum())
