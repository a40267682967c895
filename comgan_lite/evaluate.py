"""Measuring a generator: does its mask outline the object it draws, are its masks trivial, and
(DS-ComGAN) what do its codes control?

Two frozen measuring instruments do the looking, both trained once, supervised, and shipped in
``data/``: the oracle segmenter (``oracle``) and the factor classifier (``factors``).  Every
generator is measured on the same fixed evaluation batch: ``N_EVAL`` composites from z drawn with
seed ``EVAL_SEED``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from . import compose, factors, metrics, oracle
from .checkpoints import CheckpointError
from .data import DATA_DIR, ShapesDataset
from .train import sample

ORACLE_DIR = DATA_DIR / "oracle"   # oracle-32px.pt, oracle-64px.pt: one per resolution
FACTORS_PATH = DATA_DIR / "factors" / "factors-medium-32px.pt"
N_FD = 1024           # images per side of the Fréchet distance
N_EVAL = 512          # composites per evaluation
EVAL_SEED = 2024      # the fixed evaluation batch: z ~ N(0, I) from this seed


@lru_cache(maxsize=None)
def real_area(preset: str, size: int = 32) -> float:
    """Share of object pixels in 1,000 real test images: the gate of faithfulness."""
    return float(ShapesDataset(preset, size, "test", 1000).arrays(progress=False)["mask"].mean())


@lru_cache(maxsize=None)
def oracle_model(size: int = 32):
    """The shipped oracle segmenter for ``size`` px images (loaded once per size)."""
    path = ORACLE_DIR / f"oracle-{size}px.pt"
    if not path.exists():
        raise FileNotFoundError(f"no oracle for {size} px images at {path}; train one with "
                                f"python -m comgan_lite.oracle --size {size} --out {path}")
    model, info = oracle.load_oracle(path)
    if info["size"] != size:
        raise CheckpointError(f"{path} holds a {info['size']} px oracle, not {size} px")
    return model


def evaluation_inputs(g, n: int = N_EVAL, seed: int = EVAL_SEED) -> tuple:
    """The fixed evaluation inputs: z seeded by ``seed`` (the same z for every family), and for
    DS-ComGAN independent uniform codes f and b after it."""
    if hasattr(g, "n_codes"):
        return factors.fixed_inputs(n, g.n_codes, g.z_dim, seed)
    return (torch.randn(n, g.z_dim, generator=torch.Generator().manual_seed(seed)),)


def evaluation_batch(g, n: int = N_EVAL, seed: int = EVAL_SEED) -> dict:
    """The fixed evaluation batch: n composites (and layers) from the fixed inputs."""
    return sample(g, *evaluation_inputs(g, n, seed))


def mask_scores(g, cfg, n: int = N_EVAL) -> dict:
    """Faithfulness (fixed polarity and best-of-two, with its gate) and the trivial-solution
    diagnostics of generator ``g`` on the fixed evaluation batch, with the share of nearly
    trivial masks (mean below 0.05 or above 0.95: emptier or fuller than any real `easy` mask)."""
    out = evaluation_batch(g, n)
    faith = oracle.faithfulness(oracle_model(cfg.size), out["image"], out["mask"],
                                real_area(cfg.preset, cfg.size))
    near = compose.trivial_share(out["mask"], compose.NEAR_TRIVIAL_LOW, compose.NEAR_TRIVIAL_HIGH)["trivial"]
    return {**faith, **compose.diagnostics(out["fg"], out["bg"], out["mask"]), "near_trivial": near}


@lru_cache(maxsize=1)
def factor_classifier(path: str = str(FACTORS_PATH)):
    """The shipped factor classifier (loaded once)."""
    return factors.load_classifier(path)[0]


@lru_cache(maxsize=None)
def real_features(preset: str, size: int = 32, n: int = N_FD):
    """Factor-classifier features of n real test images (one side of the Fréchet distance)."""
    x, _ = factors.load_split(preset, size, "test", n)
    return factors.predict(factor_classifier(), x)["features"].numpy()


def frechet_factor_distance(g, preset: str, size: int = 32, n: int = N_FD) -> float:
    """Fréchet distance between n composites and n real test images, on the factor
    classifier's 128-d features (FD_factors; not FID, not comparable to published FIDs)."""
    batch = N_EVAL   # sampled in batches of the evaluation size: BatchNorm sees what it saw in training
    feats = np.concatenate([
        factors.predict(factor_classifier(),
                        evaluation_batch(g, batch, seed=EVAL_SEED + 1 + i)["image"])["features"].numpy()
        for i in range(-(-n // batch))])[:n]
    return metrics.frechet_distance(feats, real_features(preset, size, n))


def disentanglement(g, n: int = N_EVAL) -> dict:
    """DS-ComGAN's controllability and code purity (``factors.disentanglement``) as flat
    columns ``ctrl_<input>_<factor>`` and ``nmi_<code>_<factor>``."""
    d = factors.disentanglement(g, factor_classifier(), n, EVAL_SEED)
    row = {f"ctrl_{w}_{k}": v for w, changes in d["control"].items() for k, v in changes.items()}
    row.update({f"nmi_{c}_{k}": v for c, nmis in d["purity"].items() for k, v in nmis.items()})
    return row
