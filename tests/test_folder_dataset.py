"""The folder dataset on folders the tests create: each problem gets a clear error."""
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from comgan_lite.data import DatasetError
from comgan_lite.folders import FolderDataset


def _save(path, array, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array, mode).save(path) if mode else Image.fromarray(array).save(path)


def _rgb(h=40, w=60):
    return np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8)


def _mask(h=40, w=60):
    m = np.zeros((h, w), np.uint8)
    m[10:30, 20:40] = 255
    return m


def test_cub_layout_pairs_images_and_masks(tmp_path):
    _save(tmp_path / "images/001.Bird/a.jpg", _rgb())
    _save(tmp_path / "segmentations/001.Bird/a.png", _mask())
    _save(tmp_path / "images/002.Bird/b.jpg", _rgb())
    _save(tmp_path / "segmentations/002.Bird/b.png", _mask())
    ds = FolderDataset(tmp_path, size=32)
    assert ds.layout == "cub" and len(ds) == 2 and ds.has_masks
    item = ds[0]
    assert item["image"].shape == (3, 32, 32) and item["mask"].shape == (1, 32, 32)
    assert 0.1 < item["mask"].mean() < 0.6
    assert ds.check() == []


def test_cub_layout_without_segmentations_gives_images_only(tmp_path):
    _save(tmp_path / "images/a.jpg", _rgb())
    ds = FolderDataset(tmp_path, size=32)
    assert ds.layout == "cub" and len(ds) == 1 and not ds.has_masks and "mask" not in ds[0]


def test_plain_folder_without_masks(tmp_path):
    _save(tmp_path / "x.png", _rgb())
    _save(tmp_path / "sub/y.jpg", _rgb(50, 50))
    ds = FolderDataset(tmp_path, size=32)
    assert ds.layout == "plain" and len(ds) == 2 and not ds.has_masks
    assert ds[1]["image"].shape == (3, 32, 32)


def test_missing_folder(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        FolderDataset(tmp_path / "nope")


def test_file_instead_of_folder(tmp_path):
    _save(tmp_path / "x.png", _rgb())
    with pytest.raises(DatasetError, match="not a folder"):
        FolderDataset(tmp_path / "x.png")


def test_no_images(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DatasetError, match="no images found"):
        FolderDataset(tmp_path)


def test_mask_without_image(tmp_path):
    _save(tmp_path / "images/a.jpg", _rgb())
    _save(tmp_path / "segmentations/a.png", _mask())
    _save(tmp_path / "segmentations/stray.png", _mask())
    with pytest.raises(DatasetError, match="have no image"):
        FolderDataset(tmp_path)


def test_truncated_file_names_the_file(tmp_path):
    _save(tmp_path / "good.png", _rgb())
    _save(tmp_path / "bad.png", _rgb())
    data = (tmp_path / "bad.png").read_bytes()
    (tmp_path / "bad.png").write_bytes(data[: len(data) // 2])
    ds = FolderDataset(tmp_path)
    bad = [i for i, p in enumerate(ds.images) if p.name == "bad.png"][0]
    with pytest.raises(DatasetError, match="bad.png.*truncated or not an image"):
        ds[bad]
    problems = ds.check()
    assert len(problems) == 1 and "bad.png" in problems[0]


def test_unreadable_file(tmp_path):
    (tmp_path / "fake.jpg").write_bytes(b"this is not a jpeg")
    with pytest.raises(DatasetError, match="fake.jpg"):
        FolderDataset(tmp_path)[0]


def test_image_mask_size_mismatch(tmp_path):
    _save(tmp_path / "images/a.jpg", _rgb(40, 60))
    _save(tmp_path / "segmentations/a.png", _mask(20, 30))
    with pytest.raises(DatasetError, match="must have its image's size"):
        FolderDataset(tmp_path)[0]


@pytest.mark.parametrize("kind", ["gray", "rgba", "gray16", "palette"])
def test_unusual_modes_are_converted(tmp_path, kind):
    rgb = _rgb()
    if kind == "gray":
        _save(tmp_path / "a.png", rgb[..., 0])
    elif kind == "rgba":
        _save(tmp_path / "a.png", np.dstack([rgb, np.full(rgb.shape[:2], 128, np.uint8)]))
    elif kind == "gray16":
        Image.fromarray((rgb[..., 0].astype(np.uint16) * 257)).save(tmp_path / "a.png")
    else:
        Image.fromarray(rgb).convert("P").save(tmp_path / "a.png")
    item = FolderDataset(tmp_path, size=32)[0]
    assert item["image"].shape == (3, 32, 32)
    assert -1 <= item["image"].min() and item["image"].max() <= 1
    assert item["image"].std() > 0.05  # real content, not a blank


def test_sixteen_bit_mask(tmp_path):
    _save(tmp_path / "images/a.jpg", _rgb())
    (tmp_path / "segmentations").mkdir()
    Image.fromarray(_mask().astype(np.uint16) * 257).save(tmp_path / "segmentations/a.png")
    m = FolderDataset(tmp_path, size=32)[0]["mask"]
    assert 0.1 < m.mean() < 0.6


# ----------------------------------------------------------------------------------------------
# Masks as people store them, and folders as people fill them
# ----------------------------------------------------------------------------------------------
def _object():
    """The object of ``_mask()`` as a bool array (rows 10-29, columns 20-39 of 40x60)."""
    return _mask() > 0


def _stored_mask(kind):
    """``_object()`` stored the way ``kind`` says."""
    on = _object()
    if kind == "label01":                                   # a label map: 0 and 1
        return Image.fromarray(on.astype(np.uint8))
    if kind == "gray255":
        return Image.fromarray(on.astype(np.uint8) * 255)
    if kind == "palette":                                   # index 1 is a dark red
        img = Image.fromarray(on.astype(np.uint8), "P")
        img.putpalette([0, 0, 0, 64, 0, 0] + [0] * 762)
        return img
    if kind == "rgb_colour":                                # colour-coded, one dark colour
        rgb = np.zeros((*on.shape, 3), np.uint8)
        rgb[on] = (0, 0, 40)
        return Image.fromarray(rgb)
    if kind == "rgb_white":
        return Image.fromarray(np.repeat(on[..., None].astype(np.uint8) * 255, 3, 2))
    if kind == "rgba_alpha":                                # a cut-out: the alpha is the mask
        rgba = np.dstack([_rgb(), on.astype(np.uint8) * 255])
        return Image.fromarray(rgba, "RGBA")
    if kind == "rgba_opaque":                               # opaque: the colours are the mask
        rgba = np.dstack([np.repeat(on[..., None].astype(np.uint8) * 255, 3, 2),
                          np.full(on.shape, 255, np.uint8)])
        return Image.fromarray(rgba, "RGBA")
    if kind == "soft":                                      # CUB-like agreement levels
        levels = np.where(on, 204, 0).astype(np.uint8)
        levels[:, :5] = 51                                   # one annotator of five: not the object
        return Image.fromarray(levels)
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["label01", "gray255", "palette", "rgb_colour", "rgb_white",
                                  "rgba_alpha", "rgba_opaque", "soft"])
def test_masks_are_read_as_people_store_them(tmp_path, kind):
    from comgan_lite.folders import _to_mask
    _save(tmp_path / "images/a.jpg", _rgb())
    (tmp_path / "segmentations").mkdir()
    _stored_mask(kind).save(tmp_path / "segmentations/a.png")
    assert np.array_equal(_to_mask(Image.open(tmp_path / "segmentations/a.png")), _object())
    m = FolderDataset(tmp_path, size=40)[0]["mask"][0].numpy()
    assert np.abs(m - _object()[:, 10:50]).mean() < 0.02      # the centre crop of the object


def test_images_without_masks_are_refused_unless_allowed(tmp_path, capsys):
    _save(tmp_path / "images/a.jpg", _rgb())
    _save(tmp_path / "segmentations/a.png", _mask())
    for i in range(12):
        _save(tmp_path / f"images/sub/n{i:02d}.jpg", _rgb())
    with pytest.raises(DatasetError) as refused:
        FolderDataset(tmp_path)
    said = str(refused.value)
    assert "12 of 13 image(s)" in said and "sub/n00.jpg" in said and "sub/n09.jpg" in said
    assert "sub/n10.jpg" not in said and "and 2 more" in said
    assert "allow_missing_masks=True" in said
    ds = FolderDataset(tmp_path, size=32, allow_missing_masks=True)
    assert len(ds) == 1 and ds.has_masks and len(ds.skipped) == 12
    assert "skipped 12 image(s) without a mask" in capsys.readouterr().out


def test_two_images_of_one_name_are_an_error_naming_both(tmp_path):
    _save(tmp_path / "images/x.jpg", _rgb())
    _save(tmp_path / "images/x.png", _rgb())
    _save(tmp_path / "segmentations/x.png", _mask())
    with pytest.raises(DatasetError, match=r"x\.jpg and .*x\.png have the same name"):
        FolderDataset(tmp_path)


def test_two_images_of_one_name_in_a_plain_folder_are_both_kept(tmp_path):
    _save(tmp_path / "x.jpg", _rgb())
    _save(tmp_path / "x.png", _rgb())
    ds = FolderDataset(tmp_path, size=32)
    assert [p.name for p in ds.images] == ["x.jpg", "x.png"] and not ds.has_masks
    assert [Path(ds[i]["path"]).name for i in range(2)] == ["x.jpg", "x.png"]


def test_hidden_files_and_folders_are_skipped(tmp_path):
    for layout in ("plain", "cub"):
        root = tmp_path / layout
        images = root / "images" if layout == "cub" else root
        _save(images / "a.jpg", _rgb())
        if layout == "cub":
            _save(root / "segmentations/a.png", _mask())
            (root / "segmentations/._a.png").write_bytes(b"\x00\x05 AppleDouble")
        (images / "._a.jpg").write_bytes(b"\x00\x05 AppleDouble")   # macOS resource fork
        (images / ".hidden.png").write_bytes(b"junk")
        _save(images / ".ipynb_checkpoints/a-checkpoint.jpg", _rgb())
        ds = FolderDataset(root, size=32)
        assert [p.name for p in ds.images] == ["a.jpg"] and ds.check() == [], layout


@pytest.mark.parametrize("pixels", [150, 250])   # a DecompressionBombWarning, then an Error
def test_an_oversized_image_says_resize_it(tmp_path, monkeypatch, pixels):
    import warnings
    _save(tmp_path / "big.png", _rgb(10, pixels // 10))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)       # > 100 px: a warning; > 200: an error
    with warnings.catch_warnings():
        warnings.simplefilter("error")                        # nothing leaks out as a warning
        with pytest.raises(DatasetError, match=r"big\.png is too large.*Resize it") as refused:
            FolderDataset(tmp_path)[0]
    assert "bomb" not in str(refused.value).lower() and "MAX_IMAGE_PIXELS" not in str(refused.value)


def test_the_gan_and_the_segmenter_train_on_a_folder(tmp_path, capsys):
    """--data: the trainer and the segmenter read a CUB-layout folder; its masks serve only to
    report val_iou; a plain folder has none (val_iou is nan); a wrong path stops before writing."""
    import math

    from comgan_lite import data, folders, segment, train
    a = data.load_arrays("easy", 32, "val", 24, progress=False)
    cub = folders.write_cub_folder(tmp_path / "mine", a["image"], a["mask"])
    back = folders.folder_arrays(cub, 32, progress=False)
    assert (back["image"] == a["image"]).all() and (back["mask"] == a["mask"]).all()
    tiny = ["--steps", "2", "--batch-size", "4", "--log-every", "1", "--no-progress"]
    train.main(["--family", "dscomgan", "--data", str(cub), *tiny, "--out", str(tmp_path / "gan")])
    assert json.loads((tmp_path / "gan" / "config.json").read_text())["data"] == str(cub)
    segment.main(["--mode", "ds", "--generator", str(tmp_path / "gan"), "--data", str(cub), "--size", "32",
                  *tiny, "--n-standing", "64", "--out", str(tmp_path / "s")])
    rows = [json.loads(line) for line in (tmp_path / "s" / "metrics.jsonl").read_text().splitlines()]
    assert 0 <= rows[-1]["val_iou"] <= 1
    plain = folders.write_cub_folder(tmp_path / "plain", a["image"][:8])   # images/ only: no masks
    segment.main(["--mode", "cons", "--generator", str(tmp_path / "gan"), "--data", str(plain), "--size", "32",
                  *tiny, "--n-standing", "64", "--out", str(tmp_path / "s2")])
    rows = [json.loads(line) for line in (tmp_path / "s2" / "metrics.jsonl").read_text().splitlines()]
    assert math.isnan(rows[-1]["val_iou"])
    for main in (train.main, segment.main):
        with pytest.raises(SystemExit) as stop:
            main(["--data", str(tmp_path / "nowhere"), *tiny, "--out", str(tmp_path / "never")])
        assert stop.value.code == 2 and "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()
