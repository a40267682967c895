import numpy as np
import pytest
import torch

from comgan_lite import data
from comgan_lite.compose import compose
from comgan_lite.data import (DatasetError, PRESETS, SHAPES, SceneConfig, ShapesDataset,
                              render_scene, shape_mask)
from comgan_lite.emoji import EmojiDataset


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("size", [32, 64])
def test_item_is_an_exact_composite_with_ground_truth(preset, size):
    item = ShapesDataset(preset, size, n=5)[3]
    assert item["image"].shape == (3, size, size) and item["mask"].shape == (1, size, size)
    assert item["image"].min() >= -1 and item["image"].max() <= 1
    assert set(item["mask"].unique().tolist()) <= {0.0, 1.0}
    assert torch.allclose(compose(item["fg"], item["bg"], item["alpha"]), item["image"], atol=1e-5)
    assert torch.equal(item["mask"], (item["alpha"] > 0.5).float())
    labels = item["labels"]
    assert set(labels) == set(data.LABEL_KEYS)
    assert 0 <= int(labels["shape"]) < len(SHAPES)
    lo, hi = PRESETS[preset].scale_range
    assert lo <= float(labels["scale"]) <= hi


def test_items_are_deterministic_and_independent_of_order():
    a = render_scene(7, "train", 12, "medium", 32)
    b = render_scene(7, "train", 12, "medium", 32)
    assert np.array_equal(a["image"], b["image"]) and a["labels"] == b["labels"]
    c = render_scene(7, "test", 12, "medium", 32)
    d = render_scene(8, "train", 12, "medium", 32)
    assert not np.array_equal(a["image"], c["image"]) and not np.array_equal(a["image"], d["image"])


def test_presets_differ_in_their_knobs():
    easy = [render_scene(0, "train", i, "easy", 32)["labels"] for i in range(200)]
    hard = [render_scene(0, "train", i, "hard", 32)["labels"] for i in range(200)]
    assert {l["fg_class"] for l in easy} <= {0, 1} and {l["bg_class"] for l in easy} <= {0, 1}
    assert {l["fg_class"] for l in hard} == {0, 1, 2, 3}
    assert max(abs(l["cx"]) for l in easy) <= 0.1 < max(abs(l["cx"]) for l in hard)
    assert np.mean([l["scale"] for l in hard]) < np.mean([l["scale"] for l in easy])


def test_colour_overlap_makes_background_reuse_object_colour():
    cfg = SceneConfig(textures=False, colour_overlap=1.0)
    for i in range(20):
        item = render_scene(0, "train", i, cfg, 32)
        assert item["labels"]["bg_class"] != 0  # never flat: the object would vanish
    never = SceneConfig(textures=False, colour_overlap=0.0, muted_background=True)
    # disjoint palettes: object and background colours are far apart
    diffs = [np.abs(it["fg"][16, 16] - it["bg"][16, 16]).max()
             for it in (render_scene(0, "train", i, never, 32) for i in range(20))]
    assert min(diffs) > 0.05


def test_multi_object_masks_union_and_occlusion():
    ds = ShapesDataset("medium", 64, n=10, n_objects=(2, 4))
    for i in range(10):
        item = ds[i]
        masks = item["object_masks"]
        assert 2 <= masks.shape[0] <= 4
        assert masks.shape[0] == item["labels"]["n_objects"]
        union = masks.any(0).float()
        # visible object masks never overlap (later objects occlude earlier ones)
        assert int(masks.sum(0).max()) <= 1
        assert (union != item["mask"][0]).float().mean() < 0.02
        assert torch.allclose(compose(item["fg"], item["bg"], item["alpha"]), item["image"], atol=1e-5)


def test_arrays_are_cached_by_fingerprint(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    ds = ShapesDataset("easy", 32, split="val", n=30)
    a = ds.arrays(progress=False)
    files = list((tmp_path / "cache").glob("*.npz"))
    assert len(files) == 1 and ds.fingerprint() in files[0].name
    assert a["image"].shape == (30, 3, 32, 32) and a["image"].dtype == np.uint8
    b = ds.arrays(progress=False)
    assert np.array_equal(a["image"], b["image"]) and np.array_equal(a["shape"], b["shape"])
    first = ds[5]["image"]
    assert torch.allclose(data.images_to_tensor(a["image"][5:6])[0], first, atol=1 / 127)
    # a damaged cache is rebuilt, not trusted
    files[0].write_bytes(b"garbage")
    c = ds.arrays(progress=False)
    assert np.array_equal(a["image"], c["image"])
    # another config gives another file
    ShapesDataset("hard", 32, split="val", n=30).arrays(progress=False)
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2


def test_bad_arguments_say_what_to_do():
    with pytest.raises(DatasetError, match="choose one of"):
        ShapesDataset("impossible")
    with pytest.raises(DatasetError, match="split"):
        ShapesDataset("easy", split="training")
    with pytest.raises(DatasetError, match="size"):
        ShapesDataset("easy", size=48)


def test_shape_masks_have_sensible_areas():
    for name in SHAPES:
        m = shape_mask(name, 64, scale=0.6)
        assert 0.05 < m.mean() < 0.35, name
        assert m.min() == 0 and m.max() == 1


def test_emoji_dataset_uses_shipped_sprites_and_textures():
    ds = EmojiDataset(size=64, n=12)
    assert len(ds.sprites) >= 30
    cats = {c for _, c, _ in ds.sprites}
    assert cats == {"bird", "flower", "car"}
    kinds = set()
    for i in range(12):
        item = ds[i]
        assert item["image"].shape == (3, 64, 64)
        assert 0.05 < item["mask"].mean() < 0.8
        assert torch.allclose(compose(item["fg"], item["bg"], item["alpha"]), item["image"], atol=1e-5)
        kinds.add(item["labels"]["background"].split(":")[0])
    assert "texture" in kinds and len(kinds) >= 2  # textures and procedural backgrounds


def _assert_test_only(held_out: str, train_on: str):
    """``held_out`` renders its test split, refuses train and val (naming ``train_on``), and is
    no choice of the trainer or the segmenter, while ``train_on`` is."""
    from comgan_lite import segment, train
    a = data.load_arrays(held_out, 32, "test", 8, progress=False)
    assert a["image"].shape == (8, 3, 32, 32) and 0.05 < a["mask"].mean() < 0.8
    for split in ("train", "val"):
        with pytest.raises(DatasetError, match=train_on):
            data.load_arrays(held_out, 32, split, 8, progress=False)
    assert train_on in data.TRAINABLE and held_out not in data.TRAINABLE
    assert held_out not in train.TrainConfig.CHOICES["preset"]
    assert held_out not in segment.SegConfig.CHOICES["dataset"]


def test_held_out_sprites_are_disjoint_and_never_trainable():
    """The held-out-sprite split: emoji-seen and emoji-unseen share no sprite, together they are
    the emoji set, and no training stage (train, segment, their val split) can read emoji-unseen."""
    seen, unseen = EmojiDataset(32, sprites="seen"), EmojiDataset(32, split="test", sprites="unseen")
    names = {n for n, _, _ in seen.sprites}, {n for n, _, _ in unseen.sprites}
    assert not names[0] & names[1] and len(names[0] | names[1]) == len(EmojiDataset(32).sprites)
    assert {c for _, c, _ in unseen.sprites} == {"bird", "flower", "car"} and len(names[1]) == 10
    _assert_test_only("emoji-unseen", train_on="emoji-seen")
    with pytest.raises(DatasetError, match="sprites must be"):
        EmojiDataset(32, sprites="some")


def test_unseen_style_is_disjoint_and_never_trainable():
    """The unseen-style split: emoji-noto-openmoji trains on two art styles of the 44 emoji,
    emoji-fluent tests on Fluent's flat and modern styles of the same emoji, which no training
    stage (train, segment, their val split) can read."""
    from comgan_lite.emoji import ART_SETS, sprite_keys
    trained = EmojiDataset(32, art=("noto", "openmoji"))
    unseen = EmojiDataset(32, split="test", art=("fluent-flat", "fluent-modern"))
    assert not set(trained.sprite_art) & set(unseen.sprite_art)
    assert len(trained.sprites) == len(unseen.sprites) == 88
    assert {n for n, _, _ in trained.sprites} == {n for n, _, _ in unseen.sprites}   # same emoji, other art
    assert len(set(sprite_keys(unseen))) == 88 and "fluent-flat:duck" in sprite_keys(unseen)
    assert sprite_keys(EmojiDataset(32))[0] == "bird"     # Noto names bare: emoji's cache keys as before
    labels = [trained[i]["labels"]["art"] for i in range(40)]
    assert {ART_SETS[a] for a in labels} == {"noto", "openmoji"}
    _assert_test_only("emoji-fluent", train_on="emoji-noto-openmoji")
    with pytest.raises(DatasetError, match="art must be"):
        EmojiDataset(32, art=("emojione",))
