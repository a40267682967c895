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


def _explorer():
    from comgan_lite import nets
    torch.manual_seed(0)
    return widgets.LatentExplorer(nets.make_ds_generator(32, n_codes=4), n_pairs=3, n_standing=128)


def test_explorer_codes_move_only_their_layer():
    ex = _explorer()
    base, new_f, new_b = ex.render(1, 0.5, 0, 1), ex.render(1, 0.5, 3, 1), ex.render(1, 0.5, 0, 2)
    assert not torch.equal(base["fg"], new_f["fg"]) and torch.equal(base["bg"], new_f["bg"])
    assert torch.equal(base["mask"], new_f["mask"]) and torch.equal(base["mask"], new_b["mask"])
    assert not torch.equal(base["bg"], new_b["bg"]) and torch.equal(base["fg"], new_b["fg"])
    ends = ex.render(1, 0.0, 0, 1), ex.render(1, 1.0, 0, 1)
    assert not torch.equal(ends[0]["mask"], ends[1]["mask"])           # z moves the mask
    assert torch.equal(ex.z(1, 0.0)[0], ex.pairs[1, 0]) and torch.allclose(ex.z(1, 1.0)[0], ex.pairs[1, 1])


def test_explorer_every_control_updates_the_displayed_image():
    ex = _explorer()
    for control, value in ((ex.f, 2), (ex.b, 3), (ex.t, 0.7), (ex.pair, 2)):
        before = ex.image.value
        control.value = value
        assert ex.image.value != before, control.description
    assert bytes(ex.image.value).startswith(b"\x89PNG")


def test_explorer_images_do_not_depend_on_each_other():
    ex = _explorer()
    one = ex.render(0, 0.3, 1, 2)
    again = ex.render(0, 0.3, 1, 2)
    assert torch.equal(one["image"], again["image"])
