"""Networks: shapes, ranges, what is shared, Corollary 1's size rules, the discriminator."""
import pytest
import torch
import torch.nn as nn

from comgan_lite import nets
from comgan_lite.compose import compose
from comgan_lite.nets import (CONFIGS, FAMILIES, ComGAN, Discriminator, Pi1, Pi2, Trunk,
                              count_parameters, get_mask_parameters, make_generator,
                              parameter_table)

B = 4


@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(n)


def n_convs(module: nn.Module) -> int:
    return sum(isinstance(m, nn.Conv2d) for m in module.modules())


def ids(module_or_params) -> set[int]:
    params = module_or_params.parameters() if isinstance(module_or_params, nn.Module) \
        else module_or_params
    return {id(p) for p in params}


def grads_reached(gen: nn.Module, key: str) -> dict[str, bool]:
    """Backpropagate out[key].sum() and say which children got a nonzero gradient."""
    gen.zero_grad(set_to_none=True)
    gen(torch.randn(B, gen.z_dim))[key].sum().backward()
    return {name: any(p.grad is not None and p.grad.abs().sum() > 0 for p in child.parameters())
            for name, child in gen.named_children()}


@pytest.mark.parametrize("size", [32, 64])
@pytest.mark.parametrize("family", FAMILIES)
def test_outputs_shapes_ranges_and_composite(family, size):
    gen = make_generator(family, size)
    out = gen(torch.randn(B, 64))
    assert set(out) == {"image", "fg", "bg", "mask", "mask_logits"}
    for key in ("image", "fg", "bg"):
        assert out[key].shape == (B, 3, size, size)
        assert out[key].min() >= -1 and out[key].max() <= 1
    for key in ("mask", "mask_logits"):
        assert out[key].shape == (B, 1, size, size)
    assert out["mask"].min() >= 0 and out["mask"].max() <= 1
    assert torch.allclose(out["mask"], torch.sigmoid(out["mask_logits"]))
    assert torch.equal(out["image"], compose(out["fg"], out["bg"], out["mask"]))  # eq. 1
    gen.eval()  # BatchNorm running statistics: a single sample works too
    with torch.no_grad():
        assert gen(torch.randn(1, 64))["image"].shape == (1, 3, size, size)


def test_trunk_taps():
    trunk = Trunk(z_dim=64, size=32, width=128)
    acts = trunk(torch.randn(B, 64), taps=True)
    assert [tuple(a.shape[1:]) for a in acts] == [(64, 8, 8), (32, 16, 16), (16, 32, 32)]
    assert trunk.out_channels == 16


def test_comgan_heads_all_reach_the_shared_trunk():
    gen = make_generator("comgan")
    assert grads_reached(gen, "fg") == dict(trunk=True, fg=True, bg=False, mask=False)
    assert grads_reached(gen, "bg") == dict(trunk=True, fg=False, bg=True, mask=False)
    assert grads_reached(gen, "mask") == dict(trunk=True, fg=False, bg=False, mask=True)


def test_pi1_background_has_its_own_path():
    gen = make_generator("pi1")
    assert grads_reached(gen, "bg") == dict(fm_trunk=False, bg_trunk=True, fg=False, bg=True,
                                            mask=False)
    assert grads_reached(gen, "mask") == dict(fm_trunk=True, bg_trunk=False, fg=False, bg=False,
                                              mask=True)


def test_pi2_three_independent_generators():
    gen = make_generator("pi2")
    reached = grads_reached(gen, "mask")
    assert reached == dict(fg_trunk=False, bg_trunk=False, mask_trunk=True, fg=False, bg=False,
                           mask=True)
    fg_gen, bg_gen = ids(gen.fg_trunk) | ids(gen.fg), ids(gen.bg_trunk) | ids(gen.bg)
    mask_gen = ids(get_mask_parameters(gen))
    assert mask_gen == ids(gen.mask_trunk) | ids(gen.mask)
    assert not (mask_gen & fg_gen) and not (mask_gen & bg_gen) and not (fg_gen & bg_gen)
    assert fg_gen | bg_gen | mask_gen == ids(gen)


@pytest.mark.parametrize("family", ["comgan", "pi1"])
def test_mask_parameters_are_the_m_head(family):
    gen = make_generator(family)
    assert ids(get_mask_parameters(gen)) == ids(gen.mask)


def test_comgan_parameter_sets_partition():
    gen = make_generator("comgan")
    parts = [ids(gen.trunk), ids(gen.fg), ids(gen.bg), ids(gen.mask)]
    assert sum(map(len, parts)) == len(ids(gen))  # disjoint and complete
    assert set().union(*parts) == ids(gen)


@pytest.mark.parametrize("size", [32, 64])
def test_corollary1_head_rules(size):
    gen = make_generator("comgan", size)
    # F and B: identical architecture, separate weights
    assert [p.shape for p in gen.fg.parameters()] == [p.shape for p in gen.bg.parameters()]
    assert not ids(gen.fg) & ids(gen.bg)
    # M shallower than F / B: fewer convs and fewer residual blocks
    assert n_convs(gen.mask) < n_convs(gen.fg) == n_convs(gen.bg)
    assert (n_convs(gen.mask), n_convs(gen.fg)) == (3, 5)
    # Phi holds the capacity: trunk >= 5x the largest head (method.md 8, rule 3)
    table = parameter_table(gen)
    assert table["trunk"] >= 5 * max(table["fg"], table["bg"], table["mask"])


def test_default_comgan_32_parameter_count():
    table = parameter_table(make_generator("comgan", 32))
    assert table == dict(trunk=464_320, fg=14_232, bg=14_232, mask=7_080, total=499_864)
    assert 300_000 <= table["total"] <= 500_000


def test_families_are_matched_per_trunk():
    tables = {f: parameter_table(make_generator(f, 32)) for f in FAMILIES}
    trunk = tables["comgan"]["trunk"]
    assert tables["pi1"]["fm_trunk"] == tables["pi1"]["bg_trunk"] == trunk
    assert tables["pi2"]["fg_trunk"] == tables["pi2"]["bg_trunk"] == tables["pi2"]["mask_trunk"]
    assert tables["pi1"]["total"] == tables["comgan"]["total"] + trunk
    assert tables["pi2"]["total"] == tables["comgan"]["total"] + 2 * trunk
    for table in tables.values():
        assert table["total"] == sum(v for k, v in table.items() if k != "total")


def test_make_generator_options():
    assert isinstance(make_generator("ComGAN"), ComGAN)
    assert isinstance(make_generator("pi1"), Pi1) and isinstance(make_generator("pi2"), Pi2)
    small = make_generator("comgan", width=64, n_res=2, n_res_mask=1)
    assert small.trunk.width == 64 and n_convs(small.fg) == 7 and n_convs(small.mask) == 5
    assert make_generator("comgan", 64).trunk.width == CONFIGS[64]["width"]
    with pytest.raises(ValueError):
        make_generator("pi3")
    with pytest.raises(ValueError):
        make_generator("comgan", size=48)


def test_mask_logits_carry_the_gradient():
    gen = make_generator("comgan")
    out = gen(torch.randn(B, 64))
    out["mask"].retain_grad()
    out["mask_logits"].retain_grad()
    out["image"].square().mean().backward()
    m = out["mask"].detach()
    assert torch.allclose(out["mask_logits"].grad, m * (1 - m) * out["mask"].grad, atol=1e-7)
    assert all(p.grad is not None for p in get_mask_parameters(gen))


@pytest.mark.parametrize("size", [32, 64])
def test_discriminator_logits_and_classes(size):
    x = torch.randn(B, 3, size, size)
    d = Discriminator(size=size, ndf=16)
    logits = d(x)
    assert logits.shape == (B,)
    with pytest.raises(ValueError):
        d(x, classes=True)
    dc = Discriminator(size=size, ndf=16, n_classes=10)
    logits, cls = dc(x, classes=True)
    assert logits.shape == (B,) and cls.shape == (B, 10)
    dm = Discriminator(size=size, ndf=16, in_ch=1)  # a mask discriminator
    assert dm(torch.rand(B, 1, size, size)).shape == (B,)
    # 3 stride-2 convs at 32 px (4 at 64 px), the 3x3 conv, the real/fake head
    assert n_convs(d) == {32: 5, 64: 6}[size]


def test_discriminator_default_size_and_init():
    d = Discriminator()
    assert count_parameters(d) == 315_521
    w = d.features[0].weight.flatten(1)  # 32 x 48: orthogonal rows
    assert torch.allclose(w @ w.T, torch.eye(32), atol=1e-5)
    assert d.adv.bias.abs().max() == 0
    bn = [m for m in d.modules() if isinstance(m, nn.BatchNorm2d)]
    assert bn and all(m.bias.abs().max() == 0 for m in bn)


def test_discriminator_spectral_norm_and_backward():
    d = Discriminator(spectral_norm=True, n_classes=5)
    assert count_parameters(d) == count_parameters(Discriminator(n_classes=5))
    gen = make_generator("comgan")
    logits, cls = d(gen(torch.randn(B, 64))["image"], classes=True)
    (logits.sum() + cls.sum()).backward()
    assert all(p.grad is not None for p in gen.parameters())
    w = d.features[0].weight.flatten(1)  # normalised: largest singular value about 1
    assert torch.linalg.matrix_norm(w, 2) < 1.1


def test_128px_builds_the_papers_generators_and_discriminator():
    """--size 128: trunk 512x4x4 -> 16x128x128, F/B with 3 residual blocks and M with none
    (method.md 2.2-2.3), D with 8 ndf at its last two levels (2.4, about 2.3 M parameters)."""
    g = nets.make_generator("comgan", 128)
    out = g(torch.randn(2, 64))
    assert out["image"].shape == (2, 3, 128, 128) and out["mask"].shape == (2, 1, 128, 128)
    assert g.trunk.width == 512 and g.trunk.out_channels == 16
    d = nets.Discriminator(128)
    assert [m.out_channels for m in d.features if isinstance(m, torch.nn.Conv2d)] == [32, 64, 128, 256, 256, 256]
    assert 2.2e6 < nets.count_parameters(d) < 2.4e6
    assert nets.make_ds_generator(128, n_codes=4).trunk.width == 512


def test_nothing_measures_128px_images_yet_and_says_how_to_train_an_oracle():
    from comgan_lite import evaluate
    with pytest.raises(FileNotFoundError, match="no oracle for 128 px images.*--size 128"):
        evaluate.oracle_model(128)
