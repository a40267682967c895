"""DS-ComGAN (Section 3.2): the generator's shapes and codes, and its training step."""
import json

import pytest
import torch

from comgan_lite import nets, train
from comgan_lite.train import TrainConfig


def test_generator_shapes_and_eq6():
    g = nets.make_ds_generator(32, n_codes=5)
    z, f, b = torch.randn(3, 64), torch.tensor([0, 1, 4]), torch.tensor([2, 2, 3])
    out = g(z, f, b)
    for key in ("image", "fg", "bg", "x_z"):
        assert out[key].shape == (3, 3, 32, 32), key
    assert out["mask"].shape == (3, 1, 32, 32)
    assert torch.allclose(out["image"], out["mask"] * out["fg"] + (1 - out["mask"]) * out["bg"])
    phi, _ = g.features(z)
    assert phi.shape == (3, 64, 32, 32)  # eq. 5: 16 + 32 + 16 channels


def test_codes_reach_only_their_own_layer():
    torch.manual_seed(0)
    g = nets.make_ds_generator(32, n_codes=4).eval()   # eval BN: samples do not interact
    z = torch.randn(2, 64)
    f0, b0 = torch.tensor([0, 1]), torch.tensor([2, 3])
    base, new_f = g(z, f0, b0), g(z, torch.tensor([3, 3]), b0)
    assert not torch.allclose(base["fg"], new_f["fg"])         # f moves x_f ...
    assert torch.equal(base["bg"], new_f["bg"])                # ... not x_b
    assert torch.equal(base["mask"], new_f["mask"])            # ... nor the mask (M reads z only)


def test_without_global_features_there_is_no_x_z():
    g = nets.make_ds_generator(32, global_features=False)
    out = g(torch.randn(2, 64), torch.tensor([0, 1]), torch.tensor([0, 1]))
    assert "x_z" not in out and not hasattr(g, "aux")
    assert g.features(torch.randn(2, 64))[0].shape[1] == 16


def test_draw_inputs_ties_or_separates_codes():
    rng = torch.Generator().manual_seed(0)
    z, f, b = train.draw_inputs(TrainConfig(family="dscomgan", n_codes=6, tie_codes=True), 200, rng)
    assert torch.equal(f, b) and z.shape == (200, 64) and set(f.tolist()) == set(range(6))
    _, f, b = train.draw_inputs(TrainConfig(family="dscomgan", n_codes=6), 200, rng)
    assert (f != b).float().mean() > 0.5
    assert len(train.draw_inputs(TrainConfig(family="comgan"), 4, rng)) == 1


def _cfg(**kw):
    base = dict(family="dscomgan", steps=4, batch_size=4, n_train=64, log_every=2,
                snapshot_every=2, checkpoint_every=2, seed=1, beta=0.0, n_codes=4)
    return TrainConfig(**{**base, **kw})


def test_training_logs_info_and_resumes_exactly(tmp_path):
    train.train(_cfg(ema=0.9), tmp_path / "whole", progress=False)
    train.train(_cfg(ema=0.9), tmp_path / "parts", progress=False, stop_after=2)
    train.train(_cfg(ema=0.9), tmp_path / "parts", progress=False)
    a = torch.load(tmp_path / "whole" / "checkpoint.pt", weights_only=True)
    b = torch.load(tmp_path / "parts" / "checkpoint.pt", weights_only=True)
    for part in ("g", "posteriors", "g_ema"):
        for k in a[part]:
            assert torch.equal(a[part][k], b[part][k]), (part, k)
    rows = [json.loads(line) for line in (tmp_path / "whole" / "metrics.jsonl").read_text().splitlines()]
    assert {"loss_info", "info_acc_f", "info_acc_b", "loss_g_adv_z"} <= set(rows[-1])
    g, cfg = train.load_generator(tmp_path / "whole" / "generator.pt")
    assert isinstance(g, nets.DSComGAN) and cfg.n_codes == 4
    g_ema, _ = train.load_generator(tmp_path / "whole" / "generator.pt", ema=True)
    assert not torch.equal(next(g.parameters()), next(g_ema.parameters()))
    # the stage-1 generators of data/segmentation/ ship their average alone: still readable
    from lab import ship
    ship.keep_ema_only(tmp_path / "whole" / "generator.pt")
    g_only, _ = train.load_generator(tmp_path / "whole" / "generator.pt", ema=True)
    assert all(torch.equal(a, b) for a, b in zip(g_only.state_dict().values(), g_ema.state_dict().values()))
    with pytest.raises(train.CheckpointError, match="parameter average.*ema=True"):
        train.load_generator(tmp_path / "whole" / "generator.pt")


def test_ema_errors_say_what_to_do(tmp_path):
    train.train(_cfg(), tmp_path, progress=False)          # trained without EMA
    with pytest.raises(train.CheckpointError, match="without --ema"):
        train.load_generator(tmp_path / "generator.pt", ema=True)
    with pytest.raises(train.CheckpointError, match="without --ema"):
        train.train(_cfg(ema=0.9, steps=6), tmp_path, progress=False)


def test_ema_averages_parameters_and_copies_buffers():
    torch.manual_seed(0)
    g, avg = torch.nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    with torch.no_grad():
        g.weight.fill_(2.0), avg.weight.fill_(1.0)
    g.running_mean.fill_(5.0)
    train.update_ema(avg, g, 0.75)
    assert torch.allclose(avg.weight, torch.full((3,), 1.25))   # 0.75 * 1 + 0.25 * 2
    assert torch.equal(avg.running_mean, g.running_mean)


@pytest.mark.parametrize("change", [dict(info=False), dict(global_features=False)])
def test_ablations_train(tmp_path, change):
    train.train(_cfg(**change), tmp_path, progress=False)
    row = json.loads((tmp_path / "metrics.jsonl").read_text().splitlines()[-1])
    assert ("loss_info" in row) == change.get("info", True)
    assert ("loss_g_adv_z" in row) == change.get("global_features", True)
