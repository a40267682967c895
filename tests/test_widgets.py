"""Widget callbacks, without a browser: set a control's value, check what is displayed."""
import torch

from comgan_lite import widgets
from comgan_lite.data import ShapesDataset


def _composer():
    items = [ShapesDataset("easy", 32, n=3)[i] for i in range(3)]
    return widgets.Composer(items), items


def test_render_is_eq1_with_the_chosen_layers():
    composer, items = _composer()
    out = composer.render(foreground=1, background=2, mask="square", mask_scale=0.5)
    m = out["mask"]
    assert torch.allclose(out["composite"], m * items[1]["fg"] + (1 - m) * items[2]["bg"])
    ones = composer.render(0, 1, composer.MASKS[-2])
    assert torch.equal(ones["composite"], items[0]["fg"])
    zeros = composer.render(0, 1, composer.MASKS[-1])
    assert torch.equal(zeros["composite"], items[1]["bg"])


def test_every_control_updates_the_displayed_image():
    composer, _ = _composer()
    controls = [(composer.foreground, 2), (composer.background, 2), (composer.mask, "heart"),
                (composer.mask_scale, 0.9), (composer.softness, 3.0)]
    for control, value in controls:
        before = composer.image.value
        control.value = value
        assert composer.image.value != before, control.description
        assert composer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_softness_makes_soft_pixels():
    composer, _ = _composer()
    hard = composer.render(0, 1, "circle", 0.6, 0.0)["mask"]
    soft = composer.render(0, 1, "circle", 0.6, 2.0)["mask"]
    n_soft = lambda m: int(((m > 0.01) & (m < 0.99)).sum())  # noqa: E731
    assert n_soft(soft) > 3 * n_soft(hard)
    composer.softness.value = 2.0
    assert "soft pixels" in composer.caption.value
