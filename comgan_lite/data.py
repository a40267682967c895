"""Data with ground truth: procedural scenes, their cache, and every named dataset as arrays.

The emoji sprites are in ``emoji.py`` and folders of your own images in ``folders.py``.

Every procedural item is an exact instance of Assumption 1 (paper eq. 1):

    image = alpha * fg + (1 - alpha) * bg

and we return all four layers, so a notebook can show the decomposition the GAN has to find.
Item i of split s is drawn from its own random generator,
``np.random.default_rng(np.random.SeedSequence([seed, split_id, i]))``, so any item can be
rebuilt alone.  Images are in [-1, 1], channels first; masks are ``alpha > 0.5``.
"""
from __future__ import annotations

import colorsys
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("COMGAN_DATA", PACKAGE_DIR.parent / "data"))
GENERATOR_VERSION = 1  # bump when rendering changes: it invalidates cached arrays

SPLITS = {"train": 0, "val": 1, "test": 2}
SHAPES = ("circle", "ellipse", "triangle", "square", "star", "heart")
FG_CLASSES = ("flat", "shaded", "striped", "dotted")
BG_CLASSES = ("flat", "gradient", "stripes", "noise")
UNTEXTURED_FG = ("flat", "shaded")
UNTEXTURED_BG = ("flat", "gradient")


class DatasetError(ValueError):
    """A data problem the user can fix; the message says how."""


# ----------------------------------------------------------------------------------------------
# Scene configuration and difficulty presets
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SceneConfig:
    """The knobs of the procedural generator.

    textures:          textured appearance classes on (striped/dotted objects, striped/noisy
                       backgrounds) or off (flat/shaded objects on flat/gradient backgrounds).
    colour_overlap:    probability that the background reuses the object's colour.
    muted_background:  backgrounds drawn from a muted palette far in hue from the object
                       (disjoint palettes) instead of the same palette as objects.
    scale_range:       object radius as a fraction of half the image side.
    max_offset:        largest shift of the object centre, as a fraction of half the side.
    camouflage:        probability that an overlapping background reuses *both* of the object's
                       colours (only texture and outline then tell them apart).
    """

    textures: bool = False
    colour_overlap: float = 0.0
    muted_background: bool = True
    scale_range: tuple[float, float] = (0.45, 0.7)
    max_offset: float = 0.1
    camouflage: float = 0.0
    shapes: tuple[str, ...] = SHAPES


PRESETS = {
    "easy": SceneConfig(textures=False, colour_overlap=0.0, muted_background=True,
                        scale_range=(0.45, 0.7), max_offset=0.1),
    "medium": SceneConfig(textures=True, colour_overlap=0.5, muted_background=True,
                          scale_range=(0.3, 0.6), max_offset=0.45),
    "hard": SceneConfig(textures=True, colour_overlap=0.9, muted_background=False,
                        scale_range=(0.2, 0.45), max_offset=0.75, camouflage=0.5),
}


def get_config(preset: str | SceneConfig) -> SceneConfig:
    if isinstance(preset, SceneConfig):
        return preset
    if preset not in PRESETS:
        raise DatasetError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)} "
                           "or pass a SceneConfig")
    return PRESETS[preset]


def item_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The random generator of one item: the same (seed, split, index) gives the same item."""
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; choose one of {list(SPLITS)}")
    return np.random.default_rng(np.random.SeedSequence([seed, SPLITS[split], index]))


# ----------------------------------------------------------------------------------------------
# Rendering helpers (numpy, H x W x 3 floats in [0, 1])
# ----------------------------------------------------------------------------------------------
def _grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in [-1, 1] on an n x n grid (y down, x right)."""
    t = (np.arange(n, dtype=np.float32) + 0.5) / n * 2 - 1
    return np.meshgrid(t, t, indexing="xy")


def downsample(a: np.ndarray, factor: int) -> np.ndarray:
    """Box-filter an (n, n, ...) array by an integer factor (anti-aliasing)."""
    if factor == 1:
        return a
    n = a.shape[0] // factor
    return a.reshape(n, factor, n, factor, *a.shape[2:]).mean(axis=(1, 3))


def supersample(size: int) -> int:
    return max(2, 128 // size)


def shape_inside(name: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Boolean inside-test of a unit-size shape at the origin (x, y in object units)."""
    r2 = x * x + y * y
    if name == "circle":
        return r2 <= 1.0
    if name == "ellipse":
        return x * x + (y / 0.55) ** 2 <= 1.0
    if name == "square":
        return np.maximum(np.abs(x), np.abs(y)) <= 0.8
    if name == "triangle":  # equilateral, inscribed in the unit circle
        inside = np.ones_like(x, dtype=bool)
        for k in range(3):  # three edges, normals 120 degrees apart, each 0.5 from the centre
            angle = np.pi / 2 + k * 2 * np.pi / 3
            inside &= x * np.cos(angle) + y * np.sin(angle) <= 0.5
        return inside
    if name == "star":  # five points, tips on the unit circle
        theta = np.arctan2(y, x) + np.pi / 2
        wave = np.abs(((theta * 5 / (2 * np.pi)) % 1.0) * 2 - 1)  # 1 at tips, 0 between
        return np.sqrt(r2) <= 0.45 + 0.55 * wave ** 1.5
    if name == "heart":
        u, v = x * 1.15, -y * 1.15 + 0.15
        return (u * u + v * v - 1) ** 3 - u * u * v ** 3 <= 0
    raise DatasetError(f"unknown shape {name!r}; choose from {SHAPES}")


def shape_mask(name: str, size: int, scale: float = 0.6, rotation: float = 0.0,
               cx: float = 0.0, cy: float = 0.0) -> np.ndarray:
    """An anti-aliased alpha (size x size, in [0, 1]) of one shape, for figures and widgets."""
    ss = supersample(size)
    x, y = _grid(size * ss)
    cos, sin = np.cos(rotation), np.sin(rotation)
    u = ((x - cx) * cos + (y - cy) * sin) / scale
    v = (-(x - cx) * sin + (y - cy) * cos) / scale
    return downsample(shape_inside(name, u, v).astype(np.float32), ss)


def hsv(h: float, s: float, v: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v), dtype=np.float32)


def _smooth_noise(rng: np.random.Generator, n: int, cells: int) -> np.ndarray:
    """Smooth value noise in [0, 1] on an n x n grid: bilinear upsampling of random cells."""
    coarse = rng.random((cells + 1, cells + 1), dtype=np.float32)
    t = np.linspace(0, cells, n, dtype=np.float32)
    i = np.minimum(t.astype(int), cells - 1)
    f = t - i
    rows = coarse[i] * (1 - f)[:, None] + coarse[i + 1] * f[:, None]          # n x (cells+1)
    out = rows[:, i] * (1 - f)[None, :] + rows[:, i + 1] * f[None, :]          # n x n
    return out


def _stripes(x, y, angle, freq, phase):
    return (np.sin((x * np.cos(angle) + y * np.sin(angle)) * freq + phase) > 0).astype(np.float32)


def mix(a: np.ndarray, c0: np.ndarray, c1: np.ndarray) -> np.ndarray:
    """Blend two colours by a weight map a (n x n) -> n x n x 3."""
    return c0 * (1 - a[..., None]) + c1 * a[..., None]


def draw_palette(rng: np.random.Generator, cfg: SceneConfig,
                 overlap: bool = False) -> dict[str, np.ndarray]:
    """Object and background colours (two each) under the config's palette rules; with
    ``overlap`` the background's first colour is (almost) the object's."""
    h = rng.random()
    fg1 = hsv(h, rng.uniform(0.6, 1.0), rng.uniform(0.65, 1.0))
    fg2 = hsv(h + rng.uniform(-0.08, 0.08), rng.uniform(0.3, 1.0), rng.uniform(0.15, 0.45))
    if cfg.muted_background:
        hb = h + rng.uniform(0.3, 0.7)
        bg1 = hsv(hb, rng.uniform(0.1, 0.45), rng.uniform(0.3, 0.75))
        bg2 = hsv(hb + rng.uniform(-0.1, 0.1), rng.uniform(0.1, 0.45), rng.uniform(0.3, 0.75))
    else:
        bg1 = hsv(rng.random(), rng.uniform(0.3, 1.0), rng.uniform(0.3, 1.0))
        bg2 = hsv(rng.random(), rng.uniform(0.3, 1.0), rng.uniform(0.3, 1.0))
    if overlap:
        bg1 = np.clip(fg1 + rng.normal(0, 0.03, 3).astype(np.float32), 0, 1)
        if rng.random() < cfg.camouflage:
            bg2 = np.clip(fg2 + rng.normal(0, 0.03, 3).astype(np.float32), 0, 1)
    return {"fg1": fg1, "fg2": fg2, "bg1": bg1, "bg2": bg2}


def render_background(rng, kind: str, n: int, c0, c1) -> np.ndarray:
    """Background layer (n x n x 3) of one class in BG_CLASSES."""
    x, y = _grid(n)
    if kind == "flat":
        return np.broadcast_to(c0, (n, n, 3)).copy()
    if kind == "gradient":
        angle = rng.uniform(0, 2 * np.pi)
        a = (x * np.cos(angle) + y * np.sin(angle)) * 0.5 + 0.5
        return mix(np.clip(a, 0, 1), c0, c1)
    if kind == "stripes":
        return mix(_stripes(x, y, rng.uniform(0, np.pi), rng.uniform(6, 12), rng.uniform(0, 6.3)),
                    c0, c1)
    if kind == "noise":
        return mix(_smooth_noise(rng, n, int(rng.integers(3, 7))), c0, c1)
    raise DatasetError(f"unknown background class {kind!r}; choose from {BG_CLASSES}")


def render_foreground(rng, kind: str, u: np.ndarray, v: np.ndarray, c0, c1) -> np.ndarray:
    """Foreground appearance layer (n x n x 3) in object coordinates (u, v)."""
    n = u.shape[0]
    if kind == "flat":
        return np.broadcast_to(c0, (n, n, 3)).copy()
    if kind == "shaded":  # a sphere lit from a random side
        lx, ly = rng.uniform(-0.6, 0.6, 2)
        light = np.clip(1.15 - 0.45 * ((u - lx) ** 2 + (v - ly) ** 2), 0.35, 1.15)
        return np.clip(c0 * light[..., None], 0, 1)
    if kind == "striped":
        return mix(_stripes(u, v, rng.uniform(0, np.pi), rng.uniform(9, 14), rng.uniform(0, 6.3)),
                    c0, c1)
    if kind == "dotted":
        f = rng.uniform(2.0, 3.0)
        du = (u * f + rng.random()) % 1.0 - 0.5
        dv = (v * f + rng.random()) % 1.0 - 0.5
        return mix((du * du + dv * dv < 0.06).astype(np.float32), c0, c1)
    raise DatasetError(f"unknown foreground class {kind!r}; choose from {FG_CLASSES}")


def _draw_object(rng, cfg: SceneConfig, n: int, offset: float, overlap: bool = False):
    """One object: its hi-res alpha (n x n), appearance layer (n x n x 3) and labels."""
    x, y = _grid(n)
    shape = int(rng.integers(len(cfg.shapes)))
    scale = float(rng.uniform(*cfg.scale_range))
    rotation = float(rng.uniform(0, 2 * np.pi))
    cx, cy = (float(c) for c in rng.uniform(-offset, offset, 2))
    fg_classes = FG_CLASSES if cfg.textures else UNTEXTURED_FG
    fg_class = FG_CLASSES.index(fg_classes[int(rng.integers(len(fg_classes)))])
    cos, sin = np.cos(rotation), np.sin(rotation)
    u = ((x - cx) * cos + (y - cy) * sin) / scale
    v = (-(x - cx) * sin + (y - cy) * cos) / scale
    alpha = shape_inside(cfg.shapes[shape], u, v).astype(np.float32)
    palette = draw_palette(rng, cfg, overlap)
    appearance = render_foreground(rng, FG_CLASSES[fg_class], u, v, palette["fg1"], palette["fg2"])
    labels = {"shape": SHAPES.index(cfg.shapes[shape]), "scale": scale, "rotation": rotation,
              "cx": cx, "cy": cy, "fg_class": fg_class}
    return alpha, appearance, labels, palette


def render_scene(seed: int, split: str, index: int, preset="easy", size: int = 32,
                 n_objects: int | tuple[int, int] = 1) -> dict:
    """Render item ``index`` of ``split``: a dict of numpy arrays and labels.

    Keys: image, fg, bg (size x size x 3 in [0, 1]); alpha, mask (size x size);
    labels (dict; with several objects, per-object lists and the object masks ``masks``).
    With ``n_objects=(2, 4)`` the scene holds 2-4 objects drawn back to front (occlusion).
    """
    cfg = get_config(preset)
    rng = item_rng(seed, split, index)
    ss = supersample(size)
    n = size * ss
    if isinstance(n_objects, tuple):
        count = int(rng.integers(n_objects[0], n_objects[1] + 1))
    else:
        count = int(n_objects)
    # With colour overlap the background reuses the object's colour; it then always has a
    # second colour (never flat), or a flat object on it would be invisible.
    overlap = bool(rng.random() < cfg.colour_overlap)
    bg_classes = BG_CLASSES if cfg.textures else UNTEXTURED_BG
    if overlap:
        bg_classes = tuple(c for c in bg_classes if c != "flat")
    bg_class = BG_CLASSES.index(bg_classes[int(rng.integers(len(bg_classes)))])

    # Objects drawn back to front with premultiplied alpha: C = a c + (1-a) C, A = a + (1-a) A.
    premult = np.zeros((size, size, 3), np.float32)
    union = np.zeros((size, size), np.float32)
    object_alphas, object_labels, palette = [], [], None
    offset = cfg.max_offset if count == 1 else max(cfg.max_offset, 0.5)
    for _ in range(count):
        a_hi, c_hi, lab, pal = _draw_object(rng, cfg, n, offset, overlap and palette is None)
        palette = palette or pal
        a = downsample(a_hi, ss)
        c = downsample(c_hi * a_hi[..., None], ss)  # premultiplied colour, anti-aliased
        premult = c + (1 - a[..., None]) * premult
        object_alphas = [oa * (1 - a) for oa in object_alphas] + [a]  # visible parts
        union = a + (1 - a) * union
        object_labels.append(lab)
    bg = downsample(render_background(rng, BG_CLASSES[bg_class], n, palette["bg1"],
                                       palette["bg2"]), ss)
    if count == 1:  # the object's paint is defined everywhere, also outside its outline
        fg = downsample(c_hi, ss)
    else:  # several objects: their visible paint, black where no object is
        fg = np.where(union[..., None] > 1e-6, premult / np.maximum(union[..., None], 1e-6), 0.0)
    fg = np.clip(fg, 0, 1).astype(np.float32)
    image = (union[..., None] * fg + (1 - union[..., None]) * bg).astype(np.float32)
    if count == 1:
        labels = dict(object_labels[0], bg_class=bg_class)
    else:
        labels = {k: [lab[k] for lab in object_labels] for k in object_labels[0]}
        labels.update(bg_class=bg_class, n_objects=count,
                      masks=np.stack(object_alphas) > 0.5)
    return {"image": image, "fg": fg, "bg": bg.astype(np.float32), "alpha": union,
            "mask": union > 0.5, "labels": labels}


# ----------------------------------------------------------------------------------------------
# Torch datasets
# ----------------------------------------------------------------------------------------------
def to_tensor_image(a: np.ndarray) -> torch.Tensor:
    """H x W x 3 in [0, 1] -> 3 x H x W in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))).float() * 2 - 1


def to_numpy_image(t: torch.Tensor) -> np.ndarray:
    """3 x H x W in [-1, 1] -> H x W x 3 in [0, 1] for plotting."""
    return ((t.detach().float().cpu().clamp(-1, 1) + 1) / 2).numpy().transpose(1, 2, 0)


LABEL_KEYS = ("shape", "scale", "rotation", "cx", "cy", "fg_class", "bg_class")


class ShapesDataset(torch.utils.data.Dataset):
    """Procedural single-object scenes (or multi-object with ``n_objects=(2, 4)``).

    ``ds[i]`` is a dict: image, fg, bg (3 x H x W in [-1, 1]), mask and alpha (1 x H x W in
    [0, 1]), and labels.  Items are rendered on demand; ``ds.arrays()`` renders (or loads from
    the cache) the whole split at once for training.
    """

    def __init__(self, preset: str | SceneConfig = "easy", size: int = 32, split: str = "train",
                 n: int = 10_000, seed: int = 0, n_objects: int | tuple[int, int] = 1):
        if size not in (32, 64, 128):
            raise DatasetError(f"size must be 32, 64 or 128, not {size}")
        if split not in SPLITS:
            raise DatasetError(f"unknown split {split!r}; choose one of {list(SPLITS)}")
        self.config, self.size, self.split, self.n, self.seed = get_config(preset), size, split, n, seed
        self.preset = preset if isinstance(preset, str) else "custom"
        self.n_objects = n_objects

    def __len__(self) -> int:
        return self.n

    def render(self, index: int) -> dict:
        return render_scene(self.seed, self.split, index, self.config, self.size, self.n_objects)

    def __getitem__(self, index: int) -> dict:
        if not 0 <= index < self.n:
            raise IndexError(index)
        item = self.render(index)
        out = {"image": to_tensor_image(item["image"]), "fg": to_tensor_image(item["fg"]),
               "bg": to_tensor_image(item["bg"]),
               "alpha": torch.from_numpy(item["alpha"])[None].float(),
               "mask": torch.from_numpy(item["mask"])[None].float()}
        labels = item["labels"]
        if self.n_objects == 1:
            out["labels"] = {k: torch.tensor(labels[k]) for k in LABEL_KEYS}
        else:
            out["object_masks"] = torch.from_numpy(labels.pop("masks"))
            out["labels"] = labels
        return out

    def fingerprint(self) -> str:
        spec = {"version": GENERATOR_VERSION, "config": asdict(self.config), "size": self.size,
                "split": self.split, "n": self.n, "seed": self.seed,
                "n_objects": self.n_objects}
        return hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]

    def arrays(self, cache: bool = True, progress: bool = True) -> dict[str, np.ndarray]:
        """The whole split as arrays: image (N,3,H,W) uint8, mask (N,H,W) bool, labels.

        Cached under ``data/cache/`` keyed by a fingerprint of every generator parameter, so a
        change to the generator or the config never serves stale images.
        """
        if self.n_objects != 1:
            raise DatasetError("arrays() covers single-object scenes; index multi-object "
                               "datasets item by item")
        path = DATA_DIR / "cache" / f"shapes-{self.preset}-{self.size}px-{self.split}-{self.fingerprint()}.npz"
        if cache and path.exists():
            try:
                with np.load(path) as z:
                    return {k: z[k] for k in z.files}
            except Exception:  # a damaged cache file is rebuilt, never trusted
                path.unlink(missing_ok=True)
        images = np.empty((self.n, 3, self.size, self.size), np.uint8)
        masks = np.empty((self.n, self.size, self.size), bool)
        labels = {k: np.empty(self.n, np.float32 if k in ("scale", "rotation", "cx", "cy")
                              else np.int64) for k in LABEL_KEYS}
        indices = range(self.n)
        if progress:
            from tqdm.auto import tqdm
            indices = tqdm(indices, desc=f"rendering {self.preset} {self.size}px {self.split}",
                           disable=self.n < 2000)
        for i in indices:
            item = self.render(i)
            images[i] = np.round(item["image"] * 255).astype(np.uint8).transpose(2, 0, 1)
            masks[i] = item["mask"]
            for k in LABEL_KEYS:
                labels[k][i] = item["labels"][k]
        out = {"image": images, "mask": masks, **labels}
        if cache:
            save_npz_atomic(path, out)
        return out


def save_npz_atomic(path: Path, arrays: dict) -> None:
    """Write an .npz so that a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    os.replace(tmp, path)


def images_to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, 3, H, W) -> float (N, 3, H, W) in [-1, 1]."""
    return torch.from_numpy(images).float().div_(127.5).sub_(1)


# ----------------------------------------------------------------------------------------------
# Every dataset with ground truth, by name, as arrays
# ----------------------------------------------------------------------------------------------
DATASETS = ("easy", "medium", "hard", "emoji", "multi")
# The emoji datasets: (art sets, sprites).  The held-out-sprite split: "emoji-seen" draws 34 of
# the 44 Noto sprites (every split), "emoji-unseen" the other 10.  The unseen-style split:
# "emoji-noto-openmoji" draws all 44 emoji in two art styles, "emoji-fluent" the same emoji in
# Fluent's flat and modern styles, which no training stage sees.
EMOJI_SETS = {"emoji": (("noto",), "all"), "emoji-seen": (("noto",), "seen"),
              "emoji-unseen": (("noto",), "unseen"), "emoji-noto-openmoji": (("noto", "openmoji"), "all"),
              "emoji-fluent": (("fluent-flat", "fluent-modern"), "all")}
# test split only: what to train on instead
TEST_ONLY = {"emoji-unseen": "emoji-seen", "emoji-fluent": "emoji-noto-openmoji"}
TRAINABLE = DATASETS + ("emoji-seen", "emoji-noto-openmoji")
MULTI_OBJECTS = (2, 4)  # "multi": easy scenes with 2-4 objects, masks are their union


def load_arrays(dataset: str, size: int = 32, split: str = "train", n: int = 10_000,
                seed: int = 0, progress: bool = True) -> dict[str, np.ndarray]:
    """Images (N, 3, H, W) uint8 and ground-truth masks (N, H, W) bool of a named dataset.

    ``dataset`` is a preset ("easy", "medium", "hard"), "emoji" (sprites on mixed
    backgrounds), "multi" (easy scenes with 2-4 objects; the mask is their union), or one side
    of the held-out-sprite split ("emoji-seen"; "emoji-unseen", test split only) or of the
    unseen-style split ("emoji-noto-openmoji"; "emoji-fluent", test split only).  Cached
    under ``data/cache/`` like ``ShapesDataset.arrays``.
    """
    if dataset in PRESETS:
        a = ShapesDataset(dataset, size, split, n, seed).arrays(progress=progress)
        return {"image": a["image"], "mask": a["mask"]}
    if dataset in EMOJI_SETS:
        if dataset in TEST_ONLY and split != "test":
            raise DatasetError(f"{dataset} holds sprites no training stage may see: it has only a 'test' "
                               f"split. Train on {TEST_ONLY[dataset]} and evaluate on {dataset}.")
        # here, not at the top: emoji.py imports this module, so a top-level import is circular
        from .emoji import EmojiDataset, sprite_keys
        art, sprites = EMOJI_SETS[dataset]
        ds = EmojiDataset(size, split, n, seed, sprites=sprites, art=art)
        names = sprite_keys(ds)
        spec = {"scale_range": ds.scale_range, "max_offset": ds.max_offset, "backgrounds": ds.backgrounds,
                "sprites": len(names) if dataset == "emoji" else names}     # emoji: its cache key as before
    elif dataset == "multi":
        ds = ShapesDataset("easy", size, split, n, seed, n_objects=MULTI_OBJECTS)
        spec = {"fingerprint": ds.fingerprint()}
    else:
        raise DatasetError(f"unknown dataset {dataset!r}; choose one of {list(dict.fromkeys([*DATASETS, *EMOJI_SETS]))}")
    spec.update(version=GENERATOR_VERSION, size=size, split=split, n=n, seed=seed)
    key = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    path = DATA_DIR / "cache" / f"{dataset}-{size}px-{split}-{key}.npz"
    if path.exists():
        try:
            with np.load(path) as z:
                return {k: z[k] for k in z.files}
        except Exception:  # a damaged cache file is rebuilt, never trusted
            path.unlink(missing_ok=True)
    images = np.empty((n, 3, size, size), np.uint8)
    masks = np.empty((n, size, size), bool)
    indices = range(n)
    if progress:
        from tqdm.auto import tqdm
        indices = tqdm(indices, desc=f"rendering {dataset} {size}px {split}", disable=n < 2000)
    for i in indices:
        item = ds.render(i)
        images[i] = np.round(item["image"] * 255).astype(np.uint8).transpose(2, 0, 1)
        masks[i] = item["mask"]
    out = {"image": images, "mask": masks}
    save_npz_atomic(path, out)
    return out
