"""Training on several processes: ``torchrun --nproc_per_node=N -m comgan_lite.train ...``.

Every process (a *rank*) holds a whole copy of G and D, wrapped in DistributedDataParallel
(DDP), which averages the gradients of all ranks in each backward pass, so every rank takes the
same optimiser step and the copies stay identical.  All ranks share one random generator: at
each step they draw the same global batch (real-image indices and z for N x batch images), and
rank r trains on its r-th share.  So a run on N ranks sees the images and z a one-process run
with an N-times larger batch sees; it differs only where BatchNorm in G or D normalises over a
rank's share instead of the global batch.  Rank 0 alone logs, keeps the EMA, writes snapshots
and checkpoints.  A plain ``python -m`` run (WORLD_SIZE unset or 1) never touches any of this.
"""
from __future__ import annotations

import hashlib
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel


def requested() -> bool:
    """True when launched by torchrun with more than one process."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def start(device: torch.device) -> torch.device:
    """Join the process group (NCCL on CUDA, gloo on the CPU) when ``requested()``; return the
    device this rank trains on (its own GPU, ``LOCAL_RANK``, on CUDA)."""
    if not requested():
        return device
    if device.type == "mps":
        raise ValueError("torchrun with several processes runs on cuda or cpu, not mps; "
                         "use --device cpu, or a plain python -m run")
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


def rank_and_world() -> tuple[int, int]:
    """(this process's rank, number of processes); (0, 1) outside torchrun."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def wrap(module: torch.nn.Module, device: torch.device, unused: bool = False) -> torch.nn.Module:
    """``module`` in DDP when several ranks train, else ``module`` itself.  ``unused``: some of
    its parameters never get a gradient (DS-ComGAN's D_f / D_b use only their class head).
    Checkpoints keep the bare module, so a run saved by N ranks resumes on any number of them."""
    if rank_and_world()[1] == 1:
        return module
    return DistributedDataParallel(module, device_ids=[device.index] if device.type == "cuda" else None,
                                   find_unused_parameters=unused)


def say_global_batch(per_rank: int, device: torch.device) -> None:
    """Rank 0 prints the global batch once (nothing in a plain run)."""
    rank, world = rank_and_world()
    if world > 1 and rank == 0:
        print(f"torchrun: {world} processes x batch {per_rank} = global batch {world * per_rank} "
              f"({'nccl' if device.type == 'cuda' else 'gloo'})")


def my_share(global_batch: torch.Tensor) -> torch.Tensor:
    """This rank's slice of a batch drawn identically on every rank: [N x b, ...] -> [b, ...]."""
    rank, world = rank_and_world()
    per_rank = len(global_batch) // world
    return global_batch[rank * per_rank:(rank + 1) * per_rank]


def any_rank(flag: bool) -> bool:
    """True on every rank when ``flag`` is true on any (a Ctrl-C seen by one rank stops all
    of them at the same step)."""
    if rank_and_world()[1] == 1:
        return flag
    t = torch.tensor([float(flag)], device=_collective_device())
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


def _collective_device() -> torch.device:
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def barrier() -> None:
    """Wait until every rank gets here (nothing to wait for in one process)."""
    if rank_and_world()[1] > 1:
        dist.barrier()


def fingerprint(module: torch.nn.Module) -> str:
    """A hash of every parameter, bit for bit.  (Buffers such as BatchNorm's running averages
    follow each rank's own share; DDP copies rank 0's to all ranks at every forward pass.)"""
    h = hashlib.sha256()
    for t in module.parameters():
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def ranks_agree(*modules: torch.nn.Module) -> bool:
    """Whether every rank holds bit-identical parameters of ``modules`` (True for one process)."""
    if rank_and_world()[1] == 1:
        return True
    mine = [fingerprint(m) for m in modules]
    everyone = [None] * rank_and_world()[1]
    dist.all_gather_object(everyone, mine)
    return all(other == mine for other in everyone)


def stop() -> None:
    """Leave the process group (at the end of a torchrun run)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
