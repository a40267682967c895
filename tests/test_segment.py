"""Stage 2 (segment.py): polarity without labels, the three training modes, exact resume,
safe loading and clear errors."""
import json

import numpy as np
import pytest
import torch

from comgan_lite import data, nets, segment, train
from comgan_lite import shipped as sh
from comgan_lite.checkpoints import CheckpointError
from lab import table4

TINY = dict(size=32, steps=6, batch_size=4, n_train=64, log_every=3, checkpoint_every=3, n_standing=16)


@pytest.fixture(scope="module")
def tiny_generator(tmp_path_factory):
    """A DS-ComGAN trained for 2 steps: enough to exercise the plumbing."""
    out = tmp_path_factory.mktemp("gen")
    cfg = train.TrainConfig(family="dscomgan", preset="easy", steps=2, batch_size=4, n_train=64,
                            log_every=1, ema=0.9)
    train.train(cfg, out, progress=False)
    return out


def test_load_arrays_names_every_dataset_and_refuses_others():
    for name in data.DATASETS:
        a = data.load_arrays(name, 32, "test", 6, progress=False)
        assert a["image"].shape == (6, 3, 32, 32) and a["image"].dtype == np.uint8
        assert a["mask"].shape == (6, 32, 32) and a["mask"].dtype == bool
        assert 0 < a["mask"].mean() < 1
    with pytest.raises(data.DatasetError, match="choose one of"):
        data.load_arrays("birds", 32, "test", 6)


def test_multi_masks_are_unions_of_several_objects():
    ds = data.ShapesDataset("easy", 32, "test", 6, n_objects=data.MULTI_OBJECTS)
    a = data.load_arrays("multi", 32, "test", 6, progress=False)
    for i in range(6):
        item = ds.render(i)
        assert len(item["labels"]["masks"]) >= 2
        assert (a["mask"][i] == item["mask"]).all()


def test_polarity_rule_finds_the_object_side():
    m = torch.zeros(8, 1, 16, 16)
    m[:, :, 5:11, 5:11] = 1                       # an object in the middle
    assert not segment.object_is_inverted(m)
    assert segment.object_is_inverted(1 - m)       # the object painted into x_b


def test_pairs_come_from_the_frozen_generator_with_fixed_polarity(tiny_generator):
    for polarity, inverted in (("keep", False), ("invert", True)):
        src = segment.PairSource(tiny_generator, 32, polarity, n_standing=16)
        assert src.inverted is inverted
        assert not any(p.requires_grad for p in src.g.parameters()) and not src.g.training
        x, m = src.sample(4, torch.Generator().manual_seed(0))
        x0, m0 = src.sample(4, torch.Generator().manual_seed(0), flip=False)
        assert x.shape == (4, 3, 32, 32) and m.shape == (4, 1, 32, 32)
        assert torch.equal(m, 1 - m0 if inverted else m0) and torch.equal(x, x0)
    with pytest.raises(CheckpointError, match="--size 32"):
        segment.PairSource(tiny_generator, 64, n_standing=16)


def test_a_comgan_generator_is_refused(tmp_path):
    cfg = train.TrainConfig(family="comgan", steps=1, batch_size=4, n_train=64, log_every=1)
    train.train(cfg, tmp_path, progress=False)
    with pytest.raises(CheckpointError, match="--family dscomgan"):
        segment.PairSource(tmp_path, 32, n_standing=16)


@pytest.mark.parametrize("mode", segment.MODES)
def test_each_mode_trains_and_ships_a_loadable_segmenter(tmp_path, tiny_generator, mode):
    cfg = segment.SegConfig(mode=mode, generator=str(tiny_generator), dataset="easy", **TINY)
    rows = []
    segment.train(cfg, tmp_path, progress=False, on_log=lambda row, shown: rows.append((row, shown)))
    log = [json.loads(line) for line in (tmp_path / segment.LOG).read_text().splitlines()]
    assert [r["step"] for r in log] == [3, 6] and all(0 <= r["val_iou"] <= 1 for r in log)
    assert ("loss_d" in log[0]) == (mode == "ds") and ("loss_bce" in log[0]) == (mode == "supervised")
    assert rows[-1][1]["s_x"].shape == (4, 1, 32, 32)
    s, loaded = segment.load_segmenter(tmp_path)
    assert loaded == cfg
    x = torch.randn(3, 3, 32, 32)
    pred = s.predict(x)
    assert pred.shape == (3, 1, 32, 32) and 0 <= pred.min() and pred.max() <= 1


def test_a_reused_pair_source_trains_the_same_segmenter_and_a_mismatched_one_is_refused(tmp_path, tiny_generator):
    cfg = segment.SegConfig(generator=str(tiny_generator), dataset="easy", **TINY)
    pairs = segment.PairSource(cfg.generator, 32, n_standing=TINY["n_standing"])
    segment.train(cfg, tmp_path / "own", progress=False)
    segment.train(cfg, tmp_path / "given", progress=False, pairs=pairs)
    a, b = (torch.load(tmp_path / f / segment.SEGMENTER, weights_only=True)["s"] for f in ("own", "given"))
    assert all(torch.equal(a[k], b[k]) for k in a)
    other = segment.PairSource(cfg.generator, 32, n_standing=8)
    with pytest.raises(ValueError, match="leave pairs out"):
        segment.train(cfg, tmp_path / "other", progress=False, pairs=other)


def test_interrupted_training_resumes_to_the_same_segmenter(tmp_path, tiny_generator):
    cfg = segment.SegConfig(generator=str(tiny_generator), dataset="easy", **TINY)
    segment.train(cfg, tmp_path / "whole", progress=False)
    segment.train(cfg, tmp_path / "split", progress=False, stop_after=4)
    assert not (tmp_path / "split" / segment.SEGMENTER).exists()     # not finished: not shipped
    segment.train(cfg, tmp_path / "split", progress=False)
    a = torch.load(tmp_path / "whole" / segment.SEGMENTER, weights_only=True)["s"]
    b = torch.load(tmp_path / "split" / segment.SEGMENTER, weights_only=True)["s"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    log = [json.loads(line)["step"] for line in (tmp_path / "split" / segment.LOG).read_text().splitlines()]
    assert log == [3, 6]


def test_checkpoint_of_another_mode_or_architecture_is_refused(tmp_path, tiny_generator):
    cfg = segment.SegConfig(generator=str(tiny_generator), dataset="easy", **TINY)
    segment.train(cfg, tmp_path, progress=False, stop_after=3)
    for change in (dict(width=8), dict(mode="cons")):
        other = segment.SegConfig(**{**cfg.__dict__, **change})
        with pytest.raises(CheckpointError, match="another --out folder"):
            segment.train(other, tmp_path, progress=False)


def test_bad_files_and_settings_get_clear_errors(tmp_path, tiny_generator, capsys):
    bad = tmp_path / "segmenter.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        segment.load_segmenter(bad)
    assert bad.read_bytes() == b"not a checkpoint"               # nothing lost
    with pytest.raises(CheckpointError, match="python -m comgan_lite.segment"):
        segment.load_segmenter(tmp_path / "nothing-here")
    with pytest.raises(CheckpointError, match="not a comgan-lite segmenter"):
        segment.load_segmenter(tiny_generator / "generator.pt")
    with pytest.raises(ValueError, match="needs --generator"):
        segment.train(segment.SegConfig(mode="ds", **TINY), tmp_path / "x", progress=False)
    with pytest.raises(SystemExit) as stop:
        segment.main(["--mode", "supervised", "--dataset", "birds", "--out", str(tmp_path / "y"),
                      "--no-progress"])
    assert stop.value.code == 2 and "--dataset must be one of easy" in capsys.readouterr().err
    assert not (tmp_path / "y").exists()                          # refused before writing anything


def test_scores_report_fixed_and_best_of_two_separately():
    gt = np.zeros((2, 8, 8), bool)
    gt[:, 2:6, 2:6] = True
    s = segment.scores(torch.from_numpy(~gt).float()[:, None], gt)
    assert (s["iou"] == 0).all() and (s["iou_best_of_two"] == 1).all()


@pytest.fixture(scope="module")
def tiny_shipped(tmp_path_factory, tiny_generator):
    """A root with S-<mode>-easy for every mode, shipped the way the real ones are."""
    root, work = tmp_path_factory.mktemp("root"), tmp_path_factory.mktemp("work")
    for mode in segment.MODES:
        cfg = segment.SegConfig(mode=mode, generator=str(tiny_generator), dataset="easy", **TINY)
        segment.train(cfg, work / mode, progress=False)
        dest = table4.ship_segmenter(work / mode, "data/somewhere/gen", root)
        assert dest == sh.segmenter(mode, "easy", root)
    return root


def test_ship_names_the_generator_and_refuses_unfinished_runs(tmp_path, tiny_shipped, tiny_generator):
    s, cfg = segment.load_segmenter(sh.segmenter("ds", "easy", tiny_shipped))
    assert cfg.generator == "data/somewhere/gen"
    assert json.loads((sh.segmenter("ds", "easy", tiny_shipped) / "config.json").read_text()) \
        == cfg.__dict__
    assert segment.load_segmenter(sh.segmenter("supervised", "easy", tiny_shipped))[1].generator == ""
    assert not list(tiny_shipped.glob("*.tmp"))
    cfg = segment.SegConfig(generator=str(tiny_generator), dataset="easy", **TINY)
    segment.train(cfg, tmp_path / "half", progress=False, stop_after=2)
    with pytest.raises(CheckpointError, match="resume"):
        table4.ship_segmenter(tmp_path / "half", "x", tmp_path / "root")


def test_compare_scores_every_method_on_the_same_images(tiny_shipped):
    per_image = table4.compare("easy", n=12, root=tiny_shipped)
    assert set(per_image) == {"ds", "cons", "supervised", "grabcut", "otsu", "kmeans"}
    assert all(v["iou"].shape == (12,) for v in per_image.values())
    table = {"easy": table4.means(per_image)}
    text = sh.table4_markdown(table)
    assert text.splitlines()[0].startswith("| dataset | DS-ComGAN S |") and "| easy |" in text
    names = [name for name, _, _ in table4.goals(table)]
    assert names == ["easy: S >= GrabCut + 0.15", "easy: S >= 0.9 x supervised"]


def test_goals_are_judged_from_the_numbers():
    cell = lambda v: {"iou": v}  # noqa: E731
    table = {"easy": {"ds": cell(0.9), "grabcut": cell(0.7), "supervised": cell(0.95)},
             "hard": {"ds": cell(0.5), "grabcut": cell(0.4), "supervised": cell(0.9)}}
    verdicts = {name: ok for name, ok, _ in table4.goals(table)}
    assert verdicts == {"easy: S >= GrabCut + 0.15": True, "hard: S >= GrabCut + 0.15": False,
                        "easy: S >= 0.9 x supervised": True}


def test_segment_folder_reads_plain_and_cub_layouts(tmp_path, tiny_shipped):
    from PIL import Image
    s, _ = segment.load_segmenter(sh.segmenter("ds", "easy", tiny_shipped))
    a = data.load_arrays("easy", 32, "test", 3, progress=False)
    for i in range(3):
        (tmp_path / "cub" / "images").mkdir(parents=True, exist_ok=True)
        (tmp_path / "cub" / "segmentations").mkdir(exist_ok=True)
        Image.fromarray(a["image"][i].transpose(1, 2, 0)).save(tmp_path / "cub" / "images" / f"{i}.png")
        Image.fromarray(a["mask"][i].astype(np.uint8) * 255).save(tmp_path / "cub" / "segmentations" / f"{i}.png")
    out = segment.segment_folder(s, tmp_path / "cub", size=32)
    assert out["image"].shape == (3, 3, 32, 32) and out["mask"].shape == (3, 1, 32, 32)
    assert torch.equal(out["truth"][:, 0].bool(), torch.from_numpy(a["mask"]))
    plain = segment.segment_folder(s, tmp_path / "cub" / "images", size=32, limit=2)
    assert plain["truth"] is None and len(plain["paths"]) == 2
    with pytest.raises(data.DatasetError, match="does not exist"):
        segment.segment_folder(s, tmp_path / "nowhere")


def test_exercise_checkers(tiny_shipped, capsys):
    from comgan_lite import exercises
    m = torch.zeros(4, 1, 32, 32)
    m[:, :, 10:22, 10:22] = 1
    assert exercises.check_polarity(None, m) is None
    assert exercises.check_polarity(False, m) and not exercises.check_polarity(True, m)
    assert exercises.check_polarity(True, 1 - m)
    s, _ = segment.load_segmenter(sh.segmenter("ds", "easy", tiny_shipped))
    x = torch.randn(4, 3, 32, 32)
    right = 2 * float((s.predict(x) - m).abs().mean())
    assert exercises.check_consistency_loss(right, s, x, m)
    assert not exercises.check_consistency_loss(right / 2, s, x, m)
    cell = lambda v: {"iou": v}  # noqa: E731
    table = {"easy": {"ds": cell(0.9), "cons": cell(0.8)}, "hard": {"ds": cell(0.5), "cons": cell(0.2)}}
    assert exercises.check_largest_gain("hard", table) and not exercises.check_largest_gain("easy", table)


def test_method_bars_draws_a_group_per_dataset():
    import matplotlib
    matplotlib.use("Agg")
    from comgan_lite import plots
    cell = lambda v: {"iou": v}  # noqa: E731
    fig = plots.method_bars({"easy": {"ds": cell(0.9), "grabcut": cell(0.8)},
                             "hard": {"ds": cell(0.5)}}, {"ds": "S", "grabcut": "GrabCut"})
    bars = [p for p in fig.axes[0].patches]
    assert len(bars) == 4 and [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["easy", "hard"]
    marked = plots.method_bars({"easy": {"ds": cell(0.9)}, "hard": {"ds": cell(0.5)}}, {"ds": "S"},
                               other_seeds={"ds": {"hard": 0.45}})
    dashes = [line.get_ydata().tolist() for line in marked.axes[0].lines]
    assert dashes == [[0.45, 0.45]] and "S: another seed" in [t.get_text() for t in marked.axes[0].get_legend().texts]


def test_study_dots_draws_a_dot_per_seed_and_the_reference():
    import matplotlib
    matplotlib.use("Agg")
    from comgan_lite import plots
    rows = {"none-s0": {"change": "none", "seed": 0, "a": 0.7}, "none-s1": {"change": "none", "seed": 1, "a": 0.72},
            "bn-s0": {"change": "bn", "seed": 0, "a": 0.6}}
    fig = plots.study_dots(rows, {"none": "as shipped", "bn": "BatchNorm"}, {"a": "test a"}, {"GrabCut": {"a": 0.75}})
    ax = fig.axes[0]
    dots = [len(c.get_offsets()) for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    assert dots == [2, 1]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["as shipped", "BatchNorm"]
    assert ax.get_legend().get_texts()[0].get_text() == "GrabCut" and ax.lines[0].get_ydata()[0] == 0.75


def test_drop_trivial_keeps_pairs_with_an_object_first(tiny_generator):
    src = segment.PairSource(tiny_generator, 32, "keep", n_standing=16)
    src.g = lambda z, f, b: {"image": z[:, :3, None, None].expand(-1, 3, 32, 32),
                             "mask": (torch.arange(len(z)) % 3 == 0).float()[:, None, None, None]
                             .expand(-1, 1, 32, 32) * 0.5}    # every third mask half-on, others empty
    x, m = src.sample(4, torch.Generator().manual_seed(0), drop_trivial=True)
    areas = m.mean((1, 2, 3))
    assert x.shape == (4, 3, 32, 32) and (areas[:2] == 0.5).all() and (areas[2:] == 0).all()
    _, m_all = src.sample(4, torch.Generator().manual_seed(0))
    assert (m_all.mean((1, 2, 3)) == torch.tensor([0.5, 0, 0, 0.5])).all()


def test_mask_discriminator_has_no_batchnorm_unless_asked():
    cfg = segment.SegConfig()
    _, d = segment.build(cfg)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in d.modules())
    assert d(torch.rand(3, 1, 32, 32)).shape == (3,)
    _, d_bn = segment.build(segment.SegConfig(dm_batch_norm=True))
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in d_bn.modules()) == 3


def test_teacher_quality_compares_generator_masks_with_a_judge(tiny_generator):
    src = segment.PairSource(tiny_generator, 32, "keep", n_standing=16)

    class Echo(nets.UNet):                   # a judge that sees exactly the generator's masks
        def forward(self, x):
            return (src.sample(len(x), torch.Generator().manual_seed(2024))[1] * 2 - 1) * 20
    q = segment.teacher_quality(src, Echo(), n=8)
    assert q["faithfulness"] == 1.0 and 0 <= q["trivial"] <= 1


def test_segment_folder_takes_its_size_from_the_segmenter(tmp_path, tiny_shipped):
    from PIL import Image
    s, cfg = segment.load_segmenter(sh.segmenter("ds", "easy", tiny_shipped))
    a = data.load_arrays("easy", 32, "test", 2, progress=False)
    big = tmp_path / "cub"
    for i in range(2):
        (big / "images").mkdir(parents=True, exist_ok=True)
        Image.fromarray(a["image"][i].transpose(1, 2, 0)).resize((96, 96)).save(big / "images" / f"{i}.png")
    (big / "segmentations").mkdir()
    Image.fromarray(a["mask"][0].astype(np.uint8) * 255).resize((96, 96)).save(big / "segmentations/0.png")
    with pytest.raises(data.DatasetError, match="allow_missing_masks=True"):
        segment.segment_folder(s, big)
    out = segment.segment_folder(s, big, allow_missing_masks=True)
    assert out["image"].shape == (1, 3, cfg.size, cfg.size) and out["truth"].shape == (1, 1, 32, 32)
    assert segment.segment_folder(s, big / "images", size=cfg.size)["image"].shape[-1] == 32
    with pytest.raises(ValueError, match="size=64 disagrees with the segmenter, trained at 32 px"):
        segment.segment_folder(s, big / "images", size=64)
    with pytest.raises(ValueError, match="pass the size"):
        segment.segment_folder(nets.UNet(cfg.widths), big / "images")


def test_every_option_of_the_segment_command_has_help_and_lists_its_choices():
    parser = segment.config_parser(segment.SegConfig, segment.__doc__, "run folder")
    helps = {a.option_strings[-1]: a.help for a in parser._actions if a.dest != "help"}
    assert not [k for k, said in helps.items() if not said or len(said) < 8]
    for name, allowed in segment.SegConfig.CHOICES.items():
        assert all(str(v) in helps[f"--{name}"] for v in allowed), name
    assert "{ds,cons,supervised}" in parser.format_help()


def test_the_segmenter_refuses_a_device_this_machine_lacks(tmp_path, capsys):
    import torch
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(SystemExit) as stop:
        segment.main(["--mode", "supervised", "--device", "cuda", "--out", str(tmp_path / "s"), "--no-progress"])
    assert stop.value.code == 2 and "no CUDA device" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_augmented_pairs_keep_image_and_mask_aligned():
    m = torch.zeros(64, 1, 32, 32)
    m[:, :, 6:20, 4:14] = 1                                   # an off-centre box: flips and crops show
    x = (2 * m - 1).expand(-1, 3, -1, -1).contiguous()        # the image is its own mask
    xa, ma = segment.augment_pairs(x, m, torch.Generator().manual_seed(0))
    assert xa.shape == x.shape and ma.shape == m.shape and xa.abs().max() <= 1
    assert 0 <= ma.min() and ma.max() <= 1
    assert not torch.equal(ma, m) and (ma[:, :, :, 16:].sum() > 0)      # some were flipped
    grey = xa.mean(1, keepdim=True)                           # colour changed, geometry shared:
    mid = (grey.amax((2, 3), keepdim=True) + grey.amin((2, 3), keepdim=True)) / 2
    agree = ((grey > mid) == (ma > 0.5)).float().mean()
    assert agree > 0.97, agree
    again = segment.augment_pairs(x, m, torch.Generator().manual_seed(0))
    assert torch.equal(again[0], xa) and torch.equal(again[1], ma)


def test_a_joint_batch_gives_batchnorm_one_set_of_statistics():
    torch.manual_seed(0)
    _, d = segment.build(segment.SegConfig(dm_batch_norm=True))
    m_bar, s_bar, s_x = (torch.rand(4, 1, 32, 32) for _ in range(3))
    sep = segment.losses.judge_masks(d, (m_bar, s_bar, s_x), joint=False)
    joint = segment.losses.judge_masks(d, (m_bar, s_bar, s_x), joint=True)
    assert all(t.shape == (4,) for t in joint) and not torch.allclose(sep[1], joint[1])
    d.eval()                                                  # running statistics: no batch effect
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in
               zip(segment.losses.judge_masks(d, (m_bar, s_bar, s_x), False),
                   segment.losses.judge_masks(d, (m_bar, s_bar, s_x), True)))
    with pytest.raises(ValueError, match="--dm-batch-norm"):
        segment.SegConfig(dm_joint_batch=True)


def test_augmentation_and_the_joint_batch_train(tmp_path, tiny_generator):
    cfg = segment.SegConfig(generator=str(tiny_generator), dataset="easy", augment=True,
                            dm_batch_norm=True, dm_joint_batch=True, **TINY)
    segment.train(cfg, tmp_path, progress=False)
    log = [json.loads(line) for line in (tmp_path / segment.LOG).read_text().splitlines()]
    assert all(np.isfinite(r["loss_d"]) and np.isfinite(r["loss_cons"]) for r in log)
    assert segment.load_segmenter(tmp_path)[1] == cfg
