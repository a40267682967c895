"""Where and how things run: device, threads, seeds, quick mode."""
from __future__ import annotations

import os
import random
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

QUICK_ENV = "COMGAN_QUICK"


def quick_mode() -> bool:
    """Quick mode (``COMGAN_QUICK=1``, on in the test suite and CI): tiny live runs only."""
    return os.environ.get(QUICK_ENV, "0").lower() not in ("", "0", "false", "no")


DEVICES = ("auto", "cpu", "cuda", "mps")


def get_device(prefer: str | None = None) -> torch.device:
    """CUDA if present, else Apple's MPS, else the CPU (``prefer``: one of DEVICES, or a
    torch device string such as "cuda:1"; a device this machine lacks is refused)."""
    if prefer and prefer != "auto":
        device = torch.device(prefer)
        present = {"cpu": True, "cuda": torch.cuda.is_available(),
                   "mps": bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()}
        if not present.get(device.type, False):
            raise ValueError(f"--device {prefer}: this machine has no {device.type.upper()} "
                             "device that torch can use; use --device cpu, or --device auto")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def autocast(device: torch.device, enabled: bool):
    """bf16 mixed precision (``--amp``) on CUDA and the CPU; a no-op when not enabled."""
    if enabled and device.type not in ("cuda", "cpu"):
        raise ValueError(f"--amp runs on cuda or cpu, not {device.type}; drop --amp")
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=enabled)


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and torch (all devices) in one call."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup_notebook(seed: int = 0, threads: int | None = None) -> str:
    """Seed, set threads, and return one line saying the mode and device (printed at the top)."""
    seed_everything(seed)
    if threads:
        torch.set_num_threads(threads)
    mode = "quick" if quick_mode() else "full"
    return (f"mode: {mode} ({QUICK_ENV}={int(quick_mode())}) | device: {get_device()} | "
            f"torch threads: {torch.get_num_threads()} | seed: {seed}")


def scratch_dir(name: str) -> Path:
    """A fresh, empty folder for a notebook's short live run (under the system's temporary
    folder, or ``$COMGAN_SCRATCH``): the live run starts from scratch each time."""
    path = Path(os.environ.get("COMGAN_SCRATCH", tempfile.gettempdir())) / "comgan-lite" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def live_label(steps: int, full_steps: int) -> str:
    """Title text for a live run's figure: says when the figure comes from quick mode's short
    run rather than the full demonstration."""
    if steps == full_steps:
        return f"live run, {steps:,d} steps"
    return f"quick-mode live run: {steps:,d} steps (full mode: {full_steps:,d})"
