"""Your own images: ``FolderDataset`` reads a folder in the CUB-200 layout or a plain folder.

It also holds the helpers that open, convert and resize those image files, and the rule that
decides which pixels of a mask file are the object (``_to_mask``).
"""
from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from .data import DatasetError, to_tensor_image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
SHOWN_MISSING = 10           # missing masks listed by name before "and N more"


def _image_files(folder: Path) -> list[Path]:
    """Image files under ``folder``, sorted; hidden files and folders (``.x``, macOS ``._x``,
    ``.ipynb_checkpoints``) are skipped."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _by_stem(files: list[Path], base: Path) -> dict[Path, Path]:
    """{relative path without suffix: file}; two files of one stem (a.jpg, a.png) are an error."""
    out = {}
    for p in files:
        stem = p.relative_to(base).with_suffix("")
        if stem in out:
            raise DatasetError(f"{out[stem]} and {p} have the same name but another suffix, so "
                               "it is ambiguous which one a mask belongs to; rename or remove one")
        out[stem] = p
    return out


def _open_image(path: Path) -> Image.Image:
    """Open and fully decode an image, with an error that names the file and says what to do."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
            img.load()
        return img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        found = re.search(r"\((\d+) pixels\)", str(e))
        size = f" ({int(found.group(1)):,} pixels)" if found else ""
        raise DatasetError(f"{path} is too large to open safely{size}: PIL refuses images over "
                           f"{Image.MAX_IMAGE_PIXELS:,} pixels. Resize it (e.g. to 1024 px on "
                           "its longer side; it is shrunk to the model's size anyway) and try "
                           "again.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise DatasetError(f"cannot read {path}: {e}. The file is truncated or not an image; "
                           "re-export or delete it and try again.") from e


def _to_rgb(img: Image.Image) -> Image.Image:
    """Any mode (grayscale, 16-bit, palette, RGBA) -> 8-bit RGB. RGBA is composited on white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(img, np.float64)
        hi = 65535.0 if img.mode.startswith("I;16") or a.max() > 255 else 255.0
        img = Image.fromarray(np.clip(a / hi * 255, 0, 255).astype(np.uint8))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    return img.convert("RGB")


def _foreground(a: np.ndarray) -> np.ndarray:
    """The object pixels of a one-channel mask: any non-zero value in a label map (integers up
    to 15, e.g. 0/1) or a two-valued mask (0/255, 0/65535); at least half the full scale in a
    soft mask (many grey levels: CUB's annotator agreement, a mask saved as JPEG)."""
    a = np.asarray(a, np.float64)
    if np.array_equal(a, np.round(a)) and (a.max() <= 15 or len(np.unique(a)) <= 2):
        return a > 0
    full = 1.0 if a.max() <= 1 else 255.0 if a.max() <= 255 else 65535.0
    return a >= full / 2


def _to_mask(img: Image.Image) -> np.ndarray:
    """Any mask file -> bool array, True on the object.

    Palette ("P"): every index but 0.  RGBA, LA, PA with some transparency: the alpha channel.
    Colour RGB(A): non-zero in any channel when it has few colours (a colour-coded label map),
    else its brightest channel as a soft mask.  Gray, 16-bit, grey-as-RGB: ``_foreground``.
    """
    if img.mode == "P":
        return np.asarray(img) > 0
    if img.mode in ("RGBA", "LA", "PA"):
        alpha = np.asarray(img.getchannel("A"))
        if alpha.min() < 255:
            return _foreground(alpha)
        img = img.convert("L" if img.mode == "LA" else "RGB")
    if img.mode in ("1", "L", "I", "I;16", "I;16B", "I;16L", "F"):
        return _foreground(np.asarray(img))
    rgb = np.asarray(img.convert("RGB"))
    if (rgb == rgb[..., :1]).all():                           # grey stored as RGB
        return _foreground(rgb[..., 0])
    colours = np.unique(rgb.astype(np.int32) @ np.array([1 << 16, 1 << 8, 1]))
    return rgb.max(-1) > 0 if len(colours) <= 32 else _foreground(rgb.max(-1))


def _square_resize(img: Image.Image, size: int, resample) -> Image.Image:
    """Resize the shorter side to ``size`` and centre-crop a square (the paper's eval crop)."""
    w, h = img.size
    scale = size / min(w, h)
    img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))), resample)
    w, h = img.size
    left, top = (w - size) // 2, (h - size) // 2
    return img.crop((left, top, left + size, top + size))


def _pair_masks(images_dir: Path, masks_dir: Path, allow_missing: bool):
    """(images, their masks) of a CUB layout, refusing stray masks and, unless
    ``allow_missing``, images without a mask; also returns the images skipped for lack of one."""
    images = _by_stem(_image_files(images_dir), images_dir)
    masks = _by_stem(_image_files(masks_dir), masks_dir)
    orphans = sorted(set(masks) - set(images))
    if orphans:
        raise DatasetError(
            f"{len(orphans)} mask(s) in {masks_dir} have no image in {images_dir}, e.g. "
            f"{masks[orphans[0]]}; masks must match images by relative path "
            "(images/a/b.jpg <-> segmentations/a/b.png). Remove the stray masks or add "
            "their images.")
    missing = [images[k] for k in sorted(images) if k not in masks]
    if missing and not allow_missing:
        shown = ", ".join(str(p.relative_to(images_dir)) for p in missing[:SHOWN_MISSING])
        more = f" and {len(missing) - SHOWN_MISSING} more" if len(missing) > SHOWN_MISSING else ""
        raise DatasetError(
            f"{len(missing)} of {len(images)} image(s) in {images_dir} have no mask in {masks_dir}: "
            f"{shown}{more}. Add their masks, or pass allow_missing_masks=True to use only the "
            "images that have one.")
    kept = sorted(k for k in images if k in masks)
    return [images[k] for k in kept], [masks[k] for k in kept], missing


class FolderDataset(torch.utils.data.Dataset):
    """Real images from a folder: CUB-200 layout or a plain folder of images.

    CUB layout: ``root/images/<any/path>.jpg`` and ``root/segmentations/<any/path>.png`` with
    the same relative path (suffix may differ); every image needs its mask unless
    ``allow_missing_masks`` (then images without one are skipped, and ``skipped`` lists them).
    Without ``segmentations/``, or in a plain folder, images come without masks (there x.jpg and
    x.png are two images, both kept: no mask has to be matched to them by name).  Hidden files
    and folders are ignored.  Images are resized (shorter side) and centre-cropped to ``size``;
    grayscale, RGBA and 16-bit files are converted; ``_to_mask`` says which mask pixels count.
    Problems raise ``DatasetError`` with what to do.
    """

    def __init__(self, root: str | os.PathLike, size: int = 64, allow_missing_masks: bool = False):
        self.root = Path(root).expanduser()
        self.size = size
        if not self.root.exists():
            raise DatasetError(f"folder {self.root} does not exist; check the path (it is "
                               f"resolved from {Path.cwd()})")
        if not self.root.is_dir():
            raise DatasetError(f"{self.root} is a file, not a folder; pass the folder that "
                               "holds your images")
        images_dir, masks_dir = self.root / "images", self.root / "segmentations"
        self.layout = "cub" if images_dir.is_dir() else "plain"
        self.skipped: list[Path] = []
        if self.layout == "cub" and masks_dir.is_dir():
            self.images, self.masks, self.skipped = _pair_masks(images_dir, masks_dir,
                                                                allow_missing_masks)
            if self.skipped:
                print(f"{self.root}: skipped {len(self.skipped)} image(s) without a mask, "
                      f"using the {len(self.images)} that have one")
        else:
            self.images = _image_files(images_dir if self.layout == "cub" else self.root)
            self.masks = [None] * len(self.images)
        if not self.images:
            where = images_dir if self.layout == "cub" else self.root
            raise DatasetError(f"no images found in {where} (looked for "
                               f"{', '.join(sorted(IMAGE_SUFFIXES))}); point to the folder "
                               "that holds them")
        self.has_masks = any(m is not None for m in self.masks)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict:
        path, mask_path = self.images[index], self.masks[index]
        img = _open_image(path)
        out = {"path": str(path)}
        if mask_path is not None:
            mask_img = _open_image(mask_path)
            if mask_img.size != img.size:
                raise DatasetError(f"{path} is {img.size[0]}x{img.size[1]} but its mask "
                                   f"{mask_path} is {mask_img.size[0]}x{mask_img.size[1]}; "
                                   "a mask must have its image's size")
            m = Image.fromarray(_to_mask(mask_img).astype(np.uint8) * 255)
            m = np.asarray(_square_resize(m, self.size, Image.BILINEAR), np.float32) / 255
            out["mask"] = torch.from_numpy((m > 0.5).astype(np.float32))[None]
        rgb = np.asarray(_square_resize(_to_rgb(img), self.size, Image.BICUBIC), np.float32) / 255
        out["image"] = to_tensor_image(rgb)
        return out

    def check(self) -> list[str]:
        """Read every file once; return the problems found (empty when all is well)."""
        problems = []
        for i in range(len(self)):
            try:
                self[i]
            except DatasetError as e:
                problems.append(str(e))
        return problems


def folder_arrays(root: str | os.PathLike, size: int, n: int | None = None,
                  progress: bool = True) -> dict:
    """The first ``n`` images of a folder (all when None), read once, as ``data.load_arrays``
    returns a named dataset's: uint8 images (N, 3, H, W) and bool masks (N, H, W), the masks
    None when the folder has none (they are read for evaluation only)."""
    from tqdm.auto import tqdm
    ds = FolderDataset(root, size)
    count = len(ds) if n is None else min(n, len(ds))
    items = [ds[i] for i in tqdm(range(count), desc=f"reading {ds.root.name}", disable=not progress)]
    images = torch.stack([it["image"] for it in items]).add(1).mul(127.5).round().to(torch.uint8)
    masks = (torch.stack([it["mask"][0] for it in items]).bool().numpy()
             if ds.has_masks and all("mask" in it for it in items) else None)
    return {"image": images.numpy(), "mask": masks}


def write_cub_folder(root: str | os.PathLike, images: np.ndarray, masks: np.ndarray | None = None,
                     category: str = "001.Object") -> Path:
    """Write uint8 images (N, 3, H, W) and bool masks (N, H, W) as a folder in the CUB-200
    layout (``images/<category>/NNNNN.png``, ``segmentations/<category>/NNNNN.png``) that
    ``FolderDataset`` and ``--data`` read.  Refuses a folder that already holds images."""
    root = Path(root).expanduser()
    if (root / "images").exists() and _image_files(root / "images"):
        raise DatasetError(f"{root}/images already holds images; write to an empty folder")
    for sub in ("images",) + (("segmentations",) if masks is not None else ()):
        (root / sub / category).mkdir(parents=True, exist_ok=True)
    for i, img in enumerate(images):
        Image.fromarray(np.ascontiguousarray(img.transpose(1, 2, 0))).save(root / "images" / category / f"{i:05d}.png")
        if masks is not None:
            Image.fromarray(masks[i].astype(np.uint8) * 255).save(root / "segmentations" / category / f"{i:05d}.png")
    return root
