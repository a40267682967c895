"""Figures used across the notebooks (matplotlib only)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from . import compose
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
    x = np.asarray(x)
    return x.astype(np.float32) if x.dtype == bool else x


def _show(ax, img, cmap) -> None:
    """Draw one image (or a mask, in ``cmap`` on [0, 1]) without ticks."""
    a = as_picture(img)
    ax.imshow(a, cmap=cmap if a.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest")
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


CURVE_LABELS = {
    "grad_mask_params": "g_M = ‖∂L_G/∂θ_M‖ (mask-network parameters)",
    "grad_mask_pixels_adv": "‖∂L_adv/∂m‖ (mask pixels, adversarial part)",
    "soft_share": "soft-pixel share: 0.01 < m < 0.99",
    "trivial": "trivial share: images with mean m < 0.01 or > 0.99",
    "near_trivial": "nearly trivial: mean m < 0.05 or > 0.95",
    "layer_difference": "mean |x_f − x_b|",
    "mask_mean": "mean mask value",
    "iou_best_of_two": "faithfulness, best of two polarities",
    "iou": "faithfulness, fixed polarity",
    "grad_logits": "‖∂L_adv/∂s‖ (mask logits)",
    "top1_share": "share of ‖∂L_adv/∂s‖² on the top 1 % of pixels",
    "opening_share": "share of ‖∂L_adv/∂s‖² that opens the mask",
    "grad_mask_cosine": "cosine of g_M's direction to 50 steps before",
}


def training_curves(logs: dict, keys=("grad_mask_params", "grad_mask_pixels_adv", "soft_share",
                                      "trivial"), smooth: int = 5, size=(3.4, 2.6)):
    """Figure 4 style curves.  ``logs`` maps a label to a list of runs (each a list of log rows).
    One panel per key; per label the mean over runs (moving average of ``smooth`` rows) and a
    band from the lowest to the highest run."""
    fig, axes = plt.subplots(1, len(keys), figsize=(size[0] * len(keys), size[1]), squeeze=False)
    for ax, key in zip(axes[0], keys):
        for label, group in logs.items():
            n = min(len(r) for r in group)
            steps = np.array([row["step"] for row in group[0][:n]])
            v = np.array([[row[key] for row in r[:n]] for r in group])
            if smooth > 1 and n >= smooth:
                kernel = np.ones(smooth) / smooth
                v = np.array([np.convolve(x, kernel, mode="valid") for x in v])
                steps = steps[smooth - 1:]
            line, = ax.plot(steps, v.mean(0), label=label, lw=1.5)
            if len(group) > 1:
                ax.fill_between(steps, v.min(0), v.max(0), color=line.get_color(), alpha=0.2)
        ax.set_title(CURVE_LABELS.get(key, key), fontsize=9)
        ax.set_xlabel("generator step", fontsize=8)
        ax.tick_params(labelsize=8)
        if key in ("soft_share", "trivial"):
            ax.set_ylim(-0.03, 1.03)
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def milestone_curves(runs_by_label: dict, keys=("iou_best_of_two", "soft_share", "trivial"),
                     size=(3.4, 2.6)):
    """Scores at the milestones of long runs (milestones.json rows, ``shipped.read_milestones``): one panel per
    key, one thin line with dots per run, one colour per label (seeds may have different steps)."""
    fig, axes = plt.subplots(1, len(keys), figsize=(size[0] * len(keys), size[1]), squeeze=False)
    for ax, key in zip(axes[0], keys):
        for i, (label, group) in enumerate(runs_by_label.items()):
            for j, rows in enumerate(group):
                ax.plot([r["step"] for r in rows], [r[key] for r in rows], marker="o", ms=3, lw=1,
                        color=f"C{i}", alpha=0.8, label=label if j == 0 else None)
        ax.set_title(CURVE_LABELS.get(key, key), fontsize=9)
        ax.set_xlabel("generator step", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.set_ylim(-0.03, 1.03)
    axes[0, -1].legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def gradient_on_object(regions: dict, size=(5.5, 3.6)):
    """Notebook 02's trap runs (gradient_regions.json rows per label, measured by ``lab.trap.gradient_by_region``): left, the object's
    share of ||dL/ds||^2 against its share of the pixels (dotted); right, the mean mask on the
    object against off it (dotted), on a log scale."""
    fig, (ax_share, ax_mask) = plt.subplots(1, 2, figsize=(2 * size[0], size[1]))
    for i, (label, rows) in enumerate(regions.items()):
        steps = [r["step"] for r in rows]
        ax_share.plot(steps, [r["gradient_share"] for r in rows], "o-", color=f"C{i}", label=label)
        ax_share.plot(steps, [r["area"] for r in rows], ":", color=f"C{i}")
        ax_mask.plot(steps, [r["mask_in"] for r in rows], "o-", color=f"C{i}")
        ax_mask.plot(steps, [r["mask_out"] for r in rows], ":", color=f"C{i}")
    ax_share.set(xlabel="step", ylabel="share", ylim=(0, 1.05),
                 title="share of ‖∂L/∂s‖² on the object (dotted: its share of pixels)")
    ax_mask.set(xlabel="step", yscale="log", title="mean mask on the object (dotted: off it)")
    ax_share.legend(fontsize=8)
    fig.tight_layout()
    return fig


def mask_histograms(masks: dict, size=(2.5, 2.4)):
    """One histogram of mask values per label (log counts), titled with its soft-pixel share:
    how binary each generator's masks are (notebook 03's beta sweep)."""
    fig, axes = plt.subplots(1, len(masks), figsize=(size[0] * len(masks), size[1]), sharey=True,
                             squeeze=False)
    for ax, (label, m) in zip(axes[0], masks.items()):
        m = torch.as_tensor(m).flatten()
        soft = compose.soft_share(m)
        ax.hist(m.numpy(), bins=50, range=(0, 1), color="C0")
        ax.set_yscale("log")
        ax.set_title(f"{label}: {soft:.0%} soft", fontsize=9)
        ax.set_xlabel("mask value m", fontsize=8)
        ax.tick_params(labelsize=8)
    axes[0, 0].set_ylabel("pixels (log scale)", fontsize=8)
    fig.tight_layout()
    return fig


def seed_dots(rows: list[dict], key: str, groups: list[tuple[str, dict]], ax=None,
              ylabel: str | None = None, ylim=(0, 1.02)):
    """One column per group (label, match dict); a dark dot per run and a grey bar at the mean."""
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.9 * len(groups), 2.8))
    for i, (label, match) in enumerate(groups):
        v = [r[key] for r in rows if all(r.get(k) == x for k, x in match.items())]
        if v:
            ax.bar(i, np.mean(v), color="0.85", width=0.6)
            ax.scatter(np.full(len(v), i) + np.linspace(-0.12, 0.12, len(v)), v, s=16, color="0.15", zorder=3)
    ax.set_xticks(range(len(groups)), [g[0] for g in groups], fontsize=8)
    ax.set_ylabel(key if ylabel is None else ylabel, fontsize=9)
    if ylim is not None:
        ax.set_ylim(*ylim)
    return ax


def decompositions(samples: dict, n: int = 6, per_row: int = 2, size: float = 0.95):
    """Figure 2 / 5 style: for every model (label -> generator output dict), a block of four
    rows x̄ (composite), m, x_f, x_b over the first ``n`` samples; ``per_row`` blocks side by
    side, separated by a blank column."""
    labels = list(samples)
    n_rows = 4 * -(-len(labels) // per_row)
    n_cols = per_row * (n + 1) - 1
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols + 0.6, size * n_rows),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    names = ("x̄", "m", "x_f", "x_b")
    titles = []
    for b, label in enumerate(labels):
        top, left = 4 * (b // per_row), (b % per_row) * (n + 1)
        for r, key in enumerate(("image", "mask", "fg", "bg")):
            for c in range(n):
                ax = axes[top + r, left + c]
                ax.axis("on")
                _show(ax, samples[label][key][c], "gray")
                for s in ax.spines.values():
                    s.set_visible(False)
                if c == 0:
                    ax.set_ylabel(names[r], fontsize=9, rotation=0, ha="right", va="center")
        titles.append(axes[top, left].annotate(label, (0, 1), xycoords="axes fraction", xytext=(0, 4),
                                               textcoords="offset points", fontsize=10, va="bottom"))
    for title in titles:
        title.set_in_layout(False)  # a long label must not squeeze the images ...
    gap = 1.4 if n_rows == 4 else 2.6  # room for the titles of the lower blocks
    fig.tight_layout(pad=0.2, h_pad=gap, rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))
    for title in titles:
        title.set_in_layout(True)   # ... but a saved figure (bbox_inches="tight") must keep it
    return fig


def snapshots(paths: dict, size: float = 4.2, per_row: int | None = None):
    """Show training snapshots (``final.png`` of shipped runs: rows x̄, m, x_f, x_b for 8 fixed
    z), one per label, side by side, ``per_row`` to a row (all in one row by default)."""
    from PIL import Image
    cols = per_row or len(paths)
    rows = -(-len(paths) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * 0.55 * rows), squeeze=False)
    for ax in axes.flat[len(paths):]:
        ax.set_visible(False)
    for ax, (label, path) in zip(axes.flat, paths.items()):
        grid = np.asarray(Image.open(path))
        row = grid.shape[0] / 4                      # four rows of equal height
        ax.imshow(grid, interpolation="nearest")
        ax.set_yticks(row * (np.arange(4) + 0.5), ["x̄", "m", "x_f", "x_b"], fontsize=9)
        ax.set_xticks([])
        ax.set_title(label, fontsize=9)
    fig.tight_layout()
    return fig


def controllability(tables: dict, factors=("mask", "shape", "fg_class", "fg_hue", "bg_class", "bg_hue"),
                    size: float = 0.62, per_row: int = 2):
    """One heatmap per model: rows are the resampled input (``{input: {factor: rate}}``, in the
    table's order), columns what changed in the composite (share of images whose predicted
    factor changed; mask: 1 - IoU).  An ideal DS-ComGAN lights the diagonal: z -> mask and
    shape, the object's code -> the object, the scene's code -> the scene."""
    names = {"mask": "mask\n(1−IoU)", "shape": "shape", "fg_class": "object\ntexture",
             "fg_hue": "object\nhue", "bg_class": "scene\ntexture", "bg_hue": "scene\nhue"}
    n_cols = min(per_row, len(tables))
    n_rows = -(-len(tables) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * len(factors) * n_cols + 1.6, 2.7 * n_rows),
                             squeeze=False)
    for ax in axes.flat[len(tables):]:
        ax.axis("off")
    for ax, (title, table) in zip(axes.flat, tables.items()):
        inputs = list(table)
        grid = np.array([[table[w][k] for k in factors] for w in inputs])
        ax.imshow(grid, cmap="viridis", vmin=0, vmax=1)
        for (r, c), v in np.ndenumerate(grid):
            ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=7,
                    color="black" if v > 0.55 else "white")
        ax.set_xticks(range(len(factors)), [names.get(k, k) for k in factors], fontsize=7)
        ax.set_yticks(range(len(inputs)), [f"resample {w}" for w in inputs], fontsize=7)
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig


def study_dots(rows: dict, changes: dict, tests: dict, references: dict | None = None):
    """One panel per test set (``tests``: row key -> title), one column per change (``changes``:
    change -> label, in order), a dot per seed and a dash at the seeds' mean; ``references``:
    label -> {row key: value}, drawn as dashed lines across the panel (e.g. GrabCut)."""
    fig, axes = plt.subplots(1, len(tests), figsize=(4.6 * len(tests), 3.4), sharey=True, squeeze=False)
    for ax, (key, title) in zip(axes[0], tests.items()):
        for i, change in enumerate(changes):
            ys = [r[key] for r in rows.values() if r["change"] == change]
            ax.scatter([i] * len(ys), ys, s=18, color="C0" if i == 0 else "0.3", zorder=3)
            ax.hlines(np.mean(ys), i - 0.3, i + 0.3, color="C0" if i == 0 else "0.3", lw=2)
        for j, (label, ref) in enumerate((references or {}).items()):
            ax.axhline(ref[key], ls="--", lw=1, color=f"C{j + 1}", label=label)
        ax.set_xticks(range(len(changes)), list(changes.values()), rotation=35, ha="right", fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].set_ylabel("IoU (dots: seeds; dash: their mean)")
    if references:
        axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def method_bars(table: dict, methods: dict, key: str = "iou", ax=None, other_seeds: dict | None = None):
    """Grouped bars: one group per dataset, one bar per method (``methods``: key -> label), the
    table's mean ``key`` on top of each bar (Table 4 analog as a picture).  ``other_seeds``,
    {method: {dataset: value}}, marks another seed's value on that bar with a black dash."""
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(table) + 1.5, 3.2))
    datasets = list(table)
    width = 0.8 / len(methods)
    for j, (m, label) in enumerate(methods.items()):
        xs = np.arange(len(datasets)) + (j - (len(methods) - 1) / 2) * width
        ys = [table[d][m][key] if m in table[d] else np.nan for d in datasets]
        bars = ax.bar(xs, ys, width, label=label)
        ax.bar_label(bars, fmt="%.2f", fontsize=6, rotation=90, padding=2)
        marks = (other_seeds or {}).get(m, {})
        for x, d in zip(xs, datasets):
            if d in marks:
                ax.plot([x - width / 2, x + width / 2], [marks[d]] * 2, color="black", lw=1.5,
                        label=f"{label}: another seed" if d == next(iter(marks)) else None)
    ax.set_xticks(np.arange(len(datasets)), datasets)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel(key.replace("_", " "))
    label_lines = max(str(d).count("\n") for d in datasets) + 1      # two-line group names push it down
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.05 - 0.07 * label_lines))
    ax.figure.tight_layout()
    return ax.figure
