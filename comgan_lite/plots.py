"""Figures used across the notebooks (matplotlib only)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from .data import to_numpy_image


def as_picture(x) -> np.ndarray:
    """Anything we draw -> a numpy array in [0, 1].

    Tensors with 3 channels are images in [-1, 1]; 2-D tensors and 1-channel tensors are masks
    in [0, 1]; numpy arrays are taken as they are (already in [0, 1]).
    """
    if isinstance(x, torch.Tensor):
        x = x.detach().float().cpu()
        if x.dim() == 3 and x.shape[0] == 3:
            return to_numpy_image(x)
        return x.reshape(x.shape[-2:]).clamp(0, 1).numpy()
    return np.asarray(x)


def _show(ax, img, cmap) -> None:
    """Draw one image (or a mask, in ``cmap`` on [0, 1]) without ticks."""
    a = as_picture(img)
    ax.imshow(a, cmap=cmap if a.ndim == 2 else None, vmin=0, vmax=1)
    ax.set_xticks([]), ax.set_yticks([])


def image_row(images, titles=None, size: float = 1.8, cmap="gray"):
    """One row of images with titles; masks (2-D) are drawn in gray on [0, 1]."""
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), size * 1.15))
    for i, ax in enumerate(np.atleast_1d(axes)):
        _show(ax, images[i], cmap)
        if titles:
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def image_grid(rows, row_titles=None, col_titles=None, size: float = 1.2, cmap="gray"):
    """A grid: ``rows`` is a list of lists of images (tensors or arrays)."""
    nr, nc = len(rows), max(len(r) for r in rows)
    fig, axes = plt.subplots(nr, nc, figsize=(size * nc + (0.8 if row_titles else 0), size * nr),
                             squeeze=False)
    for r, row in enumerate(rows):
        for c in range(nc):
            ax = axes[r, c]
            ax.set_xticks([]), ax.set_yticks([])
            for s in ax.spines.values():
                s.set_visible(False)
            if c < len(row):
                _show(ax, row[c], cmap)
            if c == 0 and row_titles:
                ax.set_ylabel(row_titles[r], fontsize=9, rotation=0, ha="right", va="center")
            if r == 0 and col_titles:
                ax.set_title(col_titles[c], fontsize=9)
    fig.tight_layout(pad=0.3)
    return fig
