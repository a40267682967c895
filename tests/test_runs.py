"""Shipping, evaluating and summarising runs (lab/ and comgan_lite.shipped); the live training view;
ablation configs."""
import json

import pytest
import torch

from comgan_lite import evaluate, train, widgets
from comgan_lite import shipped as sh
from comgan_lite.checkpoints import CheckpointError
from comgan_lite.data import DATA_DIR
from comgan_lite.train import TrainConfig
from lab import settling, ship, trap


def _cfg(**kw):
    base = dict(family="comgan", steps=4, batch_size=4, n_train=64, log_every=2,
                snapshot_every=2, checkpoint_every=2, seed=1)
    return TrainConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    src = root / "src" / "tiny-comgan"
    train.train(_cfg(), src, progress=False)
    return ship.ship(src, root / "shipped")


def test_ship_copies_only_the_small_files_and_states_its_numbers(shipped):
    assert sorted(p.name for p in shipped.iterdir()) == sorted(ship.SHIPPED_FILES)
    stated = json.loads((shipped / "eval.json").read_text())
    assert stated["run"] == "tiny-comgan" and stated["family"] == "comgan"
    assert 0 <= stated["iou"] <= stated["iou_best_of_two"] <= 1
    again = ship.evaluate_run(shipped)          # the fixed evaluation batch is deterministic
    assert again["iou"] == pytest.approx(stated["iou"], abs=1e-6)
    assert again["trivial"] == pytest.approx(stated["trivial"], abs=1e-6)
    assert not list(shipped.parent.glob("*.tmp"))


def test_ship_without_evaluation_copies_the_generator_only(shipped, tmp_path):
    out = ship.ship(shipped, tmp_path / "gens", evaluate=False)
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "generator.pt", "metrics.jsonl"]
    assert train.load_generator(out / "generator.pt", "cpu")[1].family == "comgan"


def test_ship_refuses_an_unfinished_run(tmp_path):
    src = tmp_path / "half"
    train.train(_cfg(), src, progress=False, stop_after=2)
    with pytest.raises(FileNotFoundError, match="has not finished"):
        ship.ship(src, tmp_path / "shipped")
    assert not (tmp_path / "shipped" / "half").exists()


def test_find_runs_and_variants(shipped, tmp_path):
    assert ship.find_runs(shipped.parent, family="comgan") == [shipped]
    assert ship.find_runs(shipped.parent, family="pi1") == []
    assert sh.variant(vars(TrainConfig())) == ""
    assert sh.variant(vars(TrainConfig(n_res_mask=3))) == "n_res_mask=3"


def test_summarise_means_and_stds_over_seeds():
    base = {c: 0.0 for c, _ in sh.COLUMNS}
    rows = [{**base, "family": "pi1", "preset": "easy", "beta": 1.0, "variant": "", "iou": v}
            for v in (0.2, 0.4, 0.9)]
    rows.append({**base, "family": "comgan", "preset": "easy", "beta": 1.0, "variant": "", "iou": 0.5})
    summary = sh.summarise(rows)
    pi1 = next(s for s in summary if s["family"] == "pi1")
    assert pi1["seeds"] == 3 and pi1["iou"]["mean"] == pytest.approx(0.5)
    assert pi1["iou"]["std"] == pytest.approx(torch.tensor([0.2, 0.4, 0.9]).std(unbiased=False).item())
    table = sh.markdown_table(summary)
    assert "| Π1 | easy | 1 | 3 | 0.50 ± 0.29 |" in table and "| ComGAN | easy | 1 | 1 | 0.50 |" in table
    assert all(line.count("|") == table.splitlines()[0].count("|") for line in table.splitlines())


def test_ablation_settings_build_other_heads_and_are_checked_on_resume(tmp_path):
    deep = train.build(_cfg(n_res_mask=3))[0]
    assert len(deep.mask.body) == 2 + 3
    heavy = train.build(_cfg(n_res=4, head_width=64))[0]
    assert len(heavy.fg.body) == 2 + 4 and heavy.fg.body[0][0].out_channels == 2 * 64
    train.train(_cfg(), tmp_path, progress=False, stop_after=2)
    with pytest.raises(CheckpointError, match="n_res_mask"):
        train.train(_cfg(n_res_mask=3), tmp_path, progress=False)


def test_live_training_records_every_logged_row_for_every_model(tmp_path):
    live = widgets.LiveTraining()
    for family in ("pi1", "pi2"):
        train.train(_cfg(family=family), tmp_path / family, progress=False,
                    on_log=live.start(family).update)
    assert list(live.rows) == ["pi1", "pi2"]
    assert [r["step"] for r in live.rows["pi2"]] == [1, 2, 4]
    assert live.batch["mask"].shape == (4, 1, 32, 32)
    fig = live.figure()
    assert len(fig.axes) == 3 + 2 * 4   # the batch has only 4 images


def test_mask_bias_starts_the_generator_at_t1_and_survives_export(tmp_path):
    g = train.build(_cfg(mask_init_logit=-8.0))[0]
    out = train.sample(g, torch.randn(8, g.z_dim))
    assert float(out["mask"].max()) < 0.01          # every pixel at sigmoid(-8 + small)
    train.train(_cfg(mask_init_logit=-8.0), tmp_path, progress=False)
    loaded, cfg = train.load_generator(tmp_path / "generator.pt")
    assert cfg.mask_init_logit == -8.0 and loaded.mask.out.conv.bias is not None
    assert sh.variant(vars(cfg)) == "mask_init_logit=-8.0"


def _reproduce_runs():
    """bench/reproduce_runs.py as a module (bench/ is not a package)."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "bench" / "reproduce_runs.py"
    spec = importlib.util.spec_from_file_location("reproduce_runs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reproduce_command_rebuilds_the_same_config(monkeypatch, tmp_path):
    from dataclasses import asdict
    from pathlib import Path
    module = _reproduce_runs()
    seen = {}
    monkeypatch.setattr(train, "train", lambda cfg, out, progress, force=False: seen.update(cfg=cfg, out=out))
    for cfg in (TrainConfig(family="pi2", beta=1.0, seed=2, steps=2000),
                TrainConfig(n_res=4, head_width=64, mask_init_logit=-8.0, spectral_norm=True),
                TrainConfig(family="dscomgan", info=False, global_features=False, tie_codes=True, ema=0.995)):
        cmd = module.command(asdict(cfg), tmp_path / "x")
        assert cmd[1:3] == ["-m", "comgan_lite.train"]
        train.main(cmd[3:])
        assert seen["cfg"] == cfg and Path(seen["out"]) == tmp_path / "x"


def test_segment_command_rebuilds_the_same_config(monkeypatch, tmp_path):
    from dataclasses import asdict
    from pathlib import Path

    from comgan_lite import segment
    module = _reproduce_runs()
    seen = {}
    monkeypatch.setattr(segment, "train", lambda cfg, out, progress, force=False: seen.update(cfg=cfg, out=out))
    for cfg in (segment.SegConfig(mode="ds", generator="data/runs/g", dataset="emoji", steps=1500),
                segment.SegConfig(mode="supervised", dataset="hard", ema=False, polarity="keep")):
        cmd = module.segment_command(asdict(cfg), tmp_path / "x")
        assert cmd[1:3] == ["-m", "comgan_lite.segment"]
        segment.main(cmd[3:])
        assert seen["cfg"] == cfg and Path(seen["out"]) == tmp_path / "x"


def test_find_runs_matches_any_of_a_tuple(tmp_path):
    for name, family in (("a", "comgan"), ("b", "pi1"), ("c", "dscomgan")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text(json.dumps(vars(TrainConfig(family=family))))
    (tmp_path / "d.tmp").mkdir()                       # a run being shipped
    (tmp_path / "d.tmp" / "config.json").write_text(json.dumps(vars(TrainConfig())))
    assert [p.name for p in ship.find_runs(tmp_path, family=("comgan", "pi1"))] == ["a", "b"]
    assert [p.name for p in ship.find_runs(tmp_path, family="dscomgan")] == ["c"]


def test_by_role_names_codes_after_the_layer_that_holds_the_object():
    row = {"iou": 0.02, "iou_best_of_two": 0.6, "ctrl_f_bg_hue": 0.7, "ctrl_b_fg_hue": 0.9,
           "ctrl_f_fg_hue": 0.1, "ctrl_b_bg_hue": 0.2, "ctrl_z_fg_hue": 0.3, "ctrl_all_fg_hue": 0.8,
           "nmi_b_fg_hue": 0.5, "nmi_f_bg_hue": 0.4}
    inverted = sh.by_role(row)                       # object in x_b: b is the object code
    assert inverted["object_in_x_b"] == 1.0
    assert inverted["ctrl_object_fg_hue"] == 0.9 and inverted["ctrl_scene_bg_hue"] == 0.7
    assert inverted["nmi_object_fg_hue"] == 0.5 and inverted["nmi_scene_bg_hue"] == 0.4
    normal = sh.by_role(dict(row, iou=0.6))
    assert normal["object_in_x_b"] == 0.0 and normal["ctrl_object_fg_hue"] == 0.1
    table = sh.control_table(inverted, ["fg_hue"])
    assert table["object code"] == {"fg_hue": 0.9} and list(table)[0] == "z"


def test_milestones_are_exported_scored_and_shipped_beside_the_run(tmp_path):
    src = tmp_path / "src"
    train.train(_cfg(keep_every=2), src, progress=False)
    assert sorted(p.name for p in (src / ship.MILESTONES).iterdir()) == ["step00002.pt", "step00004.pt"]
    out = ship.ship(src, tmp_path / "shipped", with_generator=False, name="tiny-long")
    assert out.name == "tiny-long" and not (out / ship.MILESTONES).exists()
    rows = json.loads((out / "milestones.json").read_text())
    assert [r["step"] for r in rows] == [2, 4]
    last = json.loads((out / "eval.json").read_text())     # the last milestone is the final run
    assert rows[-1]["iou_best_of_two"] == pytest.approx(last["iou_best_of_two"], abs=1e-6)


def test_settled_at_finds_where_a_metric_stops_moving():
    rows = [{"step": s, "x": x} for s, x in [(1, 0.1), (2, 0.5), (3, 0.8), (4, 0.82), (5, 0.79), (6, 0.81)]]
    assert settling.settled_at(rows, "x", tol=0.05) == 3
    assert settling.settled_at(rows, "x", tol=0.001) is None      # still moving at the end
    assert settling.settled_at(rows[:4], "x", tol=0.05) is None    # two agreeing points are not enough


def test_window_means_skip_nans_and_refuse_empty_windows():
    log = [{"step": 1, "x": float("nan")}, {"step": 50, "x": 1.0}, {"step": 100, "x": 3.0},
           {"step": 150, "x": 10.0}]
    assert sh.window_means(log, 0, 150, ["x"]) == {"x": 2.0}
    with pytest.raises(ValueError, match="no logged rows"):
        sh.window_means(log, 200, 300, ["x"])


def test_training_minutes_add_up_across_a_restarted_count():
    log = [{"minutes": m} for m in (1.0, 2.0, 3.0, 0.5, 1.5)]   # resumed from a checkpoint without minutes
    assert ship.training_minutes(log) == 4.5
    assert ship.training_minutes(log[:3]) == 3.0


def test_compact_log_keeps_six_digits_and_every_row(tmp_path):
    log = tmp_path / "metrics.jsonl"
    rows = [{"step": 1, "loss_d": 0.70311564207077, "nested": {"x": [1.0000004, 2]}, "name": "a"},
            {"step": 2, "loss_d": 1.23456789e-7, "minutes": 12.3456789}]
    log.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ship.compact_log(log)
    back = sh.read_log(tmp_path)
    assert [r["step"] for r in back] == [1, 2] and back[0]["name"] == "a"
    assert back[0]["loss_d"] == 0.703116 and back[0]["nested"] == {"x": [1.0, 2]}
    assert back[1]["loss_d"] == 1.23457e-7 and back[1]["minutes"] == 12.3457
    assert " " not in log.read_text() and not list(tmp_path.glob("*.tmp"))


def test_gradient_by_region_reads_g_and_d_from_a_full_checkpoint(tmp_path):
    train.train(_cfg(mask_init_logit=-8.0), tmp_path, progress=False)
    row = trap.gradient_by_region(tmp_path / train.CHECKPOINT, n=16)
    assert row["step"] == 4
    for key in ("area", "gradient_share", "opening_share_in", "opening_share_out", "top1_share"):
        assert 0 <= row[key] <= 1, key
    assert row["mask_mean"] < 0.01                  # still at T1 after 4 steps
    assert row["grad_logits"] > 0
    with pytest.raises(CheckpointError):            # a shipped generator has no D
        trap.gradient_by_region(tmp_path / "generator.pt")


def _long_run(folder, family, seed, scores):
    """A shipped long run as notebook 02 reads it: config.json and milestones.json only."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({**vars(TrainConfig(family=family, seed=seed)),
                                                    "steps": 1000 * len(scores)}))
    rows = [{"step": 1000 * (i + 1), "iou_best_of_two": b, "soft_share": 1.0, "trivial": 0.0, "mask_mean": 0.3}
            for i, b in enumerate(scores)]
    (folder / "milestones.json").write_text(json.dumps(rows))
    return folder


def test_long_runs_report_where_they_settled_and_tabulate_by_step(tmp_path):
    climbing = _long_run(tmp_path / "a", "pi1", 0, [0.2] * 9 + [0.5, 0.9, 0.9, 0.9])
    moving = _long_run(tmp_path / "b", "pi1", 1, [0.35 + 0.05 * i for i in range(13)])
    report = settling.settling_report([climbing, moving]).splitlines()
    assert "at 13,000: best of two 0.90" in report[0] and "best of two from 11,000" in report[0]
    assert "best of two still moving" in report[1] and "soft share from 1,000" in report[1]
    rows = sh.at_steps([climbing, moving], (2000, 10000, 12000))
    summary = sh.summarise(rows, keys=("family", "preset", "beta", "steps"), columns=sh.SETTLE_COLUMNS)
    assert [s["steps"] for s in summary] == [2000, 10000, 12000]       # by value, not as text
    table = sh.markdown_table(summary, columns=sh.SETTLE_COLUMNS)
    assert "| Π1 | easy | 0.1 | 12,000 | 2 | 0.90 ± 0.00 |" in table
    assert all(line.count("|") == table.splitlines()[0].count("|") for line in table.splitlines())


def test_the_trap_gradient_figure_draws_one_line_pair_per_run():
    from comgan_lite import plots
    row = {"step": 50, "area": 0.1, "gradient_share": 0.5, "mask_in": 0.01, "mask_out": 0.001}
    fig = plots.gradient_on_object({"a": [row, {**row, "step": 100}], "b": [row]})
    share, mask = fig.axes
    assert len(share.lines) == len(mask.lines) == 4 and mask.get_yscale() == "log"
    assert [t.get_text() for t in share.get_legend().get_texts()] == ["a", "b"]


def test_snapshots_wrap_into_rows_and_hide_the_unused_axes():
    from comgan_lite import plots
    png = sh.run("comgan-easy-b1", 0, "64px") / "final.png"
    fig = plots.snapshots({f"run {i}": png for i in range(5)}, size=2, per_row=3)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 6 and len(shown) == 5
    assert [ax.get_title() for ax in shown] == [f"run {i}" for i in range(5)]
    assert len(plots.snapshots({"a": png, "b": png}).axes) == 2          # one row by default


def test_the_oracle_follows_the_resolution_and_says_how_to_train_a_missing_one(tmp_path, monkeypatch):
    assert evaluate.oracle_model(32) is evaluate.oracle_model(32)          # loaded once
    monkeypatch.setattr(evaluate, "ORACLE_DIR", tmp_path)
    evaluate.oracle_model.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="python -m comgan_lite.oracle --size 48"):
            evaluate.oracle_model(48)
        (tmp_path / "oracle-48px.pt").write_bytes((DATA_DIR / "oracle" / "oracle-32px.pt").read_bytes())
        with pytest.raises(CheckpointError, match="32 px oracle, not 48 px"):
            evaluate.oracle_model(48)
    finally:
        evaluate.oracle_model.cache_clear()
