"""The exercise checkers accept right answers, reject wrong ones, and wait for None."""
import torch

from comgan_lite import exercises
from comgan_lite.compose import compose
from comgan_lite.data import ShapesDataset


def _layers():
    item = ShapesDataset("easy", 32, n=1)[0]
    return item["fg"], item["bg"]


def test_background_mask(capsys):
    fg, bg = _layers()
    assert exercises.check_background_mask(None, fg, bg) is None
    assert "Not answered" in capsys.readouterr().out
    assert exercises.check_background_mask(torch.zeros(1, 32, 32), fg, bg)
    assert not exercises.check_background_mask(torch.ones(1, 32, 32), fg, bg)
    assert not exercises.check_background_mask(torch.zeros(5, 7), fg, bg)  # wrong shape


def test_mask_gradient():
    fg, bg = _layers()
    assert exercises.check_mask_gradient((fg - bg).sum(0, keepdim=True), fg, bg)
    assert not exercises.check_mask_gradient((fg - bg).sum(0), fg, bg)  # shape 32 x 32
    assert not exercises.check_mask_gradient((bg - fg).sum(0, keepdim=True), fg, bg)
    m = torch.full((1, 32, 32), 0.3)
    assert torch.allclose(compose(fg, bg, m), m * fg + (1 - m) * bg)


def test_sigmoid_peak():
    assert exercises.check_sigmoid_peak((0.5, 0.25))
    assert not exercises.check_sigmoid_peak((0.5, 0.5))
    assert not exercises.check_sigmoid_peak("one half")


def test_trivial_kind():
    assert exercises.check_trivial_kind({"A": "T2", "B": "t1", "C": "none"})
    assert not exercises.check_trivial_kind({"A": "T1", "B": "T2", "C": "none"})


def test_saturation_factor():
    assert exercises.check_saturation_factor(3.35e-4)
    assert not exercises.check_saturation_factor(0.25)
    assert not exercises.check_saturation_factor("tiny")
    assert exercises.check_saturation_factor(None) is None


def test_sgd_escape():
    import math
    assert exercises.check_sgd_escape((math.exp(8) - 1) / 0.05)   # the closed form
    assert not exercises.check_sgd_escape(300)                      # Adam's pace, not SGD's
    assert 55_000 < exercises.sgd_escape_steps() < 65_000


def _rows():
    return [{"run": "a", "family": "pi1", "iou": 0.9, "iou_best_of_two": 0.9},
            {"run": "b", "family": "pi2", "iou": 0.1, "iou_best_of_two": 0.4},
            {"run": "c", "family": "comgan", "iou": 0.02, "iou_best_of_two": 0.95}]


def test_slowest_family():
    assert exercises.check_slowest_family("Pi2", _rows())
    assert not exercises.check_slowest_family("comgan", _rows())


def test_trunk_share():
    from comgan_lite import nets
    table = nets.parameter_table(nets.make_generator("comgan", 32))
    assert exercises.check_trunk_share(table["trunk"] / table["total"], table)
    assert not exercises.check_trunk_share(0.5, table)


def test_inverted_faithfulness():
    from comgan_lite import evaluate, metrics
    images = torch.rand(4, 3, 32, 32) * 2 - 1
    mask = torch.rand(4, 1, 32, 32)
    seen = evaluate.oracle_model().predict(images) > 0.5
    right = float(metrics.iou(1 - mask, seen).mean())
    assert exercises.check_inverted_faithfulness(right, {"image": images, "mask": mask})
    assert not exercises.check_inverted_faithfulness(right + 0.1, {"image": images, "mask": mask})


def test_deep_mask_parameters():
    from comgan_lite import nets
    n = nets.count_parameters(nets.make_generator("comgan", 32, n_res_mask=2).mask)
    assert exercises.check_deep_mask_parameters(n)
    assert not exercises.check_deep_mask_parameters(n + 1)


def test_coded_head_channels():
    from comgan_lite import nets
    g = nets.make_ds_generator(32, n_codes=8)
    assert exercises.check_coded_head_channels(None, g) is None
    assert exercises.check_coded_head_channels(72, g)
    assert not exercises.check_coded_head_channels(64, g)
    assert exercises.check_coded_head_channels(24, nets.make_ds_generator(32, n_codes=8, global_features=False))


def test_code_pairs():
    assert exercises.check_code_pairs(None, 8) is None
    assert exercises.check_code_pairs((8, None), 8) is None
    assert exercises.check_code_pairs((8, 64), 8)
    assert not exercises.check_code_pairs((64, 64), 8)
    assert not exercises.check_code_pairs(("eight", 64), 8)
    assert not exercises.check_code_pairs(8, 8)


def test_change_rate():
    from comgan_lite import factors, nets, train
    torch.manual_seed(0)
    g, clf = nets.make_ds_generator(32, n_codes=4), factors.FactorClassifier(32).eval()
    inputs = factors.fixed_inputs(128, 4, 64, 2024)
    before = factors.predict(clf, train.sample(g, *inputs)["image"])["fg_hue"]
    after = factors.predict(clf, train.sample(g, *factors.resample(inputs, "f", 4, 2025))["image"])["fg_hue"]
    rate = float((before != after).float().mean())
    assert exercises.check_change_rate(None, g, clf, "f", "fg_hue") is None
    assert exercises.check_change_rate(rate, g, clf, "f", "fg_hue")
    assert not exercises.check_change_rate(rate + 0.1, g, clf, "f", "fg_hue")


def test_verify_accepts_the_reference_and_needs_a_rejected_wrong_answer(capsys):
    import pytest
    exercises.verify(exercises.check_sigmoid_peak, (0.5, 0.25), (0.5, 0.5))
    assert "rejects (0.5, 0.5) with: Not yet. Hint:" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="rejects the reference answer"):
        exercises.verify(exercises.check_sigmoid_peak, (0.5, 0.5), (0.5, 0.25))
    with pytest.raises(AssertionError, match="does not reject"):
        exercises.verify(exercises.check_sigmoid_peak, (0.5, 0.25), (0.5, 0.25))


def test_hints_guide_without_printing_code(capsys):
    """A hint names ideas, not the expression that answers the exercise."""
    fg, bg = _layers()
    exercises.check_mask_gradient(torch.zeros(1, 32, 32), fg, bg)
    exercises.check_inverted_faithfulness(0.0, {"image": torch.zeros(2, 3, 32, 32),
                                                "mask": torch.zeros(2, 1, 32, 32)})
    exercises.check_largest_gain("nowhere", {"easy": {"ds": {"iou": 0.9}, "cons": {"iou": 0.8}}})
    out = capsys.readouterr().out
    for code in ("predict(", ".mean()", "metrics.iou(", "['ds']", "x_f - x_b"):
        assert code not in out, code


def test_settling_step():
    rows = [{"step": s, "iou_best_of_two": v} for s, v in
            zip(range(1000, 7000, 1000), (0.50, 0.80, 0.93, 0.951, 0.962, 0.948))]
    assert exercises.check_settling_step(None, rows, 0.02) is None
    assert exercises.check_settling_step(4000, rows, 0.02)
    assert exercises.check_settling_step(3000, rows, 0.05)
    assert not exercises.check_settling_step(3000, rows, 0.02)
    assert not exercises.check_settling_step("soon", rows, 0.02)
    assert exercises._settled_at(rows[:4], "iou_best_of_two", 0.02) is None   # too few milestones left


def test_settling_step_follows_the_rule_of_the_settling_report():
    from comgan_lite import shipped
    from lab import settling
    for beta in (0.1, 1.0):
        for p in shipped.long_runs(beta):
            rows = shipped.read_milestones(p)
            for key, tol in settling.SETTLE_TOL.items():
                assert exercises._settled_at(rows, key, tol) == settling.settled_at(rows, key, tol), p.name


def test_global_batch_epoch_steps_and_folder_iou(capsys):
    assert exercises.check_global_batch(None, 4, 24) is None
    assert exercises.check_global_batch(96, 4, 24) and not exercises.check_global_batch(24, 4, 24)
    assert exercises.check_epoch_steps(130, 11_788, 90) and not exercises.check_epoch_steps(131, 11_788, 90)
    truth = torch.zeros(2, 1, 4, 4)
    truth[:, :, :2] = 1
    soft = truth * 0.9
    soft[1, :, 0] = 0.2                                  # image 2 misses half its object: IoU 0.5
    assert exercises.check_folder_iou(0.75, soft, truth)
    assert not exercises.check_folder_iou(0.9, soft, truth)
    assert "Hint:" in capsys.readouterr().out
