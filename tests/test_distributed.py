"""torchrun on the CPU: 2 processes with gloo train in step, end with identical weights, equal a
one-process run with the doubled batch, and resume."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from comgan_lite import train

WORKER = Path(__file__).with_name("ddp_worker.py")
TINY = ["--steps", "4", "--batch-size", "4", "--n-train", "64", "--log-every", "1", "--seed", "3",
        "--no-progress"]


def _run(args, n_proc=1):
    launcher = ([sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n_proc}"]
                if n_proc > 1 else [sys.executable])
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(launcher + args, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def _weights(folder):
    return torch.load(Path(folder) / "checkpoint.pt", weights_only=True)


def test_two_gloo_ranks_equal_one_process_with_the_doubled_batch(tmp_path):
    """BatchNorm normalises over each rank's share, so the comparison swaps it for a plain
    per-channel scale and shift (tests/ddp_worker.py); then 2 x 4 images must equal 1 x 8 to
    float precision: stated tolerance 1e-5 on every weight after 4 Adam steps."""
    said = _run([str(WORKER), "--family", "comgan", *TINY, "--out", str(tmp_path / "two")], n_proc=2)
    assert "2 processes x batch 4 = global batch 8 (gloo)" in said
    assert "the 2 ranks hold identical weights" in said
    _run([str(WORKER), "--family", "comgan", *TINY, "--batch-size", "8", "--out", str(tmp_path / "one")])
    two, one = _weights(tmp_path / "two"), _weights(tmp_path / "one")
    assert two["step"] == one["step"] == 4
    for part in ("g", "d"):
        gap = max(float((two[part][k] - one[part][k]).abs().max()) for k in one[part])
        assert gap < 1e-5, (part, gap)
    worker = _import(WORKER)
    cfg = train.config_from_dict(one["config"])
    with worker.without_batchnorm():
        torch.manual_seed(cfg.seed)                      # the initialisation both runs started from
        start = train.build(cfg)[0].state_dict()
    moved = min(float((one["g"][k] - start[k]).abs().max()) for k in start)
    assert moved > 1e-4          # every weight moved far more than the tolerance


def _import(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_torchrun_run_with_batchnorm_resumes_and_only_rank_0_writes(tmp_path):
    out = str(tmp_path / "run")
    first = _run(["-m", "comgan_lite.train", "--family", "dscomgan", "--preset", "medium", "--ema", "0.9",
                  *TINY, "--steps", "2", "--out", out], n_proc=2)
    assert "the 2 ranks hold identical weights" in first
    second = _run(["-m", "comgan_lite.train", "--family", "dscomgan", "--preset", "medium", "--ema", "0.9",
                   *TINY, "--out", out], n_proc=2)
    assert "resuming" in second and "step 4/4 (the 2 ranks hold identical weights)" in second
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4]          # one log, written once per step
    assert (tmp_path / "run" / "generator.pt").exists() and not (tmp_path / "run" / "run.lock").exists()
    assert "g_ema" in _weights(out)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_torchrun_refuses_mps_and_a_plain_run_never_joins_a_process_group(tmp_path):
    from comgan_lite import distributed
    assert not distributed.requested() and distributed.rank_and_world() == (0, 1)
    net = torch.nn.Linear(2, 2)
    assert distributed.wrap(net, torch.device("cpu")) is net
    assert distributed.ranks_agree(net) and distributed.any_rank(True) and not distributed.any_rank(False)
