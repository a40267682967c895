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
