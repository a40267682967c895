"""The factor classifier and the controllability / purity measurements (comgan_lite.factors)."""
import numpy as np
import pytest
import torch

from comgan_lite import factors, nets, train


def test_hue_bins_of_pure_colours():
    colours = [(1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 1, 1), (0, 0, 1), (1, 0, 1), (1, 0.2, 0.2)]
    rgb = np.array(colours, np.float32)[:, :, None, None] * np.ones((1, 1, 4, 4), np.float32)
    assert factors.hue_bins(rgb, np.ones((len(colours), 4, 4))).tolist() == [0, 1, 2, 3, 4, 5, 0]
    # the weights pick the region: red on the left half, blue on the right
    img = np.zeros((1, 3, 4, 4), np.float32)
    img[0, 0, :, :2], img[0, 2, :, 2:] = 1, 1
    left = np.zeros((1, 4, 4))
    left[0, :, :2] = 1
    assert factors.hue_bins(img, left).tolist() == [0] and factors.hue_bins(img, 1 - left).tolist() == [4]


def test_factor_labels_cover_every_class():
    _, y = factors.load_split("medium", 32, "test", 300)
    for k, names in factors.FACTORS.items():
        assert set(y[k].tolist()) == set(range(len(names))), k


def test_resample_changes_only_what_it_names():
    z, f, b = factors.fixed_inputs(200, 5)
    z2, f2, b2 = factors.resample((z, f, b), "f", 5, seed=1)
    assert torch.equal(z2, z) and torch.equal(b2, b) and (f2 != f).all() and f2.max() < 5
    z3, f3, b3 = factors.resample((z, f, b), "z", 5, seed=1)
    assert not torch.equal(z3, z) and torch.equal(f3, f) and torch.equal(b3, b)
    z4, f4, b4 = factors.resample((z, f, b), "all", 5, seed=1)
    assert not torch.equal(z4, z) and not torch.equal(f4, f) and not torch.equal(b4, b)


def test_disentanglement_on_an_untrained_generator():
    torch.manual_seed(0)
    g, clf = nets.make_ds_generator(32, n_codes=4), factors.FactorClassifier(32)
    d = factors.disentanglement(g, clf, n=64)
    table = d["control"]
    assert set(table) == {"z", "f", "b", "all"}
    assert set(table["f"]) == set(factors.FACTORS) | {"mask"}
    assert table["f"]["mask"] == 0 and table["b"]["mask"] == 0   # M reads z only
    assert table["z"]["mask"] > 0 and table["all"]["mask"] > 0
    assert all(0 <= v <= 1 for code in d["purity"].values() for v in code.values())


def test_classifier_save_load_and_wrong_file(tmp_path):
    model = factors.FactorClassifier(32).eval()
    factors.save_classifier(model, "medium", {"shape": 0.5}, tmp_path / "c.pt")
    loaded, info = factors.load_classifier(tmp_path / "c.pt")
    x = torch.randn(4, 3, 32, 32)
    assert torch.allclose(loaded(x)["shape"], model(x)["shape"], atol=1e-2)
    assert info["preset"] == "medium"
    train.save_atomic({"g": {}}, tmp_path / "other.pt")
    with pytest.raises(train.CheckpointError, match="not a factor-classifier file"):
        factors.load_classifier(tmp_path / "other.pt")


def test_vary_holds_the_other_inputs_fixed():
    torch.manual_seed(0)
    g = train.standing_statistics(nets.make_ds_generator(32, n_codes=3), factors.fixed_inputs(128, 3))
    out = factors.vary(g, "f", n_rows=2)
    assert out["image"].shape == (2, 3, 3, 32, 32)
    assert torch.allclose(out["bg"][:, :1].expand_as(out["bg"]), out["bg"])      # b, z fixed per row
    assert not torch.allclose(out["fg"][:, :1].expand_as(out["fg"]), out["fg"])  # f changes x_f
    by_z = factors.vary(g, "z", n_rows=2, n_cols=4)
    assert by_z["mask"].shape == (2, 4, 1, 32, 32)
    assert torch.allclose(by_z["mask"][0], by_z["mask"][1])   # same z per column, and M reads z only
    with pytest.raises(ValueError, match="only 3 codes"):
        factors.vary(g, "b", n_cols=5)


def test_shipped_classifier_reaches_its_stated_accuracy():
    from comgan_lite import evaluate
    model, info = factors.load_classifier(evaluate.FACTORS_PATH)
    now = factors.heldout_accuracy(model, info["preset"], info["size"])
    for k, stated in info["heldout_accuracy"].items():
        assert now[k] == pytest.approx(stated, abs=0.01), k
    assert min(now[k] for k in ("fg_class", "bg_class", "fg_hue", "bg_hue")) > 0.85


def test_a_classifier_of_other_widths_gets_one_line_naming_the_file_and_sizes(tmp_path):
    factors.save_classifier(factors.FactorClassifier(32, width=16), "medium", {}, tmp_path / "c.pt")
    ckpt = torch.load(tmp_path / "c.pt", weights_only=True)
    ckpt["width"] = 32                                     # the weights are for width 16
    torch.save(ckpt, tmp_path / "wide.pt")
    with pytest.raises(train.CheckpointError) as refused:
        factors.load_classifier(tmp_path / "wide.pt")
    said = str(refused.value)
    assert "wide.pt does not fit a 32 px factor classifier of width 32" in said
    assert "(16, 3, 3, 3) in the file, (32, 3, 3, 3) in" in said
    assert "\n" not in said and "weights_only" not in said
