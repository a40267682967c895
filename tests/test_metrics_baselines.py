import numpy as np
import pytest

from comgan_lite import baselines, metrics
from comgan_lite.data import ShapesDataset


def test_iou_and_dice_fixed_and_best_of_two():
    gt = np.zeros((2, 8, 8), bool)
    gt[:, 2:6, 2:6] = True                       # 16 pixels
    pred = gt.copy()
    pred[1] = ~gt[1]                             # second prediction is inverted
    assert np.allclose(metrics.iou(pred, gt), [1.0, 0.0])
    assert np.allclose(metrics.iou(pred, gt, best_of_two=True), [1.0, 1.0])
    half = np.zeros((1, 8, 8), bool)
    half[:, 2:6, 2:4] = True                     # 8 of the 16
    assert np.isclose(metrics.iou(half, gt[:1])[0], 0.5)
    assert np.isclose(metrics.dice(half, gt[:1])[0], 2 * 8 / (8 + 16))
    assert metrics.iou(np.zeros((1, 4, 4)), np.zeros((1, 4, 4)))[0] == 1.0
    soft = np.full((1, 1, 8, 8), 0.4)            # (B, 1, H, W) probabilities below 0.5
    assert metrics.iou(soft, gt[:1])[0] == 0.0


def test_baselines_order_easy_above_hard():
    scores = {}
    for preset in ("easy", "hard"):
        a = ShapesDataset(preset, 32, split="test", n=40).arrays(cache=False, progress=False)
        images = a["image"].transpose(0, 2, 3, 1)
        gc = baselines.grabcut(images)
        assert gc.shape == a["mask"].shape and gc.dtype == bool
        scores[preset] = metrics.iou(gc, a["mask"]).mean()
        for method in (baselines.otsu, baselines.kmeans):
            assert method(images).shape == a["mask"].shape
    assert scores["easy"] > 0.75 and scores["hard"] < scores["easy"] - 0.15


def test_grabcut_on_a_flat_image_returns_background():
    flat = np.full((1, 32, 32, 3), 128, np.uint8)
    assert not baselines.grabcut(flat).any()


def test_normalized_mutual_information():
    from comgan_lite.metrics import normalized_mutual_information as nmi
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, 5000)
    assert nmi(a, a) == pytest.approx(1.0)
    assert nmi(a, (a + 1) % 4) == pytest.approx(1.0)        # renaming does not matter
    assert nmi(a, rng.integers(0, 4, 5000)) < 0.01           # independent
    assert 0.2 < nmi(a, a // 2) < 0.9                        # coarser: partial information
    with pytest.raises(ValueError):
        nmi(a, a[:10])


def test_frechet_distance_exact_cases():
    from comgan_lite.metrics import frechet_distance
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 5)) @ rng.normal(size=(5, 5))
    shift = np.arange(5.0)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert frechet_distance(a, a + shift) == pytest.approx((shift ** 2).sum(), rel=1e-6)
    # b = 2a: |mu_a|^2 + tr(S + 4S - 2 * 2S) = |mu_a|^2 + tr(S)
    expected = (a.mean(0) ** 2).sum() + np.trace(np.cov(a, rowvar=False))
    assert frechet_distance(a, 2 * a) == pytest.approx(expected, rel=1e-6)
    with pytest.raises(ValueError, match="same D"):
        frechet_distance(a, a[:, :3])
