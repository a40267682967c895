"""Eq. 1, the mask-gradient identity of Lemma 1 against autograd, and the diagnostics."""
import pytest
import torch

from comgan_lite import compose, losses


def _layers(seed=0, b=4, size=16):
    g = torch.Generator().manual_seed(seed)
    fg = torch.rand(b, 3, size, size, generator=g) * 2 - 1
    bg = torch.rand(b, 3, size, size, generator=g) * 2 - 1
    logits = torch.randn(b, 1, size, size, generator=g)
    return fg, bg, logits


def _loss(x):
    weights = torch.linspace(-1, 1, x[0].numel()).view_as(x[0])
    return (torch.tanh(x) * weights).sum() + (x ** 2).mean()


def test_compose_is_eq1_and_its_limits():
    fg, bg, logits = _layers()
    m = torch.sigmoid(logits)
    assert torch.allclose(compose.compose(fg, bg, m), m * fg + (1 - m) * bg)
    assert torch.equal(compose.compose(fg, bg, torch.ones_like(m)), fg)
    assert torch.equal(compose.compose(fg, bg, torch.zeros_like(m)), bg)


def test_mask_gradient_identity_matches_autograd():
    fg, bg, logits = _layers()
    m = torch.sigmoid(logits).requires_grad_(True)
    x = compose.compose(fg, bg, m)
    x.retain_grad()
    _loss(x).backward()
    assert torch.allclose(compose.mask_gradient(x.grad, fg, bg), m.grad, atol=1e-6)


def test_identical_layers_give_exactly_zero_mask_gradient():
    _, bg, logits = _layers()
    logits.requires_grad_(True)
    _loss(compose.compose(bg, bg, torch.sigmoid(logits))).backward()
    assert torch.count_nonzero(logits.grad) == 0


def test_saturated_sigmoid_gives_vanishing_logit_gradient():
    fg, bg, logits = _layers()
    healthy = logits.clone().requires_grad_(True)
    _loss(compose.compose(fg, bg, torch.sigmoid(healthy))).backward()
    saturated = (torch.sign(logits) * 20).requires_grad_(True)
    _loss(compose.compose(fg, bg, torch.sigmoid(saturated))).backward()
    assert saturated.grad.abs().max() < 1e-6 * healthy.grad.abs().max()


def test_diagnostics_tell_t1_and_t2_apart():
    fg, bg, logits = _layers(b=8)
    m = torch.sigmoid(logits)
    healthy = compose.diagnostics(fg, bg, m)
    assert healthy["trivial"] == 0 and healthy["layer_difference"] > 0.3
    mixed = torch.cat([torch.zeros(4, 1, 16, 16), torch.ones(4, 1, 16, 16)])
    t1 = compose.diagnostics(fg, bg, mixed)
    assert t1["trivial"] == 1.0 and t1["all_background"] == 0.5 and abs(t1["mask_mean"] - 0.5) < 1e-6
    assert t1["soft_share"] == 0.0
    t2 = compose.diagnostics(fg, fg, m)
    assert t2["layer_difference"] == 0.0
    assert compose.soft_share(torch.full((1, 1, 4, 4), 0.5)) == 1.0
    assert compose.soft_share(torch.full((1, 1, 4, 4), 0.995)) == 0.0


def test_feather_keeps_range_and_softens_edges():
    m = torch.zeros(1, 32, 32)
    m[:, 8:24, 8:24] = 1
    soft = compose.feather(m, 2.0)
    assert soft.shape == m.shape and soft.min() >= 0 and soft.max() <= 1
    assert compose.soft_share(soft[None]) > compose.soft_share(m[None])
    assert torch.equal(compose.feather(m, 0), m)
    assert compose.feather(m[None], 1.0).shape == (1, 1, 32, 32)


def test_binary_entropy_values_and_stability():
    m = torch.tensor([0.0, 0.5, 1.0])
    h = losses.binary_entropy(m, reduce=False)
    assert torch.isfinite(h).all() and abs(float(h[1]) - 1.0) < 1e-6 and float(h[0]) < 1e-4
    s = torch.linspace(-30, 30, 61, requires_grad=True)
    losses.binary_entropy_from_logits(s).backward()
    assert torch.isfinite(s.grad).all()
    assert torch.allclose(losses.binary_entropy_from_logits(s.detach()[25:36]),
                          losses.binary_entropy(torch.sigmoid(s.detach()[25:36])), atol=1e-5)


def test_no_real_mask_counts_as_trivial():
    from comgan_lite.data import ShapesDataset
    for preset in ("easy", "medium", "hard"):
        masks = torch.from_numpy(ShapesDataset(preset, 32, "test", 1000).arrays(progress=False)["mask"])
        assert compose.trivial_share(masks[:, None].float())["trivial"] == 0, preset
        if preset == "easy":   # nor as nearly trivial, inverted or not: easy objects cover 6 % or more
            for m in (masks.float(), 1 - masks.float()):
                near = compose.trivial_share(m[:, None].float(), compose.NEAR_TRIVIAL_LOW,
                                             compose.NEAR_TRIVIAL_HIGH)
                assert near["trivial"] == 0


def test_nearly_trivial_counts_nearly_empty_and_nearly_full_masks():
    masks = torch.zeros(4, 1, 10, 10)
    masks[0, 0, :2, :2] = 1        # 4 % of the image: nearly empty
    masks[1, 0, :3, :3] = 1        # 9 %: a small object
    masks[2] = 1
    masks[2, 0, 0, :3] = 0         # 97 %: nearly full
    masks[3] = 0.5                 # soft, not trivial
    assert compose.trivial_share(masks)["trivial"] == 0
    near = compose.trivial_share(masks, compose.NEAR_TRIVIAL_LOW, compose.NEAR_TRIVIAL_HIGH)
    assert (near["all_background"], near["all_foreground"]) == (0.25, 0.25)


def test_logit_gradient_stats_find_the_few_soft_pixels_and_their_direction():
    mask = torch.full((2, 1, 10, 10), 1e-4)          # saturated at T1 ...
    mask[0, 0, 3, 3] = 0.5                           # ... but for one soft pixel
    grad_mask = torch.ones_like(mask)                # dL/dm > 0: a descent step closes m
    stats = compose.logit_gradient_stats(grad_mask, mask)
    assert stats["grad_logits"] == pytest.approx((0.25 ** 2 + 199 * (1e-4 * (1 - 1e-4)) ** 2) ** 0.5)
    assert stats["top1_share"] > 0.99                # 2 of 200 pixels carry it all
    assert stats["opening_share"] == 0.0
    stats = compose.logit_gradient_stats(-grad_mask, mask)
    assert stats["opening_share"] == 1.0
    assert compose.logit_gradient_stats(torch.zeros_like(mask), mask)["grad_logits"] == 0.0


def test_logit_gradient_on_a_region_splits_the_gradient_by_where_it_lies():
    mask = torch.full((1, 1, 4, 4), 0.5)
    grad_mask = torch.ones_like(mask)                # closing everywhere ...
    grad_mask[0, 0, 0, :2] = -3.0                    # ... but opening, strongly, on two pixels
    region = torch.zeros_like(mask)
    region[0, 0, 0, :4] = 1                          # the top row: 4 of 16 pixels
    stats = compose.logit_gradient_on(region, grad_mask, mask)
    assert stats["area"] == 0.25
    # squares (times 1/16): 2 pixels of 9 and 2 of 1 inside, 12 of 1 outside
    assert stats["gradient_share"] == pytest.approx(20 / 32)
    assert stats["opening_share_in"] == pytest.approx(18 / 20)
    assert stats["opening_share_out"] == 0.0
    empty = compose.logit_gradient_on(torch.zeros_like(mask), grad_mask, mask)
    assert stats["mask_in"] == stats["mask_out"] == 0.5
    assert empty["gradient_share"] == 0.0 and empty["opening_share_in"] == 0.0 and empty["mask_in"] == 0.0
