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
