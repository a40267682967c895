# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Your own images: a folder, a GPU, and the paper's 128 px
#
# *comgan-lite, a teaching series on compositional GANs.* &nbsp; Previous:
# [05 · DS-ComGAN segmentation](05_ds_comgan_segmentation.ipynb)
#
# ## Learning goals
# - Put a folder of images in the layout the series reads (CUB-200's `images/` and
#   `segmentations/`), and know what the masks are used for: **evaluation only**.
# - Train DS-ComGAN and its segmenter $S$ on that folder with the same two commands as before,
#   adding `--data PATH`.
# - Segment the folder with a fully trained pipeline and measure it against the folder's masks.
# - Plan a run at the paper's scale: 128 px, on one GPU or on several with `torchrun`, knowing
#   what one training step costs and what the global batch is.
#
# ## Prerequisites
# Notebooks 04 (the DS-ComGAN generator) and 05 (the segmenter $S$ and IoU).
#
# ## Time
# Quick mode (`COMGAN_QUICK=1`, the test suite): about 1 minute. Full mode: about 3.5 minutes of
# computing on a 2-core laptop CPU (measured: 3.3, of which the two short live trainings, 40
# and 60 steps, take 1.5 and 1.2), and 30 minutes of reading.
#
# ## The result at our scale
# The paper trains DS-ComGAN at 128 px on CUB-200 birds and segments them at 60.7 % IoU. Here
# 256 held-out emoji scenes in a folder stand in for your photographs: the shipped pipeline (one
# seed, 32 px) segments them at an IoU of 0.74, and 0.80 without the mask discriminator; emoji at
# 32 px are far easier than photographs, so the two results do not compare. The 128 px networks,
# `--data` and `torchrun` are built and pass the test suite on the CPU, but no 128 px run was
# trained for this series: the GPU times below are estimates from counted operations.

# %%
import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

from comgan_lite import claims, data, exercises, folders, plots, runtime, segment, shipped, train, widgets

print(runtime.setup_notebook(seed=0, threads=1))
QUICK = runtime.quick_mode()

# %% [markdown]
# ## 1. A folder the series can read
#
# `folders.FolderDataset` reads two layouts. A **plain folder** of images (any of jpg, png,
# bmp, gif, tif, webp, in sub-folders too) gives images only. The **CUB layout** adds masks:
#
# ```
# mine/images/001.Bird/a.jpg          mine/segmentations/001.Bird/a.png
# mine/images/001.Bird/b.jpg          mine/segmentations/001.Bird/b.png
# ```
#
# Every image is resized (shorter side) and centre-cropped to the training size. A mask may be
# a label map (0 and 1), a black-and-white PNG, or an image with an alpha channel. Training
# never reads the masks: they only measure what the models learned without them.
#
# So that this notebook runs anywhere, it writes 256 held-out `emoji` scenes (the test split
# of notebook 05: scenes never used in training, made of the same emoji glyphs) into a temporary
# folder in the CUB layout. To use
# your own pictures, set `FOLDER` to their folder.

# %%
FOLDER = None   # e.g. "~/Pictures/birds", or a CUB-200-2011 folder
SIZE = 32

if FOLDER is None:
    scenes = data.load_arrays("emoji", SIZE, "test", 256, progress=False)
    FOLDER = folders.write_cub_folder(Path(tempfile.mkdtemp(prefix="comgan-06-")) / "mine",
                                      scenes["image"], scenes["mask"])
mine = folders.FolderDataset(FOLDER, SIZE)
print(f"{mine.root}: {len(mine)} images, layout {mine.layout}, masks: {mine.has_masks}")
first = [mine[i] for i in range(8)]
rows = [[it["image"] for it in first]] + ([[it["mask"] for it in first]] if mine.has_masks else [])
plots.image_grid(rows, row_titles=["image", "mask"][:len(rows)], size=1.0)
plt.show()

# %% [markdown]
# ## 2. Train DS-ComGAN on the folder
#
# The training command is the one of notebook 04 with `--data` in place of `--preset`:
#
# ```
# python -m comgan_lite.train --family dscomgan --data mine --size 32 --beta 1 --ema 0.995 --steps 2000 --out runs/mine-gan
# ```
#
# It reads the first `--n-train` images of the folder (all 256 here) once, then trains as
# before, with a progress bar, a fixed seed and checkpoints you can resume. The cell below runs
# the same training for a few dozen steps, enough to watch it start.

# %%
gan_steps = 3 if QUICK else 40
live = widgets.LiveTraining(keys=("loss_d", "loss_g_adv", "trivial"),
                            caption=f"composites and masks; {runtime.live_label(gan_steps, 40)}")
gan_dir = runtime.scratch_dir("06-gan")
gan_cfg = train.TrainConfig(family="dscomgan", data=str(FOLDER), size=SIZE, beta=1.0, ema=0.995,
                            steps=gan_steps, log_every=1 if QUICK else 5, snapshot_every=gan_steps)
live.start("DS-ComGAN on the folder")
train.train(gan_cfg, gan_dir, on_log=live.update)
live.redraw()

# %% [markdown]
# After 40 steps the composites are blotches and the masks say nothing yet: notebook 04's
# generator needed about 2,000 steps to draw objects. What matters here is that nothing but the
# source of the images changed.
#
# ## 3. Train $S$ on the folder
#
# Stage 2 reads the same folder: $S$ learns from the frozen generator's pairs
# $(\bar x, \bar m)$, and its mask discriminator $D_m$ compares $S$'s masks on the folder's
# images with the generator's masks (eq. 9-10). The folder's own masks serve only for
# `val_iou`, the IoU on its first 256 images, in the log.
#
# ```
# python -m comgan_lite.segment --mode ds --generator runs/mine-gan --data mine --size 32 --steps 1500 --out runs/mine-S
# ```

# %%
s_steps = 3 if QUICK else 60
live_s = widgets.LiveTraining(keys=("loss_cons", "val_iou"), xlabel="S step",
                              caption=f"the folder's images and S's masks; {runtime.live_label(s_steps, 60)}")
s_cfg = segment.SegConfig(mode="ds", generator=str(gan_dir), data=str(FOLDER), size=SIZE, steps=s_steps,
                          log_every=1 if QUICK else 10, n_standing=64 if QUICK else 256)
live_s.start("S on the folder")
segment.train(s_cfg, runtime.scratch_dir("06-S"), on_log=lambda row, shown: live_s.update(
    row, {"image": shown["x"], "mask": shown["s_x"]}))
live_s.redraw()

# %% [markdown]
# $S$ can only be as good as its teacher, and this teacher has trained for a minute. A
# segmenter worth looking at needs the full budget: about 2,000 generator steps and 1,500
# segmenter steps, an hour or more on one CPU thread at 32 px (section 5 lists what a
# generator step costs).
#
# ## 4. What a fully trained pipeline does with the folder
#
# The shipped `emoji` models ran the same two commands for the full budget, with
# `--preset emoji` (10,000 training scenes like these, seed 0) in place of `--data`. `segment.segment_folder` applies a
# segmenter to a folder at the size it was trained at, and returns its soft masks with the
# folder's ground truth. Three segmenters: $S$ with and without the mask discriminator, and a
# U-Net trained on ground-truth masks, the best a 32 px network of this size does with labels.

# %%
modes = {"ds": "S (L_cons + D_m)", "cons": "S (L_cons only)", "supervised": "supervised U-Net"}
results = {m: segment.segment_folder(segment.load_segmenter(shipped.segmenter(m, "emoji"), "cpu")[0],
                                     FOLDER, limit=256) for m in modes}
folder_iou = {m: float(segment.scores(r["mask"], r["truth"] > 0.5)["iou"].mean()) for m, r in results.items()}
for m, name in modes.items():
    print(f"{name:18s} IoU against the folder's masks: {folder_iou[m]:.2f}   ({len(results[m]['paths'])} images)")
shown_ = results["ds"]
plots.image_grid([list(shown_["image"][:10]), list(shown_["truth"][:10, 0]),
                  *[list(results[m]["mask"][:10, 0]) for m in modes]],
                 row_titles=["image", "truth", *modes.values()], size=0.95)
plt.show()

# %%
gen_cfg = shipped.read_config(shipped.SEG_DIR / "generators" / "dscomgan-emoji-b1-s0")
s_shipped = shipped.read_config(shipped.segmenter("ds", "emoji"))
claims.holds((gen_cfg["steps"], s_shipped["steps"], gen_cfg["seed"]) == (2000, 1500, 0),
             "the shipped emoji pipeline: 2,000 generator steps, 1,500 segmenter steps, seed 0")
claims.about(folder_iou["ds"], 0.74, "S (with D_m) on the folder: IoU 0.74")
claims.about(folder_iou["cons"], 0.80, "S without D_m on the folder: IoU 0.80")
claims.check(folder_iou["supervised"], ">", max(folder_iou["ds"], folder_iou["cons"]) + 0.1,
             "the supervised U-Net stays more than 0.1 above both")
table_emoji = shipped.table4()["emoji"]
claims.check(abs(folder_iou["ds"] - table_emoji["ds"]["iou"]), "<", 0.03,
             "the folder gives S the score of notebook 05's table (1,000 test images)")

# %% [markdown]
# **What to notice.** Read from PNG files, the scenes give $S$ the score of notebook 05's
# table (0.74 here on 256 images, against 0.73 there on 1,000). $S$ finds most objects but
# rounds them off (compare the outlines with the truth row). $S$ without the mask
# discriminator scores higher, as on every dataset of notebook 05, though its masks are more
# ragged and spill into striped backgrounds. The supervised U-Net shows how
# much the labels would be worth. With your own photographs, expect much less: these
# segmenters have only ever seen emoji on textured backgrounds.
#
# ## 5. The paper's scale: 128 px on a GPU
#
# Everything above runs on a laptop because the images are 32 px and the networks small.
# `--size 128` builds the paper's networks instead (trunk 512 × 4 × 4 growing to
# 16 × 128 × 128, heads 128 channels wide for DS-ComGAN, $D$ with 8·ndf channels at its last two
# levels), and the paper's settings are batch 90, Adam at $2\cdot10^{-4}$, $N = 200$ codes.
# On one GPU, for a CUB-200-2011 folder (its `images/` and `segmentations/` sit in that
# layout already):
#
# ```
# python -m comgan_lite.train --family dscomgan --data CUB_200_2011 --size 128 --n-codes 200 --batch-size 90 \
#     --beta 1 --ema 0.999 --steps 58500 --amp --out runs/cub-gan
# python -m comgan_lite.segment --mode ds --generator runs/cub-gan --data CUB_200_2011 --size 128 \
#     --steps 30000 --lr 2e-4 --out runs/cub-S
# ```
#
# 58,500 steps are the official schedule, 450 epochs of 130 steps (exercise 2 computes the
# 130), and 0.999 the official decay of the parameter average (at 32 px we use 0.995 for runs
# 30 times shorter; appendix A2 says why). The segmenter's 30,000 steps at $2\cdot10^{-4}$ are
# the official code's too; our $S$ stays the small U-Net unless you widen it with `--width` and
# `--levels`.
#
# On N GPUs of one machine, the same command under `torchrun` trains with
# DistributedDataParallel: every process holds a copy of $G$ and $D$, trains on its own share of
# each batch, and the gradients are averaged, so the copies stay identical. `--batch-size` is
# **per process**, so the global batch is N × `--batch-size`; for the paper's 90 on 3 GPUs:
#
# ```
# torchrun --nproc_per_node=3 -m comgan_lite.train --family dscomgan --data CUB_200_2011 --size 128 \
#     --n-codes 200 --batch-size 30 --beta 1 --ema 0.999 --steps 58500 --amp --out runs/cub-gan
# ```
#
# Under `torchrun` the run prints its global batch. Run the same command again to resume; a
# different number of processes resumes too, but changes the global batch unless you change
# `--batch-size` with it. What does a step cost? `FlopCounterMode`, from PyTorch, counts the floating-point
# operations of one training step (forward and backward passes of $G$, $D$, $D_f$ and $D_b$);
# we count two images at 128 px and scale to the batch.

# %%
from torch.utils.flop_counter import FlopCounterMode

cub_cfg = train.TrainConfig(family="dscomgan", size=128, n_codes=200, batch_size=2)   # BatchNorm needs 2
parts = train.build_training(cub_cfg, torch.device("cpu"))
with FlopCounterMode(display=False) as counter:
    train.gan_step(parts["g"], parts["d"], parts["opt_g"], parts["opt_d"], torch.rand(2, 3, 128, 128) * 2 - 1,
                   train.draw_inputs(cub_cfg, 2, torch.Generator().manual_seed(0)), cub_cfg, parts["posteriors"])
flop_per_image = counter.get_total_flops() / 2
step_tflop = flop_per_image * 90 / 1e12
print(f"one 128 px DS-ComGAN training step: {flop_per_image / 1e9:.0f} GFLOP per image, {step_tflop:.0f} TFLOP at batch 90")
sustained = (100, 300)            # TFLOP/s an H100-class GPU might sustain in bf16 (an assumption)
minutes = [1000 * step_tflop / s / 60 for s in sustained]
print(f"estimate: {minutes[1]:.0f}-{minutes[0]:.0f} minutes per 1,000 steps at {sustained[1]}-{sustained[0]} TFLOP/s; "
      f"the paper's 58,500 steps: {58.5 * minutes[1] / 60:.0f}-{58.5 * minutes[0] / 60:.0f} hours")

# %%
claims.between(flop_per_image / 1e9, 300, 550, "about 400 GFLOP per image and step at 128 px")
claims.between(minutes[0], 4, 10, "at 100 TFLOP/s, about 6 minutes per 1,000 steps")

# %% [markdown]
# The networks are wide where the images are large: $F$, $B$ and $M$ run 128-channel
# convolutions on 128 × 128 pixels, and $D_f$ and $D_b$ judge $x_f$ and $x_b$ with twice the
# width of $D$. An H100 peaks near 1,000 TFLOP/s in bf16, but convolutions this narrow rarely
# keep it a third busy, hence the range: a few minutes per 1,000 steps, some hours for the
# paper's run. These are **estimates**; measure yours with
# `python bench/throughput.py --sizes 128 --amp --batch-size 90` on the GPU, which prints
# steps/s, images/s and peak memory per family.
#
# On this series' 2-core CPU the same script measured, at 32 and 64 px, fp32, batch 32 and one
# thread per training:

# %%
bench = json.loads((data.DATA_DIR / "bench" / "throughput-cpu.json").read_text())
for r in bench["rows"]:
    print(f"{r['family']:9s} {r['size']:3d} px: {r['s_per_step']:.2f} s per step, "
          f"{r['s_per_step'] * 1000 / 60:4.0f} min per 1,000 steps, peak {r['peak_mib']:.0f} MiB")
mine_now = train.seconds_per_step(train.TrainConfig(family="comgan", size=32), steps=2)
print(f"\nthis machine, now: ComGAN at 32 px, {mine_now:.2f} s per step")
cpu = {(r["family"], r["size"]): r["s_per_step"] for r in bench["rows"]}

# %%
claims.between(cpu[("comgan", 64)] * 2000 / 60, 30, 90, "a 64 px ComGAN run of 2,000 steps: under an hour and a half on one CPU thread")
claims.check(cpu[("dscomgan", 32)], ">", 2 * cpu[("comgan", 32)], "DS-ComGAN's step costs more than twice ComGAN's")

# %% [markdown]
# ## 6. Bringing a trained model back
#
# A finished run folder holds `generator.pt` (or `segmenter.pt`), small fp16 files with their
# configuration. Notebooks 04 and 05 load the shipped ones with `shipped.run(...)`; yours load
# the same way from their folders, on any device:
#
# ```python
# g, cfg = train.load_generator("runs/cub-gan/generator.pt", "cpu")   # then train.sample(g, *train.draw_inputs(cfg, 8, rng))
# S, cfg = segment.load_segmenter("runs/cub-S/segmenter.pt", "cpu")
# result = segment.segment_folder(S, "CUB_200_2011", limit=64)       # masks and, with segmentations/, IoU
# ```
#
# `--device cpu|cuda|mps` picks where a command runs, and a checkpoint written on a GPU resumes
# on the CPU and the other way round. Scores that need the oracle (notebook 02's
# faithfulness) exist only at 32 and 64 px: at 128 px, train an oracle first with
# `python -m comgan_lite.oracle --size 128 --out data/oracle/oracle-128px.pt`.
#
# ## Summary
# - A folder in the CUB layout (`images/`, `segmentations/`) or a plain folder of images is all
#   the series needs: `--data PATH` trains the GAN and the segmenter on it, and the masks, when
#   there are any, serve only to measure.
# - On 256 held-out emoji scenes read from such a folder, the fully trained pipeline scores as in
#   notebook 05: IoU 0.74 for $S$, 0.80 without the mask discriminator, with the supervised
#   U-Net well above both.
# - `--size 128` builds the paper's networks; one step costs about 400 GFLOP per image, so the
#   paper's run is a GPU job: an estimated few minutes per 1,000 steps on an H100-class GPU.
# - `torchrun --nproc_per_node=N` trains the same command on N processes; `--batch-size` is per
#   process, the global batch N times larger.
#
# ## Exercises
# Each exercise has a cell that checks your answer. Replace `None` and run the cell.
#
# **1.** You launch `torchrun --nproc_per_node=4 -m comgan_lite.train ... --batch-size 24`. How
# many images does one optimiser step learn from?

# %% tags=["exercise"]
answer_1 = None
exercises.check_global_batch(answer_1, 4, 24)

# %% tags=["solution"]
answer_1 = 4 * 24
exercises.verify(exercises.check_global_batch, answer_1, 24, 4, 24)

# %% [markdown]
# **2.** CUB-200-2011 has 11,788 images. At the paper's global batch of 90, dropping the last
# partial batch, how many optimiser steps make one pass over the data (one epoch)?

# %% tags=["exercise"]
answer_2 = None
exercises.check_epoch_steps(answer_2, 11_788, 90)

# %% tags=["solution"]
answer_2 = 11_788 // 90
exercises.verify(exercises.check_epoch_steps, answer_2, answer_2 + 1, 11_788, 90)

# %% [markdown]
# **3.** Compute the mean IoU of the supervised U-Net's soft masks `results["supervised"]["mask"]`
# against the folder's masks `results["supervised"]["truth"]`, without `segment.scores`.

# %% tags=["exercise"]
answer_3 = None
exercises.check_folder_iou(answer_3, results["supervised"]["mask"], results["supervised"]["truth"])

# %% tags=["solution"]
pred, gt = results["supervised"]["mask"] > 0.5, results["supervised"]["truth"] > 0.5
inter, union = (pred & gt).sum((1, 2, 3)).float(), (pred | gt).sum((1, 2, 3)).float()
answer_3 = float((inter / union).mean())
exercises.verify(exercises.check_folder_iou, answer_3, answer_3 + 0.1, results["supervised"]["mask"],
                 results["supervised"]["truth"])

# %% [markdown]
# ### Check yourself
# - Why may a folder's masks be used to report `val_iou` without making the method supervised?
# - Under `torchrun`, why does every process draw the same global batch and keep only its share,
#   rather than drawing its own?
# - Four processes with `--batch-size 8` and one process with `--batch-size 32` see the same
#   images. Where can their training still differ?

# %% [markdown] tags=["solution"]
# **Answers to "Check yourself"**
# - No gradient ever comes from them: the generator, $S$ and $D_m$ train on the images alone,
#   and `val_iou` is only written to the log. Choosing a model or settings by it would, however,
#   let the labels in through the back door.
# - Because then the N processes together see exactly what one process with an N-times larger
#   batch sees, and a checkpoint needs only one random generator to resume every process
#   exactly.
# - In BatchNorm: it normalises over each process's 8 images rather than over all 32, so the
#   statistics, and hence the gradients, differ slightly (a test compares the two with
#   BatchNorm swapped out, and they agree to 1e-5).
