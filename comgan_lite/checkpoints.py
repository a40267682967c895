"""Run folders that survive interruption: atomic saves, safe loading, and one resumable loop.

Every command that trains (the GAN in ``train``, the segmenter in ``segment``) runs its steps
through ``resumable_loop``; the oracle and the factor classifier save and load through the same
helpers.  A run folder holds

    config.json     the settings, as JSON
    metrics.jsonl   one JSON row per logged step
    checkpoint.pt   everything needed to go on: weights, optimisers, the random state, the step

Run the same command again after Ctrl-C, ``kill`` or a crash and the run continues from its last
checkpoint, to the same result as an uninterrupted run (all random state lives in the
checkpoint).  Stop requests (SIGTERM, Ctrl-C) are honoured between steps, never inside one.
"""
from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import shutil
import signal
import threading
import time
import warnings
from dataclasses import asdict, fields
from pathlib import Path

import torch

from . import distributed

CHECKPOINT = "checkpoint.pt"
LOG = "metrics.jsonl"
LOCK = "run.lock"            # held while a process trains into the folder
RESUMABLE_CHANGES = ("steps", "log_every", "snapshot_every", "checkpoint_every", "keep_every",
                     "threads", "device", "amp")   # the only settings a resumed run may change


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used; the message says what to do."""


# ----------------------------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------------------------
def save_atomic(obj, path: str | Path) -> None:
    """torch.save to a temporary file, flushed to disk, then renamed over ``path``: a reader
    never sees a half-written file, and a failed save leaves no temporary file behind."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        if isinstance(e, OSError) and e.errno == errno.ENOSPC or "No space left" in str(e):
            free = shutil.disk_usage(path.parent).free / 2**20
            raise CheckpointError(f"could not write {path}: disk full? ({free:.0f} MB free on "
                                  "that disk); free some space and run the same command again") from e
        raise


def load_checkpoint(path: str | Path) -> dict:
    """Load a checkpoint safely (``weights_only=True``: no code in the file runs), with errors
    that say what to do."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no checkpoint at {path}; train one with python -m comgan_lite.train")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # truncated, corrupt, or not a checkpoint at all
        reason = str(e).split("\n")[0]
        if "Weights only load failed" in reason:  # never pass on torch's advice to load unsafely
            reason = "it holds Python objects other than tensors and plain data, refused for safety"
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(e).__name__}: {reason}). "
                              "Delete it to start afresh, or restore it from data/.") from e


def load_weights(module: torch.nn.Module, state: dict, path: str | Path, what: str) -> None:
    """``module.load_state_dict(state)``, or a one-line CheckpointError naming the file and the
    sizes that differ (a file made for a model of other widths)."""
    own = module.state_dict()
    wrong = [f"{k}: {tuple(v.shape)} in the file, {tuple(own[k].shape)} in {what}"
             for k, v in state.items() if k in own and getattr(v, "shape", None) != own[k].shape]
    missing, extra = [k for k in own if k not in state], [k for k in state if k not in own]
    said = wrong[:2] + ([f"{len(wrong) - 2} more sizes differ"] if len(wrong) > 2 else [])
    said += [f"{len(missing)} weight(s) missing, e.g. {missing[0]}"] if missing else []
    said += [f"{len(extra)} unexpected weight(s), e.g. {extra[0]}"] if extra else []
    try:
        if not said:
            module.load_state_dict(state)
            return
    except RuntimeError as e:
        said = [str(e).strip().splitlines()[-1].strip()]
    raise CheckpointError(f"{path} does not fit {what} ({'; '.join(said)}); it was made for "
                          "another architecture: use the file made for this model, or retrain it")


def half_state(module: torch.nn.Module) -> dict:
    """A state dict with floating tensors in fp16: the small form we ship."""
    return {k: (v.half() if v.is_floating_point() else v) for k, v in module.state_dict().items()}


def float_state(state: dict) -> dict:
    """The inverse of half_state: floating tensors back to fp32."""
    return {k: (v.float() if v.is_floating_point() else v) for k, v in state.items()}


def write_json(path: str | Path, obj) -> None:
    """Write JSON atomically (a temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1) + "\n")
    os.replace(tmp, path)


def read_log(path: str | Path, warn: bool = False) -> list[dict]:
    """The rows of a JSON-lines log.  An undecodable last line (the process died while writing
    it) is dropped, with a warning when ``warn``; an undecodable line elsewhere is an error."""
    lines = [line for line in Path(path).read_text().splitlines() if line.strip()]
    rows = []
    for i, line in enumerate(lines):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            if i < len(lines) - 1:
                raise CheckpointError(f"{path}: line {i + 1} is not JSON; the log is damaged")
            if warn:
                warnings.warn(f"{path}: dropped an unfinished last line (the run was killed while "
                              "writing it)")
    return rows


def truncate_log(path: Path, step: int) -> None:
    """Drop log rows written after the checkpoint we resume from (they will be redone)."""
    if not path.exists():
        return
    rows = [r for r in read_log(path, warn=True) if r["step"] <= step]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------
# Settings
# ----------------------------------------------------------------------------------------------
def config_from_dict(config_class, saved: dict):
    """A config dataclass from a saved one (checkpoint or config.json), ignoring keys this
    version no longer knows."""
    known = {f.name for f in fields(config_class)}
    return config_class(**{k: v for k, v in saved.items() if k in known})


def check_same(saved: dict, cfg, keys=None, path: Path = Path("."), what: str = "configuration") -> None:
    """Refuse to resume ``path`` when any of ``keys`` (default: every setting but those in
    RESUMABLE_CHANGES) differs between the saved config and ``cfg``, naming every difference."""
    if keys is None:
        keys = [f.name for f in fields(cfg) if f.name not in RESUMABLE_CHANGES]
    defaults = type(cfg)()
    diff = {k: (saved.get(k, getattr(defaults, k)), getattr(cfg, k)) for k in keys
            if saved.get(k, getattr(defaults, k)) != getattr(cfg, k)}
    if diff:
        said = ", ".join(f"{k}: checkpoint {a!r} vs requested {b!r}" for k, (a, b) in diff.items())
        raise CheckpointError(f"{path} was trained with another {what} ({said}). Use "
                              "another --out folder, or the checkpoint's own settings.")


def require(cfg, positive=(), choices=None, within=None) -> None:
    """Validate a config dataclass: every field in ``positive`` > 0, every field of ``choices``
    ({name: allowed}) among its allowed values, every field of ``within`` ({name: (low, high)})
    with low <= value < high.  Raises ValueError naming the option and what it accepts."""
    def flag(name):
        return "--" + name.replace("_", "-")
    for name in positive:
        if not getattr(cfg, name) > 0:
            raise ValueError(f"{flag(name)} must be positive, not {getattr(cfg, name)!r}")
    for name, allowed in (choices or {}).items():
        if getattr(cfg, name) not in allowed:
            raise ValueError(f"{flag(name)} must be one of {', '.join(map(str, allowed))}, "
                             f"not {getattr(cfg, name)!r}")
    for name, (low, high) in (within or {}).items():
        if not low <= getattr(cfg, name) < high:
            raise ValueError(f"{flag(name)} must be at least {low} and below {high}, not {getattr(cfg, name)!r}")


COMMON_HELP = {"batch_size": "images per batch", "seed": "random seed",
               "log_every": "steps between log rows", "checkpoint_every": "steps between checkpoints",
               "threads": "torch threads for this process",
               "device": "where to run: auto (CUDA, else Apple MPS, else the CPU), cpu, cuda or mps; "
                         "a checkpoint written on one device resumes on another",
               "amp": "bf16 mixed precision (autocast) on cuda or cpu"}   # options every trainer has


def positive_int(text: str) -> int:
    """An argparse type for counts (steps, threads): a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def config_parser(config_class, description: str, out_help: str) -> argparse.ArgumentParser:
    """A command line with one option per field of a config dataclass (``--no-NAME`` for
    booleans that default to on), plus ``--out`` and ``--no-progress``.  Help texts come from
    the class's ``HELP`` dict, fixed sets of values from its ``CHOICES`` (listed, checked by
    the class itself so that a bad value gets its one-line message)."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    helps, choices = getattr(config_class, "HELP", {}), getattr(config_class, "CHOICES", {})
    for f in fields(config_class):
        flag, said = f.name.replace("_", "-"), helps.get(f.name, "")
        if f.type in ("bool", bool) and f.default:   # on by default: --no-NAME turns it off
            p.add_argument(f"--no-{flag}", dest=f.name, action="store_false", help=f"turn off: {said}")
        elif f.type in ("bool", bool):
            p.add_argument(f"--{flag}", action="store_true", default=f.default, help=said)
        else:
            kind = {"int": int, "float": float, "str": str, "int | None": int}.get(str(f.type), type(f.default))
            allowed = choices.get(f.name)
            if allowed:
                said += f"; one of: {', '.join(map(str, allowed))}"
            if f.default not in (None, ""):
                said += f" (default: {f.default})"
            p.add_argument(f"--{flag}", type=kind, default=f.default, help=said,
                           metavar="{" + ",".join(map(str, allowed)) + "}" if allowed else None)
    p.add_argument("--out", required=True, help=out_help)
    p.add_argument("--force", action="store_true",
                   help="train into an --out folder that holds files but no checkpoint (a finished "
                        "or shipped run), replacing its log and generator")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and CI)")
    return p


# ----------------------------------------------------------------------------------------------
# The loop
# ----------------------------------------------------------------------------------------------
class RunLock:
    """Held while a process trains into a folder: a second process on the same folder stops
    with a message instead of mixing its steps into the first one's checkpoint."""

    def __init__(self, out: Path):
        self.path = out / LOCK

    def __enter__(self):
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pid = int(self.path.read_text() or 0)
            if pid and pid != os.getpid() and _alive(pid):
                raise CheckpointError(f"{self.path.parent} is in use by another training process "
                                      f"(pid {pid}); wait for it to finish, or use another --out folder")
            self.path.unlink(missing_ok=True)        # left behind by a process that died
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return self

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_fresh(out: Path, force: bool = False) -> None:
    """A folder with files but no checkpoint is a finished or shipped run: refuse to train into
    it (its generator and log would be overwritten and appended to) unless ``force``, which
    clears the old log and generator first."""
    leftovers = sorted(p.name for p in out.iterdir() if p.name != LOCK) if out.exists() else []
    if not leftovers or (out / CHECKPOINT).exists():
        return
    if not force:
        raise CheckpointError(f"{out} already holds {', '.join(leftovers[:5])} but no {CHECKPOINT} to "
                              "resume (a finished or shipped run?). Use another --out folder, or "
                              "pass --force to train over it.")
    for name in (LOG, "generator.pt", "segmenter.pt", "eval.json", "milestones.json"):
        (out / name).unlink(missing_ok=True)


class _StopRequests:
    """While active, SIGTERM and Ctrl-C (SIGINT) only set ``self.signal``: the loop finishes the
    step it is in, saves and stops.  Handlers can only be set from the main thread."""

    def __enter__(self):
        self.signal, self.old = None, {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self.old[sig] = signal.signal(sig, self._request)
        return self

    def _request(self, signum, frame):
        self.signal = signal.Signals(signum).name

    def __exit__(self, *exc):
        for sig, handler in self.old.items():
            signal.signal(sig, handler)


def what_file(ckpt: dict) -> str:
    """What a loaded file holds, in words, for refusals that say what a file is."""
    if not isinstance(ckpt, dict):
        return f"a {type(ckpt).__name__}, not a comgan-lite file"
    kinds = (("step", "a training checkpoint", "checkpoint.pt of a run folder"),
             ("g", "an exported generator", "like generator.pt: weights only, no optimiser or step"),
             ("g_ema", "an exported generator", "like generator.pt: its parameter average only"),
             ("s", "an exported segmenter", "like segmenter.pt"),
             ("oracle", "an oracle file", ""), ("factor_classifier", "a factor-classifier file", ""))
    for key, name, detail in kinds:
        if key in ckpt:
            if key in ("step", "g", "g_ema", "s") and "config" not in ckpt:
                return f"{name} without its config (hand-made, or cut short)"
            return f"{name} ({detail})" if detail else name
    return f"not a comgan-lite file (keys: {', '.join(sorted(map(str, ckpt))) or 'none'})"


def resume(path: Path, parts: dict, rng: torch.Generator, check=None, main: bool = True) -> tuple[int, float]:
    """Load a checkpoint into ``parts`` and ``rng``; drop the log rows written after it (the
    ``main`` process only, rank 0 under torchrun).  Returns (step, minutes spent so far)."""
    ckpt = load_checkpoint(path)
    if "step" not in ckpt or "config" not in ckpt:
        raise CheckpointError(f"{path} is {what_file(ckpt)}; a run resumes only from the step, "
                              "weights and config its training saved, so there is nothing to "
                              "resume: move the file out of that folder, or use another --out folder")
    if check is not None:
        check(ckpt, path)
    for key, part in parts.items():
        if key in ckpt and isinstance(part, torch.nn.Module):
            load_weights(part, ckpt[key], path, f"this run's {key!r}")
        elif key in ckpt:
            part.load_state_dict(ckpt[key])
        elif part.state_dict() is not None:
            raise CheckpointError(f"{path} holds no {key!r}; use another --out folder")
    rng.set_state(ckpt["rng"])
    step = int(ckpt["step"])
    if main:
        truncate_log(path.parent / LOG, step)
        print(f"resuming {path.parent} at step {step}")
    return step, float(ckpt.get("minutes", 0.0))


def resumable_loop(out: Path, cfg, parts: dict, rng: torch.Generator, step_fn, *, steps: int,
                   checkpoint_every: int, desc: str, progress: bool = True,
                   stop_after: int | None = None, check=None, after_step=None, on_log=None,
                   shown=(), force: bool = False, main: bool = True) -> int:
    """Run ``step_fn(step)`` for step = 0, 1, ... until ``steps``, resuming from ``out``.

    ``parts`` maps checkpoint keys to objects with ``state_dict``/``load_state_dict`` (modules,
    optimisers; a value whose ``state_dict()`` is None is not saved, and such a key may be absent
    from an older checkpoint).  ``step_fn`` returns None or ``(row, batch)``: the row gets the
    minutes so far and goes to the log; ``on_log(row, batch)`` sees it too.  ``after_step(step)``
    runs after each step (snapshots); ``check(checkpoint, path)`` may refuse a checkpoint.
    A folder that holds a finished or shipped run is refused unless ``force`` (``check_fresh``);
    a folder another process trains into is refused (``RunLock``).  Under torchrun only the
    ``main`` process (rank 0) writes anything: log, config, checkpoints, progress bar, and
    ``after_step`` runs there alone; every rank stops at the same step.
    Returns the step reached; raises KeyboardInterrupt after saving if Ctrl-C stopped it."""
    check_fresh(out, force)
    distributed.barrier()                    # every rank has judged the folder before rank 0 writes
    out.mkdir(parents=True, exist_ok=True)
    with RunLock(out) if main else contextlib.nullcontext():
        return _loop(out, cfg, parts, rng, step_fn, steps, checkpoint_every, desc, progress and main,
                     stop_after, check, after_step if main else None, on_log if main else None, shown, main)


def _loop(out, cfg, parts, rng, step_fn, steps, checkpoint_every, desc, progress, stop_after,
          check, after_step, on_log, shown, main) -> int:
    path = out / CHECKPOINT
    step, minutes_before = resume(path, parts, rng, check, main) if path.exists() else (0, 0.0)
    if main:
        (out / "config.json").write_text(json.dumps(asdict(cfg), indent=1))
    start = time.time()

    def minutes() -> float:
        return minutes_before + (time.time() - start) / 60

    def save() -> None:
        if not main:
            return
        state = {k: p.state_dict() for k, p in parts.items()}
        state = {k: v for k, v in state.items() if v is not None}
        save_atomic({**state, "rng": rng.get_state(), "step": step, "minutes": minutes(),
                     "config": asdict(cfg)}, path)

    from tqdm.auto import tqdm
    bar = tqdm(total=steps, initial=step, disable=not progress, desc=desc)
    done_here = 0
    with _StopRequests() as stop, open(out / LOG, "a") if main else contextlib.nullcontext() as log:
        while step < steps and not distributed.any_rank(stop.signal is not None):
            logged = step_fn(step)
            step, done_here = step + 1, done_here + 1
            bar.update(1)
            if logged is not None and main:
                row, batch = logged
                row["minutes"] = minutes()
                log.write(json.dumps(row) + "\n")
                log.flush()
                bar.set_postfix({k: f"{row[k]:.2f}" for k in shown if k in row})
                if on_log is not None:
                    on_log(row, batch)
            if after_step is not None:
                after_step(step)
            if step % checkpoint_every == 0:
                save()
            if stop_after is not None and done_here >= stop_after:
                break
        bar.close()
        save()
    if stop.signal is not None:
        print(f"\n{desc}: stopped by {stop.signal} at step {step}; checkpoint saved, run the "
              "same command to resume")
        if stop.signal == "SIGINT":
            raise KeyboardInterrupt
    return step


def train_to_the_end(run_dir, cfg, parts: dict, rng: torch.Generator, step_fn, steps: int,
                     desc: str, progress: bool = True) -> None:
    """``resumable_loop`` for the measuring instruments (oracle, factor classifier): resumable
    from ``run_dir`` when one is given (else a temporary folder), refusing a run folder of other
    settings, and an error unless every step was done."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        done = resumable_loop(Path(run_dir or tmp), cfg, parts, rng, step_fn, steps=steps,
                              checkpoint_every=250, desc=desc, progress=progress,
                              check=lambda ckpt, path: check_same(ckpt["config"], cfg, vars(cfg), path, "setting"))
    if done < steps:
        raise CheckpointError(f"{desc}: stopped at step {done} of {steps}; run the same command to resume")
