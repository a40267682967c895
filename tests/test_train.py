"""Training runs resume exactly, checkpoints are atomic, and bad checkpoints say what to do."""
import json

import pytest
import torch

from comgan_lite import train
from comgan_lite.train import CheckpointError, TrainConfig


def _cfg(**kw):
    base = dict(family="comgan", steps=6, batch_size=4, n_train=64, log_every=2,
                snapshot_every=3, checkpoint_every=2, seed=3)
    return TrainConfig(**{**base, **kw})


def _log(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_interrupted_run_resumes_to_the_same_result(tmp_path):
    whole = tmp_path / "whole"
    train.train(_cfg(), whole, progress=False)
    parts = tmp_path / "parts"
    train.train(_cfg(), parts, progress=False, stop_after=3)   # "killed" after 3 steps
    assert json.loads((parts / "config.json").read_text())["steps"] == 6
    assert not (parts / "generator.pt").exists()
    train.train(_cfg(), parts, progress=False)                 # the same command resumes
    a = torch.load(whole / "checkpoint.pt", weights_only=True)
    b = torch.load(parts / "checkpoint.pt", weights_only=True)
    assert a["step"] == b["step"] == 6
    for k in a["g"]:
        assert torch.equal(a["g"][k], b["g"][k]), k
    log_a, log_b = _log(whole / "metrics.jsonl"), _log(parts / "metrics.jsonl")
    assert [r["step"] for r in log_a] == [r["step"] for r in log_b] == [1, 2, 4, 6]
    assert [r["loss_d"] for r in log_a] == [r["loss_d"] for r in log_b]
    # the gradient direction's consistency is logged across the interruption too
    assert [r["grad_mask_cosine"] for r in log_a[1:]] == [r["grad_mask_cosine"] for r in log_b[1:]]
    assert not list(parts.glob("*.tmp"))
    assert sorted(p.name for p in (whole / "snapshots").iterdir()) == ["step000003.png", "step000006.png"]


def test_log_has_the_mask_gradient_and_diagnostics(tmp_path):
    train.train(_cfg(family="pi2", steps=2), tmp_path, progress=False)
    row = _log(tmp_path / "metrics.jsonl")[-1]
    for key in ("grad_mask_params", "grad_mask_pixels", "grad_mask_pixels_adv", "trivial",
                "soft_share", "layer_difference", "loss_d", "loss_g_adv", "loss_binary",
                "grad_logits", "top1_share", "opening_share", "grad_mask_cosine"):
        assert key in row and row[key] == row[key]  # present and not NaN


def test_shipped_generator_round_trip(tmp_path):
    train.train(_cfg(steps=2), tmp_path, progress=False)
    g, cfg = train.load_generator(tmp_path / "generator.pt", device="cpu")
    assert cfg.family == "comgan"
    out = train.sample(g, torch.randn(4, 64))
    assert out["image"].shape == (4, 3, 32, 32)


def test_checkpoint_from_another_architecture_is_refused(tmp_path):
    train.train(_cfg(steps=2), tmp_path, progress=False)
    with pytest.raises(CheckpointError, match="another configuration.*family"):
        train.train(_cfg(family="pi1", steps=4), tmp_path, progress=False)


def test_corrupt_checkpoint_is_refused_and_kept(tmp_path):
    (tmp_path / "checkpoint.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        train.train(_cfg(steps=2), tmp_path, progress=False)
    assert (tmp_path / "checkpoint.pt").read_bytes() == b"not a checkpoint"  # nothing lost
    (tmp_path / "generator.pt").write_bytes(b"junk")
    with pytest.raises(CheckpointError):
        train.load_generator(tmp_path / "generator.pt")


def test_logged_mask_gradient_is_adversarial_plus_regulariser(tmp_path):
    """With beta = 0 the total dL/dm is the adversarial part alone (no double counting)."""
    train.train(_cfg(steps=1, beta=0.0), tmp_path, progress=False)
    row = _log(tmp_path / "metrics.jsonl")[0]
    assert abs(row["grad_mask_pixels"] - row["grad_mask_pixels_adv"]) < 1e-6 * row["grad_mask_pixels_adv"]


def test_ctrl_c_inside_a_step_stops_after_it_and_resumes_bit_exactly(tmp_path):
    """Ctrl-C while a step runs (here: from the logging callback, inside the step's bookkeeping)
    lets the step finish, saves, and raises KeyboardInterrupt; the same command then resumes to
    exactly the run that was never interrupted."""
    import os
    import signal
    whole = tmp_path / "whole"
    train.train(_cfg(), whole, progress=False)
    parts = tmp_path / "parts"

    def ctrl_c(row, batch):
        if row["step"] == 3 - 1:                     # logged at step 2 (log_every=2)
            os.kill(os.getpid(), signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        train.train(_cfg(), parts, progress=False, on_log=ctrl_c)
    assert torch.load(parts / "checkpoint.pt", weights_only=True)["step"] == 2
    train.train(_cfg(), parts, progress=False)
    a = torch.load(whole / "checkpoint.pt", weights_only=True)
    b = torch.load(parts / "checkpoint.pt", weights_only=True)
    assert all(torch.equal(a["g"][k], b["g"][k]) for k in a["g"])
    assert all(torch.equal(a["d"][k], b["d"][k]) for k in a["d"])
    assert [r["loss_d"] for r in _log(whole / "metrics.jsonl")] == [r["loss_d"] for r in _log(parts / "metrics.jsonl")]


def test_configs_saved_with_the_old_default_sentinels_still_load_and_resume(tmp_path):
    old = train.config_from_dict({"family": "comgan", "width": 0, "head_width": 0, "n_res": -1,
                                  "n_res_mask": -1, "no_longer_known": 1})
    assert (old.width, old.head_width, old.n_res, old.n_res_mask) == (None, None, None, None)
    assert train.TrainConfig(n_res=0).n_res == 0                  # 0 residual blocks is a real value
    train.train(_cfg(steps=2), tmp_path, progress=False)
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    ckpt["config"].update(width=0, head_width=0, n_res=-1, n_res_mask=-1)   # as older runs saved it
    torch.save(ckpt, tmp_path / "checkpoint.pt")
    train.train(_cfg(steps=4), tmp_path, progress=False)          # resumes, no architecture error
    assert _log(tmp_path / "metrics.jsonl")[-1]["step"] == 4


def test_a_damaged_last_log_line_is_dropped_on_resume(tmp_path):
    train.train(_cfg(steps=2), tmp_path, progress=False)
    with open(tmp_path / "metrics.jsonl", "a") as f:
        f.write('{"step": 3, "loss_d": 0.')                       # killed while writing
    with pytest.warns(UserWarning, match="unfinished last line"):
        train.train(_cfg(steps=4), tmp_path, progress=False)
    assert [r["step"] for r in _log(tmp_path / "metrics.jsonl")] == [1, 2, 4]


@pytest.mark.parametrize("argv, said", [
    (["--steps", "-5"], "--steps must be positive"), (["--steps", "0"], "--steps must be positive"),
    (["--batch-size", "0"], "--batch-size must be positive"), (["--ema", "1.5"], "--ema must be at least 0"),
    (["--family", "pi3"], "--family must be one of comgan"), (["--preset", "nope"], "--preset must be one of"),
    (["--size", "48"], "--size must be one of 32, 64"), (["--n-codes", "0"], "--n-codes must be at least 2"),
    (["--threads", "0"], "--threads must be positive"), (["--log-every", "0"], "--log-every must be positive"),
    (["--width", "-3"], "--width must be positive")])
def test_bad_options_stop_with_one_line_and_write_nothing(tmp_path, capsys, argv, said):
    with pytest.raises(SystemExit) as stop:
        train.main(argv + ["--out", str(tmp_path / "run"), "--no-progress"])
    assert stop.value.code == 2 and said in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_a_run_with_other_settings_is_refused_listing_every_difference(tmp_path):
    train.train(_cfg(steps=2), tmp_path, progress=False)
    with pytest.raises(CheckpointError, match="beta: checkpoint 0.1 vs requested 1.0, lr_g.*another --out"):
        train.train(_cfg(steps=4, beta=1.0, lr_g=1e-3), tmp_path, progress=False)
    train.train(_cfg(steps=4, log_every=1, checkpoint_every=1), tmp_path, progress=False)   # may change
    assert _log(tmp_path / "metrics.jsonl")[-1]["step"] == 4


def test_a_finished_or_shipped_folder_is_refused_unless_forced(tmp_path):
    (tmp_path / "generator.pt").write_bytes(b"shipped")
    (tmp_path / "metrics.jsonl").write_text('{"step": 1}\n')
    with pytest.raises(CheckpointError, match="no checkpoint.pt to resume.*--force"):
        train.train(_cfg(steps=2), tmp_path, progress=False)
    assert (tmp_path / "generator.pt").read_bytes() == b"shipped"      # nothing touched
    train.train(_cfg(steps=2), tmp_path, progress=False, force=True)
    assert [r["step"] for r in _log(tmp_path / "metrics.jsonl")] == [1, 2]   # the old log is gone


def test_a_second_process_on_the_same_folder_is_refused(tmp_path):
    import subprocess
    import sys
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        tmp_path.joinpath("run.lock").write_text(str(sleeper.pid))     # as a live run holds it
        with pytest.raises(CheckpointError, match=f"in use by another training process \\(pid {sleeper.pid}\\)"):
            train.train(_cfg(steps=2), tmp_path, progress=False)
    finally:
        sleeper.kill()
        sleeper.wait()
    train.train(_cfg(steps=2), tmp_path, progress=False)               # a dead holder's lock is taken over
    assert not (tmp_path / "run.lock").exists()


def test_a_pickle_with_code_is_refused_without_inviting_an_unsafe_retry(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("this must never run",))
    torch.save({"g": Evil(), "config": {}}, tmp_path / "generator.pt")
    with pytest.raises(CheckpointError) as refused:
        train.load_generator(tmp_path / "generator.pt")
    said = str(refused.value)
    assert "refused for safety" in said and "weights_only" not in said and "can still be loaded" not in said


def _resume_with(tmp_path, checkpoint: dict, capsys):
    """Run the train command on a folder whose checkpoint.pt is ``checkpoint``; the message."""
    out = tmp_path / "run"
    out.mkdir(parents=True)
    torch.save(checkpoint, out / "checkpoint.pt")
    with pytest.raises(SystemExit) as stop:
        train.main(["--steps", "2", "--batch-size", "4", "--n-train", "64", "--out", str(out),
                    "--no-progress"])
    said = str(stop.value.code)
    assert said.startswith("error: ") and "\n" not in said and "weights_only" not in said
    assert torch.load(out / "checkpoint.pt", weights_only=True).keys() == checkpoint.keys()  # kept
    return said


def test_resuming_a_generator_or_a_checkpoint_without_config_says_what_the_file_is(tmp_path, capsys):
    done = tmp_path / "done"
    train.train(_cfg(steps=2), done, progress=False)
    generator = torch.load(done / "generator.pt", weights_only=True)
    said = _resume_with(tmp_path / "a", generator, capsys)
    assert "checkpoint.pt is an exported generator (like generator.pt" in said and "nothing to resume" in said
    ckpt = torch.load(done / "checkpoint.pt", weights_only=True)
    del ckpt["config"]
    said = _resume_with(tmp_path / "b", ckpt, capsys)
    assert "a training checkpoint without its config" in said and "another --out folder" in said


def test_a_generator_of_other_widths_gets_one_line_naming_the_sizes(tmp_path):
    train.train(_cfg(steps=2), tmp_path, progress=False)
    ckpt = torch.load(tmp_path / "generator.pt", weights_only=True)
    ckpt["config"]["width"] = 64                                  # the weights are for 128
    torch.save(ckpt, tmp_path / "other.pt")
    with pytest.raises(CheckpointError) as refused:
        train.load_generator(tmp_path / "other.pt")
    said = str(refused.value)
    assert "other.pt does not fit" in said and "in the file" in said and "\n" not in said


def test_a_full_disk_says_so_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    import errno
    target = tmp_path / "checkpoint.pt"
    train.save_atomic({"step": 1}, target)

    def no_space(obj, f):
        f.write(b"half a checkpoint")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(torch, "save", no_space)
    with pytest.raises(CheckpointError, match=r"disk full\? \(\d+ MB free on that disk\)"):
        train.save_atomic({"step": 2}, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]     # no .tmp
    monkeypatch.undo()
    assert torch.load(target, weights_only=True) == {"step": 1}               # the old one is kept


def _help_of(parser) -> dict:
    """{option: its help text as --help prints it} for every option but -h."""
    return {a.option_strings[-1]: a.help for a in parser._actions if a.dest != "help"}


def test_every_option_of_the_train_command_has_help_and_lists_its_choices():
    from comgan_lite.checkpoints import config_parser
    parser = config_parser(TrainConfig, train.__doc__, "run folder")
    helps = _help_of(parser)
    assert not [k for k, said in helps.items() if not said or len(said) < 8]
    for name, allowed in TrainConfig.CHOICES.items():
        assert all(str(v) in helps[f"--{name}"] for v in allowed), name
    printed = parser.format_help()
    assert "{comgan,pi1,pi2,dscomgan}" in printed and "{easy,medium,hard,emoji,multi,emoji-seen,emoji-noto-openmoji}" in printed


@pytest.mark.parametrize("module", ["oracle", "factors"])
def test_the_oracle_and_factor_commands_explain_every_option_and_refuse_bad_counts(module, capsys, tmp_path):
    import importlib
    command = importlib.import_module(f"comgan_lite.{module}")
    helps = _help_of(command.command_line())
    assert set(helps) >= {"--size", "--steps", "--seed", "--threads", "--out", "--run-dir"}
    assert not [k for k, said in helps.items() if not said or len(said) < 8]
    for bad in (["--steps", "0"], ["--threads", "-1"], ["--steps", "many"]):
        with pytest.raises(SystemExit) as done:
            command.main(bad + ["--out", str(tmp_path / "x.pt"), "--run-dir", str(tmp_path / "run")])
        assert done.value.code == 2 and bad[0] in capsys.readouterr().err
    assert not list(tmp_path.iterdir())                       # refused before writing anything


def test_a_device_this_machine_lacks_is_refused_in_one_line(tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(SystemExit) as stop:
        train.main(["--device", "cuda", "--out", str(tmp_path / "run"), "--no-progress"])
    assert stop.value.code == 2 and "no CUDA device" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_a_run_resumes_on_another_device_setting_and_amp_trains_in_bf16(tmp_path):
    """--device and --amp may change on resume (CPU <-> CPU here; CUDA where a GPU exists); a
    bf16 run keeps fp32 weights and finite losses."""
    train.train(_cfg(steps=2, device="auto"), tmp_path / "a", progress=False)
    train.train(_cfg(steps=4, device="cpu"), tmp_path / "a", progress=False)
    assert _log(tmp_path / "a" / "metrics.jsonl")[-1]["step"] == 4
    target = "cuda" if torch.cuda.is_available() else "cpu"
    train.train(_cfg(steps=2, amp=True, device=target), tmp_path / "b", progress=False)
    rows = _log(tmp_path / "b" / "metrics.jsonl")
    assert all(torch.isfinite(torch.tensor([r["loss_d"], r["loss_g_adv"]])).all() for r in rows)
    ckpt = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=True)
    assert all(v.dtype == torch.float32 for v in ckpt["g"].values() if v.is_floating_point())
    train.train(_cfg(steps=4, amp=False, device="cpu"), tmp_path / "b", progress=False)   # back on the CPU
    assert _log(tmp_path / "b" / "metrics.jsonl")[-1]["step"] == 4


def test_the_train_command_runs_at_128px(tmp_path):
    train.main(["--size", "128", "--steps", "1", "--batch-size", "2", "--n-train", "4", "--no-progress",
                "--out", str(tmp_path / "run")])
    g, cfg = train.load_generator(tmp_path / "run" / "generator.pt", "cpu")
    assert cfg.size == 128 and train.sample(g, torch.randn(2, train.Z_DIM))["mask"].shape == (2, 1, 128, 128)


def test_the_segmenter_trains_at_128px_on_a_folder(tmp_path):
    """--size 128 for stage 2: S on a 128 px DS-ComGAN's pairs and a folder's images (resized to
    128 px), its masks at 128 px. (The generator is narrowed: at the paper's widths one 128 px
    DS-ComGAN step takes minutes on a CPU.)"""
    from comgan_lite import data, folders, segment
    a = data.load_arrays("easy", 32, "val", 8, progress=False)
    cub = folders.write_cub_folder(tmp_path / "mine", a["image"], a["mask"])
    train.main(["--family", "dscomgan", "--size", "128", "--width", "32", "--head-width", "16", "--steps", "1",
                "--batch-size", "2", "--n-train", "4", "--no-progress", "--out", str(tmp_path / "gan")])
    segment.main(["--mode", "ds", "--generator", str(tmp_path / "gan"), "--data", str(cub), "--size", "128",
                  "--steps", "1", "--batch-size", "2", "--n-standing", "4", "--no-progress", "--out", str(tmp_path / "s")])
    s, cfg = segment.load_segmenter(tmp_path / "s" / segment.SEGMENTER, "cpu")
    assert cfg.size == 128 and s.predict(torch.zeros(1, 3, 128, 128)).shape == (1, 1, 128, 128)
