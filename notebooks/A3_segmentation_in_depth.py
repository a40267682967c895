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
# # A3 · Segmentation in depth: trivial pairs, a BatchNorm pitfall, 64 px, and what did not help
#
# *comgan-lite, a teaching series on compositional GANs.* &nbsp; Appendix to
# [05 · DS-ComGAN segmentation](05_ds_comgan_segmentation.ipynb), for the curious; no later
# notebook needs it.
#
# ## Learning goals
# - See, image by image, where $S$ fails on `medium`, and test a label-free remedy for the
#   trivial masks it copies from its generator: leave the generator's trivial pairs out of
#   training, and measure what that wins back.
# - Measure how much of the mask discriminator's cost on `medium` is the trivial masks it
#   teaches, and state what the rest might be.
# - Read training logs to find an implementation pitfall: BatchNorm in $D_m$ keeps $L_{cons}$
#   from falling.
# - Give a likely reason why BatchNorm, applied to each of $D_m$'s calls on its own, can hide
#   what sets $S$'s masks apart from the generator's.
# - See what resolution does for $S$ and for GrabCut on `emoji` (64 px against 32 px).
# - Read a study with two seeds per change, and tell an effect from a seed's luck.
#
# ## Prerequisites
# [Notebook 05](05_ds_comgan_segmentation.ipynb): the generator's pairs, the triplet of masks and
# its losses (sections 1-2), the Table 4 analog (section 6), what the mask discriminator adds
# (section 7) and the unseen art (section 8). The recap below lists what this appendix uses.
#
# ## Time
# Nothing is trained here: shipped segmenters segment held-out test images and the rest is read
# from shipped logs. Quick mode (`COMGAN_QUICK=1`): under a minute of computing on a 2-core
# laptop CPU (measured: 48 s). Full mode averages the generators' BatchNorm statistics over more
# samples (the 64 px one in section 3, and for the exercise): about a minute more.
# Reading: 25 minutes.
#
# ## What this appendix takes from notebook 05
# Stage 2 of DS-ComGAN trains a segmenter $S$ (a small U-Net) on pairs $(\bar x, \bar m)$ drawn
# from a frozen DS-ComGAN generator: $\lambda L_{cons}$, with
# $L_{cons} = \mathrm{mean}\,|S(\bar x) - \bar m|$ (eq. 10) and $\lambda = 2$, plus a mask
# discriminator $D_m$ that calls $\bar m$ real and $S(\bar x)$ and $S(x)$ fake, $x$ a real
# image (eq. 9); $S$ is trained to make both of its masks pass as real. Mode `ds` trains all of
# it, mode `cons` $L_{cons}$ alone. Every shipped segmenter trained 1,500 steps (batch 32, Adam
# at learning rate $10^{-3}$) and is scored with fixed polarity on the 1,000 held-out real
# images of the `test` split (IoU at threshold 0.5); its training log tracks the IoU on the 256
# real images of the `val` split, the **validation IoU**. A prediction is **trivial** when
# fewer than 1 % of its pixels lie on one side. In notebook 05, $D_m$ lowered the IoU on every
# dataset. On `medium` it taught $S$ to predict a trivial mask for about one real image in
# eight, where $S$ with $L_{cons}$ alone almost never does; on `easy` it cost IoU with no
# trivial predictions at all, which notebook 05 puts down to the rounded shape of the
# generator's masks. The `emoji` models learned from Google's Noto drawings of 44 emoji;
# `emoji-fluent` shows the same emoji in Microsoft's Fluent art, which no stage saw.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from comgan_lite import baselines, claims, compose, exercises, plots, runtime, segment, shipped, widgets
from comgan_lite.data import DATASETS

print(runtime.setup_notebook(seed=0, threads=1))
QUICK = runtime.quick_mode()
table = shipped.table4()          # notebook 05's Table 4 analog: {dataset: {method: scores}}
iou = {d: {m: table[d][m]["iou"] for m in table[d]} for d in table}


def trivial_share(s, images):
    area = (s.predict(images) > 0.5).float().mean((1, 2, 3))
    return float(((area < compose.TRIVIAL_LOW) | (area > compose.TRIVIAL_HIGH)).float().mean())


two = {"cons": "S, L_cons only", "ds": "S, L_cons + D_m"}
trivial = {}
for d in ("easy", "medium"):
    xd, _, _ = segment.evaluation_set(d)
    trivial[d] = {m: trivial_share(segment.load_segmenter(shipped.segmenter(m, d), "cpu")[0], xd)
                  for m in two}
    print(f"{d:7s} IoU {table[d]['cons']['iou']:.2f} -> {table[d]['ds']['iou']:.2f} with D_m; "
          f"trivial predictions {trivial[d]['cons']:.2f} -> {trivial[d]['ds']:.2f}")
configs = [shipped.read_config(shipped.segmenter(m, d)) for m in two for d in DATASETS]
claims.holds(all((c["steps"], c["batch_size"], c["lr"], c["lambda_cons"]) == (1500, 32, 1e-3, 2.0) for c in configs),
             "every shipped segmenter: 1,500 steps, batch 32, lr 1e-3, λ = 2")
claims.holds((compose.TRIVIAL_LOW, compose.TRIVIAL_HIGH) == (0.01, 0.99), "trivial: fewer than 1 % on one side")
claims.holds(all(iou[d]["cons"] > iou[d]["ds"] for d in DATASETS), "D_m lowered the IoU on every dataset")
claims.about(trivial["medium"]["ds"], 0.12, "medium, with D_m: trivial predictions 0.12, about one in eight")
claims.check(trivial["medium"]["cons"], "<", 0.02, "medium, L_cons alone: almost no trivial predictions")
claims.check(max(trivial["easy"]["cons"], trivial["easy"]["ds"]), "==", 0.0, "easy: no trivial predictions")

# %% [markdown]
# ## 1. Where $S$ fails on `medium`, and training without the trivial pairs
#
# First, where $S$ (with $D_m$) fails: its per-image IoU and GrabCut's on `medium`'s 1,000 test
# images, and the eight images on which $S$ does worst.

# %%
S_medium, _ = segment.load_segmenter(shipped.segmenter("ds", "medium"), "cpu")
xm, gtm, u8m = segment.evaluation_set("medium")
per_image = {"S": segment.scores(S_medium.predict(xm), gtm)["iou"],
             "GrabCut": segment.scores(baselines.grabcut(u8m, margin=segment.GRABCUT_MARGIN), gtm)["iou"]}
fig, ax = plt.subplots(figsize=(5, 2.6))
ax.hist(list(per_image.values()), bins=20, range=(0, 1), label=list(per_image))
ax.set_xlabel("per-image IoU (medium, 1,000 test images)")
ax.set_ylabel("images")
ax.legend(fontsize=8)
plt.show()
worst = np.argsort(per_image["S"])[:8]
pred = S_medium.predict(xm[worst])
fig = plots.image_grid([list(xm[worst]), list(gtm[worst]), list(pred[:, 0])], row_titles=["image", "truth", "S"],
                       col_titles=[f"IoU {per_image['S'][i]:.2f}" for i in worst], size=0.95)
plt.show()

# %% [markdown]
# What to notice:
# - $S$'s worst images are all **(nearly) empty predictions**: an object on a scene as colourful
#   or as busy as the object (here smooth gradients and blotchy noise). With $D_m$, an empty mask
#   is something $S$ has learned to produce.
# - Both methods fail completely on some images (the bars at 0), but $S$ has many more middling
#   scores and few above 0.9: 6 % of its images against GrabCut's 28 %. $S$'s rounded,
#   oversized masks (notebook 05, section 5) cap its IoU on sharp-edged objects even when it
#   finds them.

# %%
claims.check(float((pred > 0.5).float().mean((1, 2, 3)).max()), "<", compose.TRIVIAL_LOW,
             "S's eight worst medium images: (nearly) empty predictions")
share = {k: lambda lo, hi, v=v: float(((v > lo) & (v <= hi)).mean()) for k, v in per_image.items()}
for k in per_image:
    claims.check(share[k](-1, 0.05), ">", 0.05, f"{k}: complete failures on some images")
claims.check(share["S"](0.2, 0.8), ">", 1.5 * share["GrabCut"](0.2, 0.8), "S: many more middling scores (0.2-0.8)")
claims.about(share["S"](0.9, 1), 0.06, "S: 6 % above 0.9")
claims.about(share["GrabCut"](0.9, 1), 0.28, "GrabCut: 28 % above 0.9")

# %% [markdown]
# Can we stop $S$ from learning the trivial masks without labels? One more shipped segmenter on
# `medium` skips generated pairs whose mask is all 0 or all 1 (`--drop-trivial`, not in the
# paper: it draws 50 % more pairs than a batch needs and keeps the non-trivial ones; only when
# too few remain does a trivial pair fill the batch), so $L_{cons}$ and $D_m$ hardly ever see one:

# %%
extra, _ = segment.load_segmenter(shipped.SEG_DIR / "extra" / "S-ds-medium-drop-trivial", "cpu")
extra_iou, extra_trivial = segment.scores(extra.predict(xm), gtm)["iou"].mean(), trivial_share(extra, xm)
print(f"medium, S with D_m, trivial pairs dropped: IoU {extra_iou:.2f} "
      f"(with them {table['medium']['ds']['iou']:.2f}; L_cons only {table['medium']['cons']['iou']:.2f}); "
      f"trivial predictions {extra_trivial:.2f}")
claims.check(extra_trivial, "<", trivial["medium"]["ds"] / 4, "dropping trivial pairs removes most trivial predictions")
claims.between(extra_iou - iou["medium"]["ds"], 0.02, 0.06, "and wins back a few points")
claims.check(extra_iou, "<", iou["medium"]["cons"], "but not the gap to L_cons alone")
extra_cfg = shipped.read_config(shipped.SEG_DIR / "extra" / "S-ds-medium-drop-trivial")
claims.holds(extra_cfg["drop_trivial"] and extra_cfg["mode"] == "ds"
             and {k: extra_cfg[k] for k in ("steps", "batch_size", "lr", "lambda_cons", "generator")}
             == {k: shipped.read_config(shipped.segmenter("ds", "medium"))[k]
                 for k in ("steps", "batch_size", "lr", "lambda_cons", "generator")},
             "the same training as the shipped S on medium, trivial pairs dropped")

# %% [markdown]
# Dropping the trivial pairs removes most trivial predictions (0.12 to 0.02) and wins back a
# few points, but not the gap to $L_{cons}$ alone. What the rest of $D_m$'s cost on `medium` is,
# we have not measured here. Our hypothesis: the shape of the generator's masks, as on `easy`,
# which $D_m$ would pass on to $S$'s masks on real images.

# %% [markdown]
# ## 2. A pitfall: BatchNorm in the mask discriminator
#
# Built exactly as the official code builds it, with BatchNorm, and trained at the official
# learning rate $2 \cdot 10^{-4}$, $D_m$ keeps $L_{cons}$ from falling. The curves below are the
# logs of such runs (in `data/segmentation/logs/`), of runs with BatchNorm at our learning rate
# $10^{-3}$, and of the shipped runs without it; the right panel is the validation IoU.

# %%
logs = shipped.SEG_DIR / "logs"
curves = {"D_m with BatchNorm, lr 2e-4 (official)": shipped.read_log(logs / "S-ds-medium-dm-bn-lr2e-4"),
          "D_m with BatchNorm, lr 1e-3": shipped.read_log(logs / "S-ds-medium-dm-bn"),
          "D_m with BatchNorm, lr 1e-3, λ = 20": shipped.read_log(logs / "S-ds-medium-dm-bn-lambda20"),
          "D_m without BatchNorm (shipped)": shipped.read_log(shipped.segmenter("ds", "medium")),
          "L_cons only (shipped)": shipped.read_log(shipped.segmenter("cons", "medium"))}
fig, axes = plt.subplots(1, 2, figsize=(10, 3))
for label, log in curves.items():
    for ax, key in zip(axes, ("loss_cons", "val_iou")):
        ax.plot([r["step"] for r in log], [r[key] for r in log], label=label, lw=1.2)
        ax.set_title(widgets.SHORT_LABELS[key] + " (medium)", fontsize=9)
        ax.set_xlabel("S step", fontsize=8)
axes[1].legend(fontsize=7)
plt.show()

# %%
for label, log in curves.items():
    print(f"{label:40s} after {log[-1]['step']:4d} steps: L_cons {log[-1]['loss_cons']:.3f}, "
          f"validation IoU {log[-1]['val_iou']:.2f}")
bn_configs = {name: shipped.read_config(logs / name)
              for name in ("S-ds-medium-dm-bn-lr2e-4", "S-ds-medium-dm-bn", "S-ds-medium-dm-bn-lambda20")}
claims.holds([(c["dm_batch_norm"], c["lr"], c["lambda_cons"]) for c in bn_configs.values()]
             == [(True, 2e-4, 2.0), (True, 1e-3, 2.0), (True, 1e-3, 20.0)],
             "the logged runs: BatchNorm in D_m at lr 2e-4 and 1e-3 (λ = 2), and at 1e-3 with λ = 20")

# %% [markdown]
# What to notice:
# - **With BatchNorm in $D_m$, $L_{cons}$ stays where it started**, near 0.4, at either
#   learning rate, while without it $L_{cons}$ falls below 0.1 within 300 steps, as when $S$
#   learns from $L_{cons}$ alone. The lr $10^{-3}$ run with BatchNorm ran only 600 steps, so
#   it is compared with 1,500-step runs at unequal length. Thresholding still finds some
#   objects (validation IoU 0.28 and 0.43), but $S$ never learns the generator's masks.
# - Why, as far as we can tell: $D_m$ judges its three kinds of masks in three separate calls.
#   Its first convolution has no BatchNorm; each later one is followed by BatchNorm, which
#   normalises that call's features with the call's own mean and variance per channel. Early on
#   $S(\bar x)$ is grey where $\bar m$ is black and white; if that shows up in the features
#   mainly as a shift in their mean and spread, the normalisation removes it, $D_m$'s deeper
#   layers barely see it, and its gradient pushes $S$ in directions that have little to do
#   with $\bar m$. The term that should teach
#   $S$ the generator's masks, $\lambda L_{cons}$ with $\lambda = 2$, is then too weak to win.
#   (The official batch of 90 and 30,000 iterations may avoid this; we could not test that.)
# - Two fixes let $L_{cons}$ fall: $D_m$ without BatchNorm, or a ten times larger
#   $\lambda = 20$ (a 300-step probe). We ship the first, which keeps the official loss weights.
#   The probe's validation IoU after 300 steps (0.55) already tops the shipped run's final
#   0.53, so $\lambda = 20$ may be the better fix; we have not run it for 1,500 steps.

# %%
bn = [curves["D_m with BatchNorm, lr 2e-4 (official)"], curves["D_m with BatchNorm, lr 1e-3"]]
for log in bn:
    claims.between(log[0]["loss_cons"], 0.35, 0.47, "with BatchNorm: L_cons starts near 0.4")
    claims.between(log[-1]["loss_cons"], 0.35, 0.47, "and stays there")
claims.check(bn[0][-1]["step"], "==", 1500, "the official setting ran 1,500 steps")
for label in ("D_m without BatchNorm (shipped)", "L_cons only (shipped)"):
    claims.check(min(r["step"] for r in curves[label] if r["loss_cons"] < 0.1), "<=", 300,
                 f"{label}: L_cons below 0.1 within 300 steps")
claims.about(bn[0][-1]["val_iou"], 0.28, "validation IoU 0.28 (lr 2e-4)")
claims.about(bn[1][-1]["val_iou"], 0.43, "validation IoU 0.43 (lr 1e-3)")
probe = curves["D_m with BatchNorm, lr 1e-3, λ = 20"]
claims.check(probe[-1]["step"], "==", 300, "λ = 20 is a 300-step probe")
claims.check(probe[-1]["loss_cons"], "<", probe[0]["loss_cons"] / 2, "with λ = 20, L_cons falls")

# %% [markdown]
# ## 3. At 64 px
#
# Resolution helps GrabCut: it follows edges, and at 64 px there are more of them to follow. Does
# it help $S$? We trained the whole `emoji` pipeline again at 64 px, with the commands in
# `data/segmentation/size64/`: the DS-ComGAN generator, $S$ in two seeds, $S$ without $D_m$
# and the supervised U-Net. The bars compare each method at 32 and 64 px, on Noto's art (the one
# every stage trained on) and on Fluent's (which none saw; notebook 05, section 8).

# %%
styles, s64 = shipped.styles_table(), shipped.size64_table()
plots.method_bars({"32 px:\nNoto art": styles["emoji"], "64 px:\nNoto art": s64["emoji"],
                   "32 px:\nFluent art": styles["emoji-fluent"], "64 px:\nFluent art": s64["emoji-fluent"]},
                  shipped.METHODS)
plt.show()
x64, gt64, u8_64 = segment.evaluation_set("emoji", 64)
s1_64 = segment.load_segmenter(shipped.SIZE64_DIR / "S-ds-emoji-s1", "cpu")[0]
ds_64 = [s64["emoji"]["ds"]["iou"], float(segment.scores(s1_64.predict(x64), gt64)["iou"].mean())]
print("64 px, Noto art: S seeds 0 and 1", ", ".join(f"{v:.3f}" for v in ds_64),
      f"- GrabCut {s64['emoji']['grabcut']['iou']:.3f}")

# %% [markdown]
# What the 64 px teacher draws, and what its student and GrabCut make of test images (the masks
# $\bar m$ are turned so that they mark the object, as $S$ learns them):

# %%
pairs64 = segment.PairSource(shipped.SIZE64_DIR / "dscomgan-emoji-b1-s0-64px", size=64,
                             n_standing=64 if QUICK else 256)   # BatchNorm warm-up: about 0.15 s a sample
x_bar64, m_bar64 = pairs64.sample(8, torch.Generator().manual_seed(0))
s0_64 = segment.load_segmenter(shipped.SIZE64_DIR / "S-ds-emoji", "cpu")[0]
plots.image_grid([list(x_bar64), list(m_bar64[:, 0]), list(x64[:8]), list(s0_64.predict(x64[:8])[:, 0]),
                  list(baselines.grabcut(u8_64[:8], margin=segment.GRABCUT_MARGIN)), list(torch.from_numpy(gt64[:8]))],
                 row_titles=["x̄ (64 px)", "m̄", "test image", "S", "GrabCut", "truth"], size=0.95)
plt.show()

# %% [markdown]
# What to notice:
# - GrabCut gains 0.08-0.09 on both art styles (0.75 to 0.83 on Noto's, 0.73 to 0.82 on
#   Fluent's). $S$ moves by at most 0.02: 0.73 and 0.75 on Noto's art in its two seeds (0.73 at 32 px); on Fluent's
#   it slips from 0.73 to 0.72; $S$ with $L_{cons}$ alone (one seed) slips too (0.80 to 0.79 on Noto's).
#   At 64 px $S$ trails GrabCut by 0.10 and 0.08.
# - Its teacher did not sharpen: the 64 px generator's masks $\bar m$ are still rounded blobs
#   (it keeps the object in $x_b$, so $\bar m$ is turned over), and $S$ draws blobs on the test
#   images too, where GrabCut follows the outline: petals, wings, wheels. $S$ can copy only what
#   it is shown.
# - The supervised U-Net again loses about 0.1 on the art it never saw.

# %%
claims.holds(pairs64.inverted, "the 64 px generator keeps the object in x_b")
claims.about(s64["emoji"]["grabcut"]["iou"] - styles["emoji"]["grabcut"]["iou"], 0.08, "GrabCut gains 0.08 at 64 px (Noto)")
claims.about(s64["emoji-fluent"]["grabcut"]["iou"] - styles["emoji-fluent"]["grabcut"]["iou"], 0.09, "GrabCut gains 0.09 at 64 px (Fluent)")
claims.about(styles["emoji"]["grabcut"]["iou"], 0.75, "GrabCut 0.75 at 32 px (Noto)")
claims.about(styles["emoji-fluent"]["grabcut"]["iou"], 0.73, "GrabCut 0.73 at 32 px (Fluent)")
claims.about(s64["emoji"]["grabcut"]["iou"], 0.83, "GrabCut 0.83 at 64 px")
claims.about(s64["emoji-fluent"]["grabcut"]["iou"], 0.82, "GrabCut 0.82 on Fluent at 64 px")
claims.holds([round(v, 2) for v in ds_64] == [0.73, 0.75] and round(styles["emoji"]["ds"]["iou"], 2) == 0.73,
             "S: 0.73 and 0.75 in two seeds at 64 px, 0.73 at 32 px", detail=str(ds_64))
claims.holds([round(s64["emoji"]["grabcut"]["iou"] - v, 2) for v in ds_64] == [0.10, 0.08], "S trails GrabCut by 0.10 and 0.08 at 64 px")
claims.holds([round(v["iou"], 2) for v in (styles["emoji-fluent"]["ds"], s64["emoji-fluent"]["ds"],
                                           styles["emoji"]["cons"], s64["emoji"]["cons"])] == [0.73, 0.72, 0.80, 0.79],
             "S slips from 0.73 to 0.72 on Fluent's art; L_cons alone from 0.80 to 0.79 on Noto's")
claims.between(s64["emoji"]["supervised"]["iou"] - s64["emoji-fluent"]["supervised"]["iou"], 0.08, 0.12,
               "the supervised U-Net loses about 0.1 on unseen art at 64 px")

# %% [markdown]
# ## 4. Changes to stage 2 that did not help
#
# Can any change to stage 2 close the gap on `emoji`? At 32 px we trained $S$ again with one
# change at a time, each in two seeds: augmented pairs (flips, crops, colour jitter:
# `--augment`), the trivial pairs dropped (`--drop-trivial`, section 1), both together, more
# steps, the official learning rate $2\cdot10^{-4}$, and BatchNorm in $D_m$ as in section 2
# (`--dm-batch-norm`: the three kinds of mask in three calls) or with the three in one joint
# batch (`--dm-joint-batch`), so that BatchNorm normalises them together and cannot remove what
# sets them apart. `python bench/segmentation.py --studies`
# scored each run; the figure has a dot per seed, a dash at their mean, and GrabCut's line.

# %%
studies = shipped.studies_table()
changes = {"none": "as shipped", "augment": "augmented", "drop-trivial": "drop trivial pairs",
           "augment-drop-trivial": "augmented + dropped", "x4": "4x the steps", "x5-lr2e-4": "5x the steps at 2e-4",
           "bn": "BatchNorm in D_m", "joint-bn": "BatchNorm, joint batch"}
plots.study_dots(studies, {c: label for c, label in changes.items() if any(r["change"] == c for r in studies.values())},
                 {"emoji": "Noto art (seen)", "emoji-fluent": "Fluent art (unseen)"},
                 {"GrabCut": {k: styles[k]["grabcut"]["iou"] for k in ("emoji", "emoji-fluent")}})
plt.show()

# %% [markdown]
# What to notice:
# - No change lifts $S$ by more than about 0.02 on Noto's art, and two seeds of one change differ
#   by up to about 0.03, as much as most changes move the mean.
# - Augmented pairs with the trivial pairs dropped show why one seed is not enough: 0.75 and
#   0.76 in one seed (above GrabCut on Fluent's art), 0.72 and 0.73 in the other.
# - Augmented pairs alone add about 0.01 on the unseen art, in both seeds.
# - BatchNorm in $D_m$ and four times as many steps at $10^{-3}$ cost 0.02-0.03. The joint
#   batch costs as much as three separate calls, so section 2's explanation does not cover
#   BatchNorm's cost on `emoji`; what does, we have not measured.
# - The official learning rate ($2\cdot10^{-4}$) for 7,500 steps, a quarter of the official
#   schedule, gives 0.73 on both art styles in one seed and 0.71 in the other: no better than
#   the shipped setting.

# %%
seeds = shipped.study_spread(studies, keys=("emoji", "emoji-fluent"))
base = seeds["base"]
claims.check(seeds["best_gain"], "<=", 0.02, "no change lifts S by more than 0.02 on Noto art")
for change in ("bn", "joint-bn", "x4"):
    claims.between(np.mean([r["emoji"] for r in studies.values() if r["change"] == change]) - base, -0.04, -0.01,
                   f"{change}: costs 0.02-0.03")
aug = [r["emoji-fluent"] - studies[f"none-s{r['seed']}"]["emoji-fluent"] for r in studies.values() if r["change"] == "augment"]
claims.holds(len(aug) == 2 and all(0.004 < a < 0.015 for a in aug), "augmented pairs add about 0.01 on unseen art, both seeds", detail=str(aug))
claims.between(seeds["spread"], 0.02, 0.04, "two seeds of one change differ by up to about 0.03")
best, other = studies["augment-drop-trivial-s0"], studies["augment-drop-trivial-s1"]
claims.holds([round(r[k], 2) for r in (best, other) for k in ("emoji", "emoji-fluent")] == [0.75, 0.76, 0.72, 0.73],
             "augmented + drop: 0.75 and 0.76 in one seed, 0.72 and 0.73 in the other")
claims.check(best["emoji-fluent"], ">", styles["emoji-fluent"]["grabcut"]["iou"], "that seed is above GrabCut on Fluent")
slow = [studies[f"x5-lr2e-4-s{seed}"] for seed in (0, 1)]
claims.holds([round(r[k], 2) for r in slow for k in ("emoji", "emoji-fluent")] == [0.73, 0.73, 0.71, 0.71],
             "7,500 steps at 2e-4: 0.73 on both art styles in one seed, 0.71 in the other")
claims.check(max(r["emoji"] for r in slow), "<=", max(r["emoji"] for r in studies.values() if r["change"] == "none"),
             "no seed at 2e-4 above the shipped setting's best seed")

# %% [markdown]
# ## Summary
# - $S$'s worst `medium` images are empty predictions. Leaving the generator's trivial pairs out
#   of training (`--drop-trivial`) removes most of $S$'s trivial predictions on `medium` and wins
#   back a few points of IoU, but not the gap to $L_{cons}$ alone. That the rest of $D_m$'s cost is the shape of the generator's masks is a
#   hypothesis we have not measured.
# - With BatchNorm in $D_m$, as the official code builds it, $L_{cons}$ stayed near 0.4 at
#   either learning rate, so $S$ never learned the generator's masks. Without BatchNorm, or with
#   a ten times larger $\lambda$ (300 steps only), it falls; the shipped $D_m$ has no BatchNorm.
# - At 64 px GrabCut gains 0.08 on `emoji` and $S$ moves by at most 0.02 (two seeds): its 64 px teacher still
#   draws rounded masks.
# - No change to stage 2 we tried lifted $S$ on `emoji` by more than another seed does.

# %%
claims.check(extra_trivial, "<", trivial["medium"]["ds"] / 4, "dropping trivial pairs removes most trivial predictions")
claims.check(extra_iou, "<", iou["medium"]["cons"], "but not the gap to L_cons alone")
claims.holds(all(0.35 <= log[-1]["loss_cons"] <= 0.47 for log in bn), "with BatchNorm, L_cons stays near 0.4")
claims.check(probe[-1]["loss_cons"], "<", probe[0]["loss_cons"] / 2, "with a ten times larger λ, L_cons falls")
claims.holds(not shipped.read_config(shipped.segmenter("ds", "medium"))["dm_batch_norm"], "the shipped D_m has no BatchNorm")
claims.about(s64["emoji"]["grabcut"]["iou"] - styles["emoji"]["grabcut"]["iou"], 0.08, "at 64 px GrabCut gains 0.08")
claims.check(round(max(abs(v - styles["emoji"]["ds"]["iou"]) for v in ds_64), 2), "<=", 0.02, "and S at most 0.02, in two seeds")
claims.check(seeds["best_gain"], "<=", seeds["spread"], "no change lifts S by more than seeds differ");

# %% [markdown]
# ## Exercises
# Each exercise has a cell that checks your answer. Replace `None` and run the cell.
#
# **1.** The segmenter `extra` of section 1 hardly ever saw a trivial pair. Compute its
# $\lambda L_{cons}$ (eq. 10, $\lambda = 2$) on the 8 generated pairs `x_bar`, `m_bar` drawn
# below from the `medium` generator (use `extra.predict`).

# %%
pairs = segment.PairSource(shipped.run("dscomgan-medium-b1", seed=0), size=32, n_standing=256 if QUICK else 1024)
x_bar, m_bar = pairs.sample(8, torch.Generator().manual_seed(0))

# %% tags=["exercise"]
answer_1 = None
exercises.check_consistency_loss(answer_1, extra, x_bar, m_bar)

# %% tags=["solution"]
answer_1 = 2 * float((extra.predict(x_bar) - m_bar).abs().mean())
exercises.verify(exercises.check_consistency_loss, answer_1, answer_1 / 2, extra, x_bar, m_bar)

# %% [markdown]
# ### Check yourself
# - Dropping the trivial pairs uses no labels. What does it rely on instead, and on what kind of
#   real data would the same filter do harm?
# - Why can BatchNorm, applied to each of $D_m$'s three batches on its own, hide the difference
#   between $S(\bar x)$ and $\bar m$ early in training?
# - Why does a ten times larger $\lambda$ let $L_{cons}$ fall even with BatchNorm in $D_m$?
# - One seed of a change scores 0.02 above the shipped $S$. What would you run before you
#   call it an improvement?

# %% [markdown] tags=["solution"]
# **Answers to "Check yourself"**
# - Only on the mean of each generated mask: a pair is dropped when its mask is all 0 or all 1,
#   on the assumption that every real image shows an object that covers part of it. On data
#   where some real images show no object (or nothing but the object), the right mask *is*
#   trivial, and a segmenter that never saw one would not learn to predict it.
# - Early on, $S$'s masks are grey while the generator's are nearly black and white. $D_m$'s
#   first convolution has no BatchNorm, so that difference reaches its first features; if it
#   shows up there mostly as a shift in their mean and variance (our reading, not measured),
#   the BatchNorm after each later convolution, normalising each call's batch by its own
#   statistics, removes it before the deeper layers see it, and $D_m$'s gradient points $S$
#   somewhere that has little to do with $\bar m$.
# - $S$'s loss is $\lambda L_{cons}$ plus the adversarial terms. With $\lambda = 20$ the term
#   that teaches $S$ the generator's masks outweighs $D_m$'s misleading gradient, so $S$ fits the
#   masks anyway, as it does with $L_{cons}$ alone.
# - A second seed of the same change, and of the shipped setting: section 4 shows seeds of one
#   change differing by up to 0.03, so a single 0.02 is within what chance does. Only a change
#   whose seeds all sit above every seed of the shipped setting is worth a claim.

# %% [markdown]
# Back to [05 · DS-ComGAN segmentation](05_ds_comgan_segmentation.ipynb).
