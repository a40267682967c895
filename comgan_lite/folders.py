"""Your own images: ``FolderDataset`` reads a folder in the CUB-200 layout or a plain folder.

It also holds the helpers that open, convert and resize those image files.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from .data import DatasetError, to_tensor_image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def _image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def _open_image(path: Path) -> Image.Image:
    """Open and fully decode an image, with an error that names the file and says what to do."""
    try:
        img = Image.open(path)
        img.load()
        return img
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


def _to_mask(img: Image.Image) -> np.ndarray:
    """Any mask image (8- or 16-bit gray, RGB, RGBA) -> float array in [0, 1]."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(img, np.float32)
        return a / (65535.0 if a.max() > 255 else 255.0)
    return np.asarray(img.convert("L"), np.float32) / 255.0


def _square_resize(img: Image.Image, size: int, resample) -> Image.Image:
    """Resize the shorter side to ``size`` and centre-crop a square (the paper's eval crop)."""
    w, h = img.size
    scale = size / min(w, h)
    img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))), resample)
    w, h = img.size
    left, top = (w - size) // 2, (h - size) // 2
    return img.crop((left, top, left + size, top + size))


class FolderDataset(torch.utils.data.Dataset):
    """Real images from a folder: CUB-200 layout or a plain folder of images.

    CUB layout: ``root/images/<any/path>.jpg`` and ``root/segmentations/<any/path>.png`` with
    the same relative path (suffix may differ).  A plain folder gives images without masks.
    Images are resized (shorter side) and centre-cropped to ``size``; grayscale, RGBA and 16-bit
    files are converted.  Problems raise ``DatasetError`` with what to do.
    """

    def __init__(self, root: str | os.PathLike, size: int = 64):
        self.root = Path(root).expanduser()
        self.size = size
        if not self.root.exists():
            raise DatasetError(f"folder {self.root} does not exist; check the path (it is "
                               f"resolved from {Path.cwd()})")
        if not self.root.is_dir():
            raise DatasetError(f"{self.root} is a file, not a folder; pass the folder that "
                               "holds your images")
        images_dir, masks_dir = self.root / "images", self.root / "segmentations"
        if images_dir.is_dir():
            self.layout = "cub"
            self.images = _image_files(images_dir)
            masks = _image_files(masks_dir) if masks_dir.is_dir() else []
            by_stem = {p.relative_to(masks_dir).with_suffix(""): p for p in masks}
            image_stems = {p.relative_to(images_dir).with_suffix("") for p in self.images}
            orphans = sorted(set(by_stem) - image_stems)
            if orphans:
                raise DatasetError(
                    f"{len(orphans)} mask(s) in {masks_dir} have no image in {images_dir}, e.g. "
                    f"{by_stem[orphans[0]]}; masks must match images by relative path "
                    "(images/a/b.jpg <-> segmentations/a/b.png). Remove the stray masks or add "
                    "their images.")
            self.masks = [by_stem.get(p.relative_to(images_dir).with_suffix("")) for p in self.images]
        else:
            self.layout = "plain"
            self.images = _image_files(self.root)
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
            m = Image.fromarray(np.round(_to_mask(mask_img) * 255).astype(np.uint8))
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

