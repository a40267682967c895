"""Classical segmenters that need no training: GrabCut, Otsu and k-means colour clustering.

Each takes images as uint8 arrays (N, H, W, 3) or one (H, W, 3) and returns boolean masks
(N, H, W).  They are the floor a learned, unsupervised segmenter has to beat.
"""
from __future__ import annotations

import cv2
import numpy as np


def _batch(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[None]
    if images.dtype != np.uint8:
        raise TypeError("baselines expect uint8 images (N, H, W, 3); "
                        "convert with np.round(x * 255).astype(np.uint8)")
    return images


def grabcut(images: np.ndarray, margin: float = 1 / 8, iterations: int = 5) -> np.ndarray:
    """GrabCut initialised with a fixed central rectangle that leaves ``margin`` of the side on
    each border (published tables do not say their rectangle; we report ours)."""
    images = _batch(images)
    n, h, w, _ = images.shape
    mx, my = max(1, int(round(w * margin))), max(1, int(round(h * margin)))
    rect = (mx, my, w - 2 * mx, h - 2 * my)
    out = np.zeros((n, h, w), bool)
    for i, img in enumerate(images):
        mask = np.zeros((h, w), np.uint8)
        bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        bgr = np.ascontiguousarray(img[..., ::-1])
        try:
            cv2.grabCut(bgr, mask, rect, bgd, fgd, iterations, cv2.GC_INIT_WITH_RECT)
        except cv2.error:  # a flat image has no colour model: call everything background
            continue
        out[i] = (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
    return out


def _centre_is_foreground(masks: np.ndarray) -> np.ndarray:
    """Fix polarity without labels: the class covering more of the central quarter is object."""
    n, h, w = masks.shape
    centre = masks[:, h // 4: 3 * h // 4, w // 4: 3 * w // 4].mean(axis=(1, 2))
    border = np.concatenate([masks[:, 0], masks[:, -1], masks[:, :, 0], masks[:, :, -1]], 1).mean(1)
    flip = centre < border
    masks[flip] = ~masks[flip]
    return masks


def otsu(images: np.ndarray) -> np.ndarray:
    """Otsu's threshold on the gray image; the side that fills more of the centre is object."""
    images = _batch(images)
    out = np.empty(images.shape[:3], bool)
    for i, img in enumerate(images):
        gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        _, th = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        out[i] = th > 0
    return _centre_is_foreground(out)


def kmeans(images: np.ndarray, k: int = 2, seed: int = 0) -> np.ndarray:
    """k-means on pixel colours (k=2); the cluster that fills more of the centre is object."""
    images = _batch(images)
    out = np.empty(images.shape[:3], bool)
    cv2.setRNGSeed(seed)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    for i, img in enumerate(images):
        pixels = img.reshape(-1, 3).astype(np.float32)
        _, labels, _ = cv2.kmeans(pixels, k, None, criteria, 3, cv2.KMEANS_PP_CENTERS)
        out[i] = labels.reshape(img.shape[:2]) == 1
    return _centre_is_foreground(out)
