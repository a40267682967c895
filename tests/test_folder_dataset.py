"""The folder dataset on folders the tests create: each problem gets a clear error."""
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
    _save(tmp_path / "images/002.Bird/b.jpg", _rgb())  # an image without mask is fine
    ds = FolderDataset(tmp_path, size=32)
    assert ds.layout == "cub" and len(ds) == 2 and ds.has_masks
    item = ds[0]
    assert item["image"].shape == (3, 32, 32) and item["mask"].shape == (1, 32, 32)
    assert 0.1 < item["mask"].mean() < 0.6
    assert "mask" not in ds[1]
    assert ds.check() == []


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
