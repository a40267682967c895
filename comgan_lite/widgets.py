"""Interactive widgets.  Each is a plain object: a pure ``render(...)`` does the work (and is
what the tests call), ``widget`` is the ipywidgets VBox a notebook displays."""
from __future__ import annotations

import io

import ipywidgets as W
import numpy as np
import torch
from PIL import Image

from .compose import compose, feather, soft_share
from .data import SHAPES, shape_mask, to_numpy_image


def png_strip(images: list[np.ndarray], scale: int = 3, gap: int = 4) -> bytes:
    """Images (H x W x 3 or H x W, in [0, 1]) side by side, upscaled, as PNG bytes."""
    tiles = []
    for a in images:
        a = np.asarray(a, np.float32)
        if a.ndim == 2:
            a = np.repeat(a[..., None], 3, axis=2)
        a = np.kron(a, np.ones((scale, scale, 1), np.float32))
        tiles += [a, np.ones((a.shape[0], gap, 3), np.float32)]
    strip = np.concatenate(tiles[:-1], axis=1)
    buf = io.BytesIO()
    Image.fromarray(np.round(np.clip(strip, 0, 1) * 255).astype(np.uint8)).save(buf, "png")
    return buf.getvalue()


class Composer:
    """Eq. 1 by hand: pick a foreground layer, a background layer, a mask and its edge softness;
    the composite x = m * x_f + (1 - m) * x_b updates at once.

    ``items`` are dataset items (dicts with 'fg' and 'bg' tensors, 3 x H x W in [-1, 1]).
    """

    MASKS = SHAPES + ("all ones (T1: only foreground)", "all zeros (T1: only background)")

    def __init__(self, items: list[dict], scale: int = 3):
        self.fgs = [it["fg"] for it in items]
        self.bgs = [it["bg"] for it in items]
        self.size = self.fgs[0].shape[-1]
        self.scale = scale
        options = [(f"object {i}", i) for i in range(len(items))]
        self.foreground = W.Dropdown(options=options, value=0, description="foreground")
        self.background = W.Dropdown(options=[(f"scene {i}", i) for i in range(len(items))],
                                     value=min(1, len(items) - 1), description="background")
        self.mask = W.Dropdown(options=list(self.MASKS), value="circle", description="mask")
        self.mask_scale = W.FloatSlider(value=0.6, min=0.2, max=1.0, step=0.05,
                                        description="mask size")
        self.softness = W.FloatSlider(value=0.0, min=0.0, max=4.0, step=0.25,
                                      description="edge softness")
        self.image = W.Image(format="png")
        self.caption = W.HTML()
        for control in (self.foreground, self.background, self.mask, self.mask_scale, self.softness):
            control.style.description_width = "90px"
            control.observe(self._on_change, names="value")
        self.widget = W.VBox([W.HBox([W.VBox([self.foreground, self.background, self.mask]),
                                      W.VBox([self.mask_scale, self.softness])]),
                              self.image, self.caption])
        self._on_change()

    def mask_tensor(self, mask: str, mask_scale: float, softness: float) -> torch.Tensor:
        if mask.startswith("all ones"):
            m = torch.ones(1, self.size, self.size)
        elif mask.startswith("all zeros"):
            m = torch.zeros(1, self.size, self.size)
        else:
            m = torch.from_numpy(shape_mask(mask, self.size, scale=mask_scale))[None]
        return feather(m, softness * self.size / 64)  # softness in pixels of a 64 px image

    def render(self, foreground: int, background: int, mask: str, mask_scale: float = 0.6,
               softness: float = 0.0) -> dict[str, torch.Tensor]:
        """The pure part: returns fg, bg, mask (1 x H x W) and the composite."""
        fg, bg = self.fgs[foreground], self.bgs[background]
        m = self.mask_tensor(mask, mask_scale, softness)
        return {"fg": fg, "bg": bg, "mask": m, "composite": compose(fg, bg, m)}

    def current(self) -> dict[str, torch.Tensor]:
        return self.render(self.foreground.value, self.background.value, self.mask.value,
                           self.mask_scale.value, self.softness.value)

    def _on_change(self, change=None) -> None:
        out = self.current()
        self.image.value = png_strip([to_numpy_image(out["fg"]), to_numpy_image(out["bg"]),
                                      out["mask"][0].numpy(), to_numpy_image(out["composite"])],
                                     scale=self.scale)
        soft = soft_share(out["mask"])
        self.caption.value = (f"<tt>x_f | x_b | m | x = m*x_f + (1-m)*x_b</tt> &nbsp; "
                              f"mask mean {float(out['mask'].mean()):.2f}, "
                              f"soft pixels {soft:.0%}")


SHORT_LABELS = {"grad_mask_params": "g_M = ‖∂L_G/∂θ_M‖", "grad_mask_pixels_adv": "‖∂L_adv/∂m‖",
                "soft_share": "soft-pixel share", "trivial": "trivial share",
                "loss_info": "L_info (eq. 8)", "info_acc_f": "D_f accuracy (codes read back)",
                "loss_g_adv_z": "-log D_z(x_z)", "loss_cons": "L_cons = mean |S(x̄) - m̄| (eq. 10)",
                "val_iou": "IoU on 256 held-out real images", "d_fake_x": "D_m(S(x)): real-image masks judged real",
                "loss_bce": "BCE on ground truth"}


class LiveTraining:
    """A live view of training: the curves of ``keys`` for every run trained so far, and the
    current batch's composites with their masks.  Pass ``update`` as ``on_log`` to
    ``train.train``; it redraws one PNG output in place (no scrolling, and it is stored in the
    notebook like any figure)."""

    def __init__(self, keys=("grad_mask_params", "grad_mask_pixels_adv", "soft_share"),
                 n_images: int = 6, xlabel: str = "generator step",
                 caption: str = "composites and their masks"):
        from IPython.display import display
        self.keys, self.n_images, self.xlabel, self.caption = keys, n_images, xlabel, caption
        self.rows: dict[str, list[dict]] = {}
        self.label, self.batch = None, None
        # None outside IPython (tests): then update() only records, and figure() draws
        self.handle = display(W.HTML("<i>training starts ...</i>"), display_id=True)

    def start(self, label: str) -> "LiveTraining":
        """Begin a new curve (one per model): ``on_log=live.start('Pi1').update``."""
        self.label = label
        self.rows[label] = []
        return self

    def update(self, row: dict, batch: dict) -> None:
        self.rows[self.label].append(row)
        self.batch = batch
        if self.handle is not None:
            self.redraw()

    def figure(self):
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=(3.4 * len(self.keys), 4.2))
        top, bottom = fig.subfigures(2, 1, height_ratios=(2.3, 1))
        for ax, key in zip(top.subplots(1, len(self.keys), squeeze=False)[0], self.keys):
            for label, rows in self.rows.items():
                ax.plot([r["step"] for r in rows], [r[key] for r in rows], label=label, lw=1.2)
            ax.set_title(SHORT_LABELS.get(key, key), fontsize=8)
            ax.tick_params(labelsize=7)
            if key in ("soft_share", "trivial"):
                ax.set_ylim(-0.03, 1.03)
            ax.set_xlabel(self.xlabel, fontsize=7)
        if self.rows:
            top.axes[0].legend(fontsize=7)
        if self.batch is not None:
            n = min(self.n_images, len(self.batch["image"]))
            axes = bottom.subplots(1, 2 * n, gridspec_kw=dict(left=0.03, right=0.97, wspace=0.08))
            for j, ax in enumerate(axes):
                i = j // 2
                if j % 2 == 0:
                    ax.imshow(to_numpy_image(self.batch["image"][i]))
                else:
                    ax.imshow(self.batch["mask"][i, 0].cpu().numpy(), cmap="gray", vmin=0, vmax=1)
                ax.set_xticks([]), ax.set_yticks([])
            bottom.suptitle(f"{self.label}, step {self.rows[self.label][-1]['step']}: "
                            f"{self.caption}", fontsize=8)
        return fig

    def redraw(self) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import Image as PNG
        fig = self.figure()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        plt.close(fig)
        self.handle.update(PNG(data=buf.getvalue()))


class LatentExplorer:
    """DS-ComGAN's inputs by hand: walk z from one sample to another, and pick the foreground
    code f and the background code b; composite, mask, x_f and x_b update at once.

    The generator runs one image at a time in eval mode, with BatchNorm statistics averaged
    over 1,024 training-like inputs (``train.standing_statistics``), so an image looks as it
    does inside a large batch and does not depend on the others.
    """

    def __init__(self, g, n_pairs: int = 50, seed: int = 0, scale: int = 4, n_standing: int = 1024):
        from .factors import fixed_inputs
        from .train import standing_statistics
        self.n_codes, self.scale = g.n_codes, scale
        self.g = standing_statistics(g, fixed_inputs(n_standing, g.n_codes, g.z_dim, seed=seed + 1))
        self.pairs = torch.randn(n_pairs, 2, g.z_dim, generator=torch.Generator().manual_seed(seed))
        codes = list(range(self.n_codes))
        self.pair = W.IntSlider(value=0, min=0, max=n_pairs - 1, description="z pair")
        self.t = W.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="z: A → B")
        self.f = W.ToggleButtons(options=codes, value=0, description="f (object)")
        self.b = W.ToggleButtons(options=codes, value=min(1, self.n_codes - 1),
                                 description="b (scene)")
        self.image = W.Image(format="png")
        self.caption = W.HTML()
        for control in (self.pair, self.t, self.f, self.b):
            control.style.description_width = "80px"
            control.observe(self._on_change, names="value")
        for chooser in (self.f, self.b):
            chooser.style.button_width = "34px"
        self.widget = W.VBox([W.HBox([self.pair, self.t]), self.f, self.b, self.image, self.caption])
        self._on_change()

    def z(self, pair: int, t: float) -> torch.Tensor:
        """(1, z_dim): the point a fraction t of the way from sample A to sample B."""
        a, b = self.pairs[pair]
        return torch.lerp(a, b, t)[None]

    @torch.no_grad()
    def render(self, pair: int, t: float, f: int, b: int) -> dict[str, torch.Tensor]:
        """The pure part: the generator's output (batch of one) for these inputs."""
        return self.g(self.z(pair, t), torch.tensor([f]), torch.tensor([b]))

    def current(self) -> dict[str, torch.Tensor]:
        return self.render(self.pair.value, self.t.value, self.f.value, self.b.value)

    def strip(self, out: dict) -> bytes:
        return png_strip([to_numpy_image(out["image"][0]), out["mask"][0, 0].numpy(),
                          to_numpy_image(out["fg"][0]), to_numpy_image(out["bg"][0])],
                         scale=self.scale)

    def _on_change(self, change=None) -> None:
        out = self.current()
        self.image.value = self.strip(out)
        self.caption.value = (f"<tt>composite | mask m | x_f = F(φ, f) | x_b = B(φ, b)</tt> "
                              f"&nbsp; mask mean {float(out['mask'].mean()):.2f}")
