"""Test-suite settings: quick mode for every notebook kernel nbval starts, one torch thread."""
import os

os.environ.setdefault("COMGAN_QUICK", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

torch.set_num_threads(1)
