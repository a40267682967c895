"""Run ``comgan_lite.train`` with every BatchNorm replaced by a per-channel scale and shift, for
the torchrun test: BatchNorm normalises over each rank's share of the batch, so it is the one
place where N ranks and one process with an N-times larger batch differ by design.  Without it
they must agree to float precision.  Usage: ``[torchrun ...] tests/ddp_worker.py <train options>``."""
import contextlib
import sys

import torch


class NoNorm(torch.nn.Module):
    """BatchNorm's learnable scale and shift per channel, without the batch statistics."""

    def __init__(self, channels, *args, **kwargs):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(channels))
        self.bias = torch.nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return x * self.weight.view(shape) + self.bias.view(shape)


@contextlib.contextmanager
def without_batchnorm():
    """While active, networks built by comgan_lite.nets get NoNorm where BatchNorm was."""
    saved = torch.nn.BatchNorm1d, torch.nn.BatchNorm2d
    torch.nn.BatchNorm1d = torch.nn.BatchNorm2d = NoNorm
    try:
        yield
    finally:
        torch.nn.BatchNorm1d, torch.nn.BatchNorm2d = saved


if __name__ == "__main__":
    from comgan_lite import train
    with without_batchnorm():
        train.main(sys.argv[1:])
