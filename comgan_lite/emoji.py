"""Emoji sprites (birds, flowers, cars with exact alpha masks) on procedural or texture backgrounds.

``EmojiDataset`` renders them like the procedural scenes of ``data.py``, with all four layers.
The same 44 emoji ship in four art styles (``ART_SETS``): Noto Color Emoji, OpenMoji, and
Microsoft's Fluent Emoji flat and modern, so a model can be tested on a style it never saw.
"""
from __future__ import annotations

import json

import numpy as np
import torch
from PIL import Image

from .data import (BG_CLASSES, DATA_DIR, SPLITS, DatasetError, downsample, hsv, mix,
                   supersample, item_rng, render_background, to_tensor_image)

SPRITE_DIR = DATA_DIR / "sprites"
TEXTURE_DIR = DATA_DIR / "textures"
EMOJI_CATEGORIES = ("bird", "flower", "car")
TEXTURES = ("grass", "gravel", "brick")
SPRITE_SETS = ("all", "seen", "unseen")
ART_SETS = ("noto", "openmoji", "fluent-flat", "fluent-modern")   # data/sprites/, data/sprites/<art>/
HOLD_OUT_EVERY = 4   # "unseen": every 4th sprite of each category (10 of 44), never trained on


def sprite_subset(sprites: list, which: str = "all") -> list:
    """The sprites of one set: all, or the held-out split ("unseen": the 4th, 8th, ... sprite of
    each category in manifest order; "seen": the rest). Same sprites on every machine."""
    if which not in SPRITE_SETS:
        raise DatasetError(f"sprites must be one of {list(SPRITE_SETS)}, not {which!r}")
    if which == "all":
        return sprites
    rank = {}
    out = []
    for entry in sprites:
        k = rank[entry[1]] = rank.get(entry[1], 0) + 1      # 1-based rank within its category
        if (k % HOLD_OUT_EVERY == 0) == (which == "unseen"):
            out.append(entry)
    return out


def load_sprites(category: str | None = None, art: str = "noto") -> list[tuple[str, str, np.ndarray]]:
    """The shipped emoji sprites of one art set as (name, category, RGBA float array in [0, 1])."""
    if art not in ART_SETS:
        raise DatasetError(f"art must be one of {list(ART_SETS)}, not {art!r}")
    folder = SPRITE_DIR if art == "noto" else SPRITE_DIR / art
    manifest = folder / "sprites.json"
    if not manifest.exists():
        raise DatasetError(f"no sprites in {folder}: they ship with the repository; "
                           "restore data/sprites/ (git checkout data/sprites)")
    entries = json.loads(manifest.read_text())
    out = []
    for e in entries:
        if category is None or e["category"] == category:
            rgba = np.asarray(Image.open(folder / e["file"]).convert("RGBA"), np.float32) / 255
            out.append((e["name"], e["category"], rgba))
    return out


def _resize(a: np.ndarray, size: int) -> np.ndarray:
    mode = Image.BILINEAR
    img = Image.fromarray(np.round(np.clip(a, 0, 1) * 255).astype(np.uint8))
    return np.asarray(img.resize((size, size), mode), np.float32) / 255


class EmojiDataset(torch.utils.data.Dataset):
    """Emoji birds, flowers and cars (exact alpha masks) on procedural or texture backgrounds.

    backgrounds: "procedural" (the shapes generator's classes), "texture" (tinted crops of
    scikit-image's CC0 grass / gravel / brick photographs), or "mixed".
    sprites: "all" (the ``emoji`` dataset), or the held-out split of ``sprite_subset``.
    art: the art sets the sprites come from (``ART_SETS``; Noto alone by default).
    Labels: category, sprite index (within the chosen sprites), art set, background kind, scale,
    centre.
    """

    def __init__(self, size: int = 64, split: str = "train", n: int = 10_000, seed: int = 0,
                 backgrounds: str = "mixed", scale_range=(0.55, 0.9), max_offset: float = 0.15,
                 sprites: str = "all", art: tuple[str, ...] = ("noto",)):
        if backgrounds not in ("procedural", "texture", "mixed"):
            raise DatasetError("backgrounds must be 'procedural', 'texture' or 'mixed'")
        if split not in SPLITS:
            raise DatasetError(f"unknown split {split!r}; choose one of {list(SPLITS)}")
        self.size, self.split, self.n, self.seed = size, split, n, seed
        self.backgrounds, self.scale_range, self.max_offset = backgrounds, scale_range, max_offset
        chosen = [(a, sprite_subset(load_sprites(art=a), sprites)) for a in art]
        self.sprites = [entry for _, entries in chosen for entry in entries]
        self.sprite_art = [a for a, entries in chosen for _ in entries]
        self.textures = [np.asarray(Image.open(TEXTURE_DIR / f"{t}.png").convert("L"),
                                    np.float32) / 255 for t in TEXTURES]

    def __len__(self) -> int:
        return self.n

    def render(self, index: int) -> dict:
        rng = item_rng(self.seed, self.split, index)
        s = self.size
        sprite_id = int(rng.integers(len(self.sprites)))
        name, category, rgba = self.sprites[sprite_id]
        side = max(8, int(round(s * rng.uniform(*self.scale_range))))
        sprite = _resize(rgba, side)
        if rng.random() < 0.5:
            sprite = sprite[:, ::-1]
        cx, cy = (int(round((s - side) / 2 + o * s / 2))
                  for o in rng.uniform(-self.max_offset, self.max_offset, 2))
        cx, cy = np.clip([cx, cy], 0, s - side)
        alpha = np.zeros((s, s), np.float32)
        fg = np.zeros((s, s, 3), np.float32)
        alpha[cy:cy + side, cx:cx + side] = sprite[..., 3]
        fg[cy:cy + side, cx:cx + side] = sprite[..., :3]
        use_texture = self.backgrounds == "texture" or (self.backgrounds == "mixed" and rng.random() < 0.5)
        c0 = hsv(rng.random(), rng.uniform(0.1, 0.5), rng.uniform(0.25, 0.6))
        c1 = hsv(rng.random(), rng.uniform(0.1, 0.5), rng.uniform(0.55, 0.9))
        if use_texture:
            tex_id = int(rng.integers(len(TEXTURES)))
            tex = self.textures[tex_id]
            crop = int(rng.integers(s * 2, min(tex.shape) + 1))
            y0, x0 = (int(rng.integers(0, d - crop + 1)) for d in tex.shape)
            patch = _resize(tex[y0:y0 + crop, x0:x0 + crop], s)
            bg = mix(patch, c0, c1)
            bg_kind = f"texture:{TEXTURES[tex_id]}"
        else:
            kind = BG_CLASSES[int(rng.integers(len(BG_CLASSES)))]
            ss = supersample(s)
            bg = downsample(render_background(rng, kind, s * ss, c0, c1), ss)
            bg_kind = kind
        image = alpha[..., None] * fg + (1 - alpha[..., None]) * bg
        labels = {"category": EMOJI_CATEGORIES.index(category), "sprite": sprite_id,
                  "art": ART_SETS.index(self.sprite_art[sprite_id]),
                  "background": bg_kind, "scale": side / s, "cx": int(cx), "cy": int(cy)}
        return {"image": image.astype(np.float32), "fg": fg, "bg": bg.astype(np.float32),
                "alpha": alpha, "mask": alpha > 0.5, "labels": labels}

    def __getitem__(self, index: int) -> dict:
        if not 0 <= index < self.n:
            raise IndexError(index)
        item = self.render(index)
        return {"image": to_tensor_image(item["image"]), "fg": to_tensor_image(item["fg"]),
                "bg": to_tensor_image(item["bg"]),
                "alpha": torch.from_numpy(item["alpha"])[None],
                "mask": torch.from_numpy(item["mask"])[None].float(),
                "labels": item["labels"]}


def sprite_keys(ds: EmojiDataset) -> list[str]:
    """One name per sprite of ``ds``: the Noto ones bare (as they always were), the others
    prefixed by their art set ("openmoji:duck"); part of a dataset's cache key."""
    return [name if art == "noto" else f"{art}:{name}" for (name, _, _), art in zip(ds.sprites, ds.sprite_art)]
