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
# # 04 · DS-ComGAN: choosing the object and the scene
#
# *comgan-lite, a teaching series on compositional GANs.* &nbsp; Previous: 03 · ComGAN
# &nbsp; Next: 05 · DS-ComGAN segmentation
#
# ## Learning goals
# - Build DS-ComGAN's generator from the module, step by step: the auxiliary image $\bar x_z$,
#   the fused features $\varphi$ (eq. 5), and heads $F(\varphi, f)$, $B(\varphi, b)$, $M(\varphi)$
#   with one-hot codes (eq. 6).
# - Read the two losses: $D_z$ judges real images, $\bar x_z$ and the composite (eq. 7); the
#   posteriors $D_f$, $D_b$ make the codes readable (eq. 8, InfoGAN).
# - Make Figure 6 and 7 analogs from a shipped generator: vary $f$, vary $b$, vary $z$.
# - **Measure** disentanglement instead of eyeballing it: a frozen factor classifier, change
#   rates when one input is resampled, and the purity (NMI) of the codes.
# - Say what three choices do, measured over two seeds each: tied or independent codes, with or
#   without $L_{info}$, with or without the global features; and what the parameter average (EMA)
#   of the official code changes.
#
# ## Prerequisites
# Notebooks 01 (eq. 1), 02 (trivial solutions, faithfulness) and 03 (ComGAN, polarity).
#
# ## Time
# Quick mode (`COMGAN_QUICK=1`, the test suite): about 45 s. Full mode: about 9 minutes of
# computing on a 2-core laptop CPU, most of it a live training of 200 steps (about 3 minutes;
# the scores of the eight shipped generators are read from their `eval.json`), and 45 minutes
# of reading.

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np
import torch

from comgan_lite import (evaluate, exercises, factors, losses, metrics, nets, plots, runtime, shipped,
                         train, widgets)
from comgan_lite.data import ShapesDataset

print(runtime.setup_notebook(seed=0, threads=1))
QUICK = runtime.quick_mode()

# %% [markdown]
# ## 1. From ComGAN to DS-ComGAN
#
# ComGAN (notebook 03) decides everything with one $z$: the object's shape, its colours and the
# scene behind it. DS-ComGAN (Ding et al., Section 3.2) adds two **codes**, one-hot vectors of
# length $N$: $f$ for the foreground and $b$ for the background,
#
# $$\varphi = U(a_2) \oplus U(a_1) \oplus a_3 \quad (5), \qquad
#   \bar x = M(\varphi) \odot F(\varphi, f) + \bigl(1 - M(\varphi)\bigr) \odot B(\varphi, b) \quad (6).$$
#
# - $a_1, a_2, a_3$ are the outputs of the trunk's last three up-sampling blocks; $U$ is a learned
#   up-sampling (nearest, then a 3×3 convolution with BatchNorm and GLU) and $\oplus$ stacks
#   channels. $\varphi$ thus mixes coarse layout ($a_1$) with fine detail ($a_3$).
# - The trunk also paints a whole image from $a_3$, the **auxiliary image** $\bar x_z$. It is
#   shown to the discriminator like any fake, which pushes the trunk's features to carry a
#   complete scene: the paper's "extract global features".
# - The code enters $F$ as $N$ constant planes in front of $\varphi$; $M$ gets **no** code, so the
#   mask depends on $z$ alone. That is the design: $z$ decides *where*, $f$ and $b$ decide
#   *what*.
#
# Let us follow a batch through an untrained generator.

# %%
torch.manual_seed(0)
g = nets.make_ds_generator(32, n_codes=8)
z = torch.randn(4, g.z_dim)
f, b = torch.tensor([0, 1, 2, 3]), torch.tensor([5, 5, 6, 7])
a1, a2, a3 = g.trunk(z, taps=True)[-3:]
phi, x_z = g.features(z)
out = g(z, f, b)
print(f"trunk taps: a1 {tuple(a1.shape)}, a2 {tuple(a2.shape)}, a3 {tuple(a3.shape)}")
print(f"U(a1) {tuple(g.fuse1(a1).shape)}, U(a2) {tuple(g.fuse2(a2).shape)} -> phi {tuple(phi.shape)}")
print(f"x_z {tuple(x_z.shape)}; x_f {tuple(out['fg'].shape)}, x_b {tuple(out['bg'].shape)}, "
      f"m {tuple(out['mask'].shape)}")
print(f"F's first convolution reads {g.fg.head.body[0][0].in_channels} channels "
      f"(phi's {phi.shape[1]} + {g.n_codes} code planes)")
for part, n in nets.parameter_table(g).items():
    print(f"  {part:6s} {n:>9,d} parameters")

# %% [markdown]
# Two properties follow from the wiring alone, before any training: changing $f$ can move $x_f$
# but never $x_b$ or the mask, and changing $b$ can move only $x_b$. Check it on the untrained
# generator (BatchNorm in eval mode, so that images do not influence each other):

# %%
g.eval()
with torch.no_grad():
    before, after = g(z, f, b), g(z, torch.tensor([7, 6, 5, 4]), b)
for key, name in (("fg", "x_f"), ("bg", "x_b"), ("mask", "m")):
    print(f"changing f moved {name}: {not torch.equal(before[key], after[key])}")
g.train()

# %% [markdown]
# So the *layers* are disentangled by construction. What is not guaranteed is that the layers
# mean what we want: that the object is drawn in $x_f$ (not in $x_b$, notebook 03's polarity),
# and that the codes choose something a person would call a *kind* of object or scene. That is
# what the losses are for, and what we will measure.
#
# ## 2. The losses (eq. 7 and 8, as the official code implements them)
#
# - **$D_z$**, one image discriminator, sees real images as real and **both** $\bar x_z$ and the
#   composite $\bar x$ as fake (eq. 7); the generator is trained to fool it with both. As
#   implemented, with $D_z$'s outputs read as probabilities:
#
#   $$L_{D_z} = \bigl[-\log D_z(x) - \log\bigl(1 - D_z(\bar x)\bigr)\bigr]
#             + \bigl[-\log D_z(x) - \log\bigl(1 - D_z(\bar x_z)\bigr)\bigr], \qquad
#     L_G^{adv} = -\log D_z(\bar x) - \log D_z(\bar x_z) \quad (7).$$
#
#   In words: $D_z$ plays notebook 03's game twice, once against the composite and once against
#   the auxiliary image (so the real batch counts twice), and $G$ is rewarded for each of its two
#   images that passes as real (notebook 03's non-saturating form). $G$'s whole loss is
#   $L_G^{adv} + \beta L_{binary} + \lambda L_{info}$, with the two terms below.
# - **$D_f$ and $D_b$** are $N$-way classifiers that read the code back from the **raw** layers:
#   $D_f(x_f) \approx f$, $D_b(x_b) \approx b$. Their cross-entropy
#   $L_{info} = \mathrm{CE}(D_f(x_f), f) + \mathrm{CE}(D_b(x_b), b)$ is, up to the constant
#   entropy of the codes, minus InfoGAN's lower bound on the mutual information between code and
#   layer (eq. 8): minimising it makes each code readable from its layer. As in the official code, $D_f$ and
#   $D_b$ are trained by the **generator's** optimiser, together with $G$: both sides want the
#   code to be readable.
# - We keep notebook 03's $\beta \cdot L_{binary}$ with $\beta = 1$ on the mask. The official
#   DS-ComGAN code builds this term but never adds it; notebook 03 showed that at our scale
#   $\beta = 1$ gives binary masks much sooner.
#
# Both losses are short functions in `comgan_lite/losses.py`:

# %%
print(inspect.getsource(losses.ds_discriminator_loss))
print(inspect.getsource(losses.info_loss))

# %% [markdown]
# `ds_discriminator_loss` is notebook 03's `discriminator_loss` called twice, with $\bar x_z$ as
# the second fake. `info_loss` hands the raw layers `fake["fg"]` and `fake["bg"]` to the two
# posteriors and compares their $N$-way logits with the codes that made them.
#
# One training step, `train.gan_step`, updates $D_z$ once, then $G$, $D_f$ and $D_b$ once. It is
# ComGAN's step from notebook 03 with DS-ComGAN's lines added, marked `DS` below: $D_z$ also
# calls $\bar x_z$ fake (the composite and $\bar x_z$ are detached there, so that $D_z$'s loss
# trains $D_z$ only), $G$ adds $-\log D_z(\bar x_z)$, and, when there are posteriors,
# $\lambda L_{info}$. The unmarked lines are the whole of ComGAN's step (for ComGAN,
# `accuracies` stays empty).

# %%
source = inspect.getsource(train.gan_step).splitlines()
body = 1 + len(train.gan_step.__doc__.splitlines())      # the lines after the def and its docstring
for i, line in enumerate(source):
    code = line.split("#")[0]                             # comments do not count
    ds = i >= body and any(key in code for key in ("x_z", "adv_z", "posteriors", "info"))
    print(f"{'DS' if ds else '  '} {line}")

# %% [markdown]
# The posteriors are two small classifiers of their own, weighted by $\lambda = 1$:

# %%
cfg = train.TrainConfig(family="dscomgan", preset="medium", n_codes=8)
posteriors = train.build_posteriors(cfg)
print(f"D_f: {nets.count_parameters(posteriors['f']):,d} parameters, an {cfg.n_codes}-way head; "
      f"D_b the same, separate weights; lambda_info = {cfg.lambda_info:g}")

# %% [markdown]
# ## 3. The data: `medium`
#
# DS-ComGAN needs data whose objects and scenes come in kinds. The `easy` preset has flat or
# shaded objects on flat or gradient scenes; `medium` adds textures: objects are flat, shaded,
# striped or dotted, scenes flat, gradient, striped or noisy, and half the scenes reuse the
# object's colour. Each image also has a hue for its object and for its scene.

# %%
data = ShapesDataset("medium", 32, "test", 16)
fig = plots.image_grid([[data[i]["image"] for i in range(8)], [data[i]["image"] for i in range(8, 16)]],
                       size=1.0)
fig.suptitle("medium: real images (test split)", fontsize=9, y=1.02)
plt.show()

# %% [markdown]
# ## 4. Watch it train
#
# A short live run on `medium` with $N = 8$ codes (quick mode: 10 steps; full mode: 200 steps,
# about 3 minutes). Watch the accuracy of $D_f$: it reaches 1 within a few dozen steps. Reading
# a code back from $x_f$ is easy for the generator to allow: any consistent difference between
# codes will do, for example a colour per code.

# %%
live_steps = 10 if QUICK else 200
live = widgets.LiveTraining(keys=("loss_info", "info_acc_f", "soft_share", "trivial"))
live_cfg = train.TrainConfig(family="dscomgan", preset="medium", beta=1.0, steps=live_steps,
                             seed=0, log_every=5, snapshot_every=10_000)
train.train(live_cfg, runtime.scratch_dir("04-live-dscomgan"), progress=True,
            on_log=live.start("DS-ComGAN").update)
live.redraw()

# %% [markdown]
# ## 5. The shipped generator
#
# `data/runs/dscomgan-medium-b1-s0` was trained for 2,000 steps with
# `python -m comgan_lite.train --family dscomgan --preset medium --beta 1 --steps 2000 --ema 0.995 --seed 0`:
# independent codes ($N = 8$), $L_{info}$ and the global features on, as the paper describes.
# Following the official code we sample from the **parameter average** (EMA; section 9 says
# why the decay is 0.995 here rather than 0.999).

# %%
RUN = shipped.run("dscomgan-medium-b1", seed=0)           # data/runs/dscomgan-medium-b1-s0
g, cfg = train.load_generator(RUN / "generator.pt", device="cpu", ema=True)
stated = shipped.read_eval(RUN)                            # its scores, measured when it was shipped
print(f"trained {cfg.steps} steps in {stated['minutes']:.0f} min on one CPU thread; N = {cfg.n_codes} codes, "
      f"{'tied' if cfg.tie_codes else 'independent'} codes")
batch = evaluate.evaluation_batch(g, n=8)
plots.decompositions({"DS-ComGAN (EMA)": batch}, n=8, per_row=1)
plt.show()
print(f"on the 512 fixed samples: faithfulness {stated['iou']:.2f} (best of two polarities "
      f"{stated['iou_best_of_two']:.2f}), trivial share {stated['trivial']:.2f}, "
      f"soft share {stated['soft_share']:.2f}")

# %% [markdown]
# What to notice:
# - **In this run the object sits in $x_f$.** The fixed-polarity and best-of-two faithfulness
#   printed above are nearly equal. That is not guaranteed: $F$ and $B$ are built alike, so which
#   of them paints the object is decided early in training, by chance, as for ComGAN in
#   notebook 03. Section 8 shows runs that put the object in $x_b$.
# - **A fifth of the samples have a trivial mask.** The trivial share is the share of images
#   whose mask is all 0 or all 1 (less than 1 % of the pixels on one side, notebook 02). The
#   evaluation batch splits them by kind below; `medium` gave ComGAN such per-image trivial masks
#   in notebook 02 too.

# %%
full = evaluate.evaluation_batch(g)      # the 512 fixed samples
mean_m = full["mask"].mean((1, 2, 3))
kinds = {"mask all 0: x̄ = x_b": mean_m < 0.05, "mask all 1: x̄ = x_f": mean_m > 0.95,
         "object and scene": (mean_m >= 0.05) & (mean_m <= 0.95)}
for name, chosen in kinds.items():
    print(f"{name:20s} {int(chosen.sum()):4d} of 512")
plots.decompositions({name: {k: v[chosen][:6] for k, v in full.items()} for name, chosen in kinds.items()},
                     n=6, per_row=3, size=0.8)
plt.show()

# %% [markdown]
# In the middle block the mask is all 1: $F$ paints the whole picture, scene included, usually
# as a full-frame texture in the object's colour. In the left block $B$ paints everything and the
# mask is empty. Either way the composite can still look like data, which is all $D_z$ checks;
# section 7 shows what these samples do to the measurements.

# %% [markdown]
# ## 6. Figure 6 and 7 analogs: one input at a time
#
# For the grids below the generator makes each image on its own, in eval mode, with BatchNorm
# statistics averaged over 1,024 training-like inputs (`train.standing_statistics`). Each row
# keeps two inputs fixed; along the row the third one changes.

# %%
g_alone = train.standing_statistics(g, factors.fixed_inputs(1024, cfg.n_codes, g.z_dim, seed=1))
codes = [f"{c}" for c in range(cfg.n_codes)]
for which, title in (("f", "vary f (object code) along each row; z and b fixed"),
                     ("b", "vary b (scene code) along each row; z and f fixed")):
    grid = factors.vary(g_alone, which, n_rows=4)
    fig = plots.image_grid([list(row) for row in grid["image"]], col_titles=[f"{which} = {c}" for c in codes],
                           size=0.95)
    fig.suptitle(title, fontsize=9, y=1.03)
    plt.show()

# %%
grid = factors.vary(g_alone, "z", n_rows=3, n_cols=8)
rows = [list(grid["image"][0]), list(grid["mask"][0]), list(grid["image"][1]), list(grid["image"][2])]
fig = plots.image_grid(rows, row_titles=["f, b = row 1", "its mask", "f, b = row 2", "f, b = row 3"],
                       col_titles=[f"z{c}" for c in range(8)], size=0.95)
fig.suptitle("vary z along each row (the same 8 z in every row); f and b fixed per row", fontsize=9, y=1.03)
plt.show()

# %% [markdown]
# What to notice:
# - **$f$ is a colour.** Along each row of the first grid the object takes a new colour, the
#   same colour for the same $f$ in every row, while its outline, its texture and the scene stay.
# - **$b$ is a colour too,** the scene's, and the object stays as it is.
# - **$z$ decides the rest:** shape, size, position and the object's texture (striped, dotted
#   or flat) change along the rows of the third grid, and the mask follows. Where the mask is all
#   white, $F$ draws the whole image: a per-image trivial solution.
#
# The codes have found something a person would call a factor, but the *hue*, not the *kind*
# (texture) of object or scene. Section 7 measures this instead of asking you to believe it.

# %% [markdown]
# ## 7. Measuring disentanglement
#
# Pictures persuade; numbers can be checked. Our scenes have known factors, so we trained a
# **factor classifier** once, supervised, on 10,000 real `medium` training images
# (`python -m comgan_lite.factors --preset medium --out data/factors/factors-medium-32px.pt`,
# 8,000 steps) and froze it. It reads five factors off an image: the shape (6 classes), the
# object's texture (4), the scene's texture (4), and the hue of object and scene (6 bins of 60°).
# Its held-out accuracy on 1,000 real test images:

# %%
classifier, info = factors.load_classifier(evaluate.FACTORS_PATH)
fig, ax = plt.subplots(figsize=(5.2, 1.9))
names = {"shape": "shape (6)", "fg_class": "object texture (4)", "bg_class": "scene texture (4)",
         "fg_hue": "object hue (6)", "bg_hue": "scene hue (6)"}
acc = info["heldout_accuracy"]
ax.barh([names[k] for k in acc], list(acc.values()), color="tab:blue")
for k, (name, v) in enumerate(zip(acc, acc.values())):
    ax.text(v + 0.01, k, f"{v:.2f}", va="center", fontsize=8)
    ax.plot([1 / len(factors.FACTORS[name])] * 2, [k - 0.4, k + 0.4], color="black", lw=1)
ax.set_xlim(0, 1.1), ax.set_xlabel("held-out accuracy (black tick: chance)", fontsize=8)
ax.tick_params(labelsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Hue and texture are read well. Shape is not: objects on `medium` are small (radius 3 to 6
# pixels at 32 px), and a 5-pixel star and a 5-pixel heart look alike. Read the shape column below
# with care. For what $z$ does we rely on the mask instead, compared pixel by pixel.
#
# **Controllability.** Take 512 fixed inputs $(z, f, b)$, then resample **one** of them (a code
# always to a different value) and compare the composites. For each factor we count the share of
# images whose predicted class changed; for the mask, $1 - \mathrm{IoU}$ between the masks before
# and after. An ideal DS-ComGAN moves the mask and shape with $z$ only, the object's kind with
# $f$ only, and the scene's kind with $b$ only. A change rate is never exactly 0 for a classifier
# that makes mistakes, so read the rows against each other.
#
# **Purity.** The normalised mutual information (NMI) between a code and a predicted factor,
# over the same 512 samples: 1 if the code fixes the factor, 0 if they are independent.
#
# The numbers come from the shipped `eval.json`: `evaluate.disentanglement` measured them when
# the generator was shipped, and the test suite checks that they still hold.

# %%
score = stated                       # the eval.json read in section 5
table = {w: {k: score[f"ctrl_{w}_{k}"] for k in (*factors.FACTORS, "mask")} for w in ("z", "f", "b", "all")}
plots.controllability({"DS-ComGAN, independent codes (seed 0, EMA)": table})
plt.show()
purity = {c: {k: score[f"nmi_{c}_{k}"] for k in factors.FACTORS} for c in "fb"}
print("NMI between code and predicted factor:")
for c in "fb":
    print(f"  {c}: " + ", ".join(f"{names[k].split(' (')[0]} {v:.2f}" for k, v in purity[c].items()))

# %% [markdown]
# How to read it: compare each row with the reference row. Resampling everything changes a
# factor as often as two unrelated images differ in it.
# - **$f$ moves the object's hue** almost as often as an unrelated image would, and **$b$ moves
#   the scene's hue**. These are the two bright cells in the $f$ and $b$ rows.
# - **Texture moves much less.** Resampling $f$ changes the predicted object texture in about
#   half as many images as the reference does, and the NMI shows why it is not the code's doing:
#   each code shares 0.4-0.55 NMI with its layer's hue but about 0.03 with any texture. The
#   object's texture changes with $z$ instead, nearly as often as in the reference row.
# - **Leaks.** Resampling $f$ also changes the *scene's* hue in some images, and $b$ the
#   object's. The mask cannot move (its entry is exactly 0), so where does the leak come from? The
#   next cell splits the leak of $f$ by the kind of mask.
# - The shape column moves even when only $f$ changes. The mask stays the same, so this is the
#   shape head being fooled by colour: that is the price of a 48 %-accurate head.

# %%
inputs = factors.fixed_inputs(512, cfg.n_codes, g.z_dim, 2024)          # as in the heatmap
moved = train.sample(g, *factors.resample(inputs, "f", cfg.n_codes, 2026))
before, after = factors.predict(classifier, full["image"]), factors.predict(classifier, moved["image"])
leak = (before["bg_hue"] != after["bg_hue"]).float()
# the same question asked of the pixels: the hue of the mean colour outside the mask
outside = (1 - full["mask"][:, 0]).numpy()
pixel_hue = [factors.hue_bins((x["image"].numpy() + 1) / 2, outside) for x in (full, moved)]
pixel_leak = torch.from_numpy((pixel_hue[0] != pixel_hue[1]).astype(np.float32))
print("resample f: share of images whose scene hue changes   classifier   pixels outside the mask")
for name, chosen in kinds.items():
    print(f"  {name:22s} ({int(chosen.sum()):3d} images)   {leak[chosen].mean():20.2f}   "
          f"{pixel_leak[chosen].mean() if 'all 1' not in name else float('nan'):10.2f}")
print(f"  {'all':22s}                 {leak.mean():20.2f}   (the heatmap's entry)")

# %% [markdown]
# The leak has two sources.
# - **Images whose mask is all 1.** There $F$ paints the "scene" too, so of course $f$ changes
#   it: nearly every such image changes its scene hue.
# - **The classifier, in the images with a proper mask.** It reports about three times as many
#   scene-hue changes as the pixels outside the mask show. In `medium` half of the real scenes
#   reuse the object's colour, so a classifier trained on real images has learned to take the
#   object's colour as evidence for the scene's hue.
#
# Images whose mask is all 0 do not leak at all: $F$ is invisible there. A measuring instrument
# trained on correlated data measures the correlation too. It pays to check a surprising number
# against the pixels.

# %% [markdown]
# ## 8. Tied or independent codes, $L_{info}$, global features: eight runs
#
# Three choices, each changed alone from the paper's configuration, two seeds each, 2,000 steps,
# EMA weights (`python bench/disentanglement.py` regenerates this table from the shipped
# generators):
#
# | variant | what changes |
# |---|---|
# | paper | independent codes, $L_{info}$, global features |
# | tied codes | $b = f$ always, as the official code trains |
# | no $L_{info}$ | no $D_f$, $D_b$: nothing rewards readable codes |
# | no global features | no $\bar x_z$; $\varphi = a_3$ only (Table 2's ablation) |

# %% [markdown]
# A run may draw the object in either layer (section 5), so we name the codes by **role**: the
# *object code* is $f$ when the object sits in $x_f$ and $b$ when it sits in $x_b$; the *scene
# code* is the other one (`shipped.by_role`). Rates are then comparable, and can be averaged, across
# runs of either polarity.

# %% [markdown]
# **FD_factors** is the Fréchet distance between Gaussians fitted to the factor classifier's
# 128-d features of 1,024 composites and of 1,024 real test images. It is built like FID, but on a
# small classifier of *our* data, so it is not FID and cannot be compared with published numbers.
# Two real samples give its floor:

# %%
real_train, _ = factors.load_split("medium", 32, "train", evaluate.N_FD)
fd_floor = metrics.frechet_distance(factors.predict(classifier, real_train)["features"].numpy(),
                                    evaluate.real_features("medium"))
print(f"FD_factors between {evaluate.N_FD:,d} real training and {evaluate.N_FD:,d} real test images: {fd_floor:.1f}")

# %%
variant_names = {"": "paper", "tie_codes=True": "tied codes", "info=False": "no L_info",
                 "global_features=False": "no global features"}
ds_runs = [f for v in ("", "tied", "no-info", "no-global") for f in shipped.seeds("dscomgan-medium-b1", v)]
rows = [shipped.by_role(r) for r in shipped.evaluations(ds_runs)]
for r in rows:
    r["variant"] = variant_names[r["variant"]]
    print(f"{r['run']:36s} the object is in {'x_b' if r['object_in_x_b'] else 'x_f'} "
          f"(faithfulness {r['iou']:.2f}, best of two {r['iou_best_of_two']:.2f})")
summary = shipped.summarise(rows, columns=shipped.DS_COLUMNS)
order = [s for name in variant_names.values() for s in summary if s["variant"] == name]
factors_shown = ("mask", "shape", "fg_class", "fg_hue", "bg_class", "bg_hue")
tables = {}
for s in order:
    per_run = [shipped.control_table(r, factors_shown) for r in rows if r["variant"] == s["variant"]]
    tables[s["variant"]] = {w: {k: np.mean([t[w][k] for t in per_run]) for k in factors_shown}
                            for w in per_run[0]}
plots.controllability(tables)
plt.suptitle("change rates by role, mean over 2 seeds", fontsize=9, y=1.02)
plt.show()

# %%
keys = [("ctrl_object_fg_hue", "object code → object hue"), ("ctrl_scene_bg_hue", "scene code → scene hue"),
        ("ctrl_object_bg_hue", "object code → scene hue (leak)"), ("nmi_object_fg_hue", "NMI(object code, object hue)"),
        ("iou_best_of_two", "mask best-of-two"), ("fd_factors", "FD_factors (lower is better)")]
fig, axes = plt.subplots(1, len(keys), figsize=(2.3 * len(keys), 2.4))
for ax, (key, label) in zip(axes, keys):
    plots.seed_dots(rows, key, [(name, {"variant": name}) for name in variant_names.values()], ax=ax,
                    ylabel="", ylim=None if key == "fd_factors" else (0, 1.02))
    ax.tick_params(axis="x", labelrotation=60)
    ax.set_title(label, fontsize=8)
axes[-1].axhline(fd_floor, color="black", lw=1, ls="--")
axes[-1].text(0.02, fd_floor, " two real samples", fontsize=7, va="bottom", transform=axes[-1].get_yaxis_transform())
fig.tight_layout()
plt.show()

# %%
from IPython.display import Markdown
Markdown(shipped.markdown_table(order, shipped.DS_COLUMNS))

# %% [markdown]
# What to notice, variant by variant (two seeds each, so treat small differences as noise):
# - **Polarity is a coin toss.** The printout above the heatmaps lists the layer that holds the
#   object in each run. It differs between seeds of the same variant, and both runs without
#   $L_{info}$ drew the object in $x_b$. Naming codes by role is what makes the runs comparable.
# - **Paper vs tied codes: no clear difference.** In both, the object code changes the object's
#   hue in most images, and the scene code changes the scene's hue. Their change rates and
#   FD_factors lie within the spread of the two seeds; only the object code's NMI is somewhat
#   lower with tied codes. The tied generator never saw a pair with $f \neq b$ in training, yet
#   given one here it keeps the two layers apart. At this scale the official code's shortcut
#   costs little that we can measure.
# - **Without $L_{info}$ the object code is ignored.** Resampling it changes the object's hue in
#   only a few per cent of images, and its NMI is about 0; the object's hue follows $z$ instead
#   (its heatmap's first row). The scene code still does something,
#   by a different amount in each seed. Nothing rewards a readable code, so the generator uses a
#   code as it likes or not at all. FD_factors is also worse.
# - **Without the global features** the codes still work, but FD_factors is clearly worse than
#   the paper's configuration in both seeds. The mask's best-of-two faithfulness is lower, and
#   the trivial share higher. This is the direction of the paper's Table 2: $\bar x_z$ and the
#   multi-scale $\varphi$ help image quality.
# - **Texture belongs to $z$ in every variant.** The object code's NMI with the object's texture
#   is at most about 0.1 on average over a variant's two seeds (0.17 in the highest single run),
#   while resampling $z$ changes the predicted texture almost as often as resampling everything.

# %% [markdown]
# ## 9. Where the paper and the official code differ
#
# | | paper | official code | measured here |
# |---|---|---|---|
# | codes | $f$, $b$ independent | $b = f$ in training | section 8: tied codes |
# | $L_{info}$ | a bound on $I(f; x_f)$, $I(b; x_b)$ | CE on raw $x_f$, $x_b$, trained with $G$'s optimiser | section 8: no $L_{info}$ |
# | parameter average | not mentioned | EMA, decay 0.999, used for every evaluation | below |
# | mask regulariser | $L_{binary}$ | built, never added | we keep $\beta = 1$ (notebook 03) |
#
# **EMA.** With decay $\delta$, the average forgets at rate $1 - \delta$: its effective window is
# $1/(1-\delta)$ steps, and after $T$ steps the random initial weights still carry a weight of
# $\delta^T$. With the official $\delta = 0.999$ and our 2,000 steps that is
# $0.999^{2000} \approx 0.14$: a seventh of the average would still be the untrained network.
# We use $\delta = 0.995$ (window 200 steps, $0.995^{2000} \approx 4\cdot 10^{-5}$). Every run
# kept both the average and the last weights; here is what the average changes.

# %%
print(f"weight of the initial parameters after 2,000 steps: decay 0.999 -> {0.999 ** 2000:.3f}, "
      f"decay 0.995 -> {0.995 ** 2000:.1e}")
paper_runs = shipped.seeds("dscomgan-medium-b1")          # the paper's configuration, 2 seeds
compare = [("fd_factors", "FD_factors"), ("iou_best_of_two", "mask best-of-two"),
           ("ctrl_object_fg_hue", "object code → object hue"), ("nmi_object_fg_hue", "NMI(object code, hue)")]
print(f"{'':22s}" + "".join(f"{label:>27s}" for _, label in compare))
for s in shipped.evaluations(paper_runs):
    for weights, row in (("EMA", s), ("last weights", s["last"])):
        row = shipped.by_role(row)
        print(f"seed {s['seed']}, {weights:13s}" + "".join(f"{row[k]:27.2f}" for k, _ in compare))

# %% [markdown]
# The average mostly improves image quality: FD_factors is lower with EMA for each seed, while
# the change rates and the code purity hardly move. Averaging smooths the last steps' oscillation
# of the GAN game, so the samples get closer to the data. It does not change *what* the codes
# learned.

# %% [markdown]
# ## 10. The latent explorer
#
# Walk $z$ from one sample (A) to another (B), and pick the codes. The generator runs one image
# at a time on the CPU; `python bench/disentanglement.py` measures a re-render (generator + PNG)
# at about 9 ms on a 2-core laptop CPU. Things to try: hold $z$ and click through $f$; then through $b$;
# then slide $z$ and watch which of the four panels move.

# %%
explorer = widgets.LatentExplorer(g, n_standing=256 if QUICK else 1024)
explorer.widget

# %% [markdown]
# *Reading this on the web, without a kernel?* Here is what the explorer shows for $z$ pair 0
# and codes $f = 0$, $b = 1$, then the same scene with $f = 3$:

# %%
from IPython.display import Image as PNG, display
display(PNG(data=explorer.strip(explorer.render(0, 0.0, 0, 1))))
display(PNG(data=explorer.strip(explorer.render(0, 0.0, 3, 1))))

# %% [markdown]
# ## Summary
# - DS-ComGAN adds two one-hot codes to ComGAN: $f$ enters the foreground head, $b$ the
#   background head, and the mask reads neither (eq. 5-6). The auxiliary image $\bar x_z$ and
#   the fused multi-scale features $\varphi$ are the "global features"; $D_f$ and $D_b$ with
#   $L_{info}$ make each code readable from its layer (eq. 7-8).
# - Disentanglement can be *measured* when the data's factors are known: resample one input,
#   count what a frozen factor classifier sees change, and read it against resampling everything.
#   Check surprising numbers against the pixels: our classifier reads some of the object's colour
#   into the scene's hue, because the real data correlate them.
# - At 32 px on `medium`, after 2,000 steps, the codes learned **hue**: the object's code moves
#   the object's colour and the scene's code the scene's colour, while texture, shape and
#   position stay with $z$. Nothing in the losses asks for texture; a colour per code is the
#   easiest difference for $D_f$ and $D_b$ to read.
# - Which layer holds the object is decided by chance in each run, as in ComGAN; name the codes
#   by role before comparing runs.
# - The paper's independent codes and the official code's tied codes measured alike over two
#   seeds. The parameter average (EMA) lowered FD_factors in both seeds and left the codes as they
#   were. Section 8 says what removing $L_{info}$ or the global features did.
# - About a fifth of the samples still have a trivial mask, as ComGAN had on `medium`.
#
# ## Exercises
# Each exercise has a cell that checks your answer. Replace `None` and run the cell.
#
# **1.** How many input channels does the first convolution of $F(\varphi, f)$ read in the shipped
# generator `g`? Derive it from eq. 5 and the code injection, then check it.

# %%
answer_1 = None
exercises.check_coded_head_channels(answer_1, g)

# %% [markdown]
# **2.** During training, how many different pairs $(f, b)$ does the generator ever see with
# $N = 8$ codes, (a) with tied codes, (b) with independent codes? Which figure of section 6
# would a tied-code generator have never been trained to draw?

# %%
answer_2_tied, answer_2_independent = None, None
exercises.check_code_pairs(answer_2_tied, answer_2_independent, cfg.n_codes)

# %% [markdown]
# **3.** Measure one change rate yourself on 128 samples: the share whose predicted **scene hue**
# (`"bg_hue"`) changes when you resample $b$ alone. Use `factors.fixed_inputs(128, 8, 64, 2024)`,
# `factors.resample(inputs, "b", 8, 2025)`, `train.sample(g, *inputs)` and
# `factors.predict(classifier, images)`.

# %%
answer_3 = None
exercises.check_change_rate(answer_3, g, classifier, "b", "bg_hue")

# %% [markdown]
# ### Check yourself
# - The mask cannot depend on $f$ by construction. Why can the *predicted shape* still change
#   when only $f$ changes?
# - $D_f$ reaches full accuracy within a few dozen steps. Why does that not mean the codes have
#   learned the object's texture?
# - If the object sat in $x_b$ (notebook 03's inverted polarity), which code would change the
#   object's hue?
#
# Next: 05 · DS-ComGAN segmentation: the frozen generator makes image-mask
# pairs, and a segmenter learns from them.
