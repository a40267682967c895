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
# # 02 · Trivial solutions: does the mask stop learning?
#
# *comgan-lite, a teaching series on compositional GANs.* &nbsp; Previous: [01 · Image composition](01_image_composition.ipynb)
# &nbsp; Next: [03 · ComGAN](03_comgan.ipynb)
#
# ## Learning goals
# - Build the two generator families the paper calls **Π1** and **Π2**, and say exactly how they
#   differ from ComGAN.
# - Train them live and read the mask-gradient norms while they train.
# - See the paper's Figure 2 happen: at 64 px, with equal budgets, which family's masks become
#   all 0 or all 1, and in how many of the seeds we trained.
# - Read a Figure 4 style plot without being fooled: the gradient $g_M$ need not shrink when a
#   model falls into a trap.
# - Start a generator *at* a trivial solution and watch which families get out.
#
# ## Prerequisites
# Notebook 01 (eq. 1, T1 and T2, Lemma 1, the trivial share). GAN basics: a generator and a
# discriminator trained against each other with the non-saturating loss.
#
# ## Time
# Quick mode (`COMGAN_QUICK=1`, the test suite): about 1.5 minutes. Full mode: about 4 minutes
# of computing on a 2-core laptop CPU (measured: 4.1 minutes, mostly the two live trainings of
# 150 steps and the 64 px samples), and 45 minutes of reading.
#
# ## The result at our scale
# The paper says Π1 and Π2 fall into trivial solutions (Figure 2), that their mask gradient
# vanishes (Figure 4), and that ComGAN's architecture escapes the trap (Theorem 1). At 64 px on
# `easy`, trained 4,000 steps each, Π2 fell in for 2 of 3 seeds and Π1 for 1 of 3 (in both,
# one more seed drew grey masks and found no object), ComGAN for 0 of 3; at 32 px no family falls in (9 runs:
# three families, three seeds). In ordinary training no run's $g_M$ vanished, not even while it fell in. Started at a trivial mask (32 px,
# β = 1), ComGAN walked out in 3 of 3 seeds, Π1 and Π2 in 0 of 3: the trap is real, and the
# architecture decides who leaves it.

# %%
import functools
import json
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from comgan_lite import claims, compose, evaluate, exercises, nets, plots, runtime, shipped, train, widgets

print(runtime.setup_notebook(seed=0, threads=1))
QUICK = runtime.quick_mode()
FAMILIES = ("pi1", "pi2", "comgan")
NAME = nets.FAMILY_NAMES
BUDGET = 4000        # every 64 px run is trained to the same number of steps
TRAPPED = 0.10       # a run has fallen in when at least 10 % of its masks are trivial


def trapped_share(run):
    """The trivial share of a run's last scored milestone (notebook 01's definition)."""
    return shipped.read_milestones(run)[-1]["trivial"]


px64 = {f: [p for p in shipped.seeds(f"{f}-easy-b1", "64px") if shipped.read_config(p)["steps"] == BUDGET]
        for f in FAMILIES}
start_t1 = {f: shipped.seeds(f"{f}-easy-b1", "start-t1") for f in FAMILIES}


fell = {f: sum(trapped_share(p) >= TRAPPED for p in px64[f]) for f in FAMILIES}
escaped = {f: sum(shipped.left_t1_at(p) is not None for p in start_t1[f]) for f in FAMILIES}
grid_32 = [p for p in shipped.long_runs(1.0, size=32)          # the 32 px runs trained at least 4,000 steps
           if shipped.read_config(p)["mask_init_logit"] == 0 and shipped.read_config(p)["steps"] >= BUDGET]
trivial_32 = [next(r["trivial"] for r in shipped.read_milestones(p) if r["step"] == BUDGET) for p in grid_32]
print("64 px, fallen in / trained:", {NAME[f]: f"{fell[f]} / {len(px64[f])}" for f in FAMILIES})
print("left T1 / started there:  ", {NAME[f]: f"{escaped[f]} / {len(start_t1[f])}" for f in FAMILIES})
print(f"32 px runs with a trivial share above 0 at step {BUDGET:,}: {sum(t > 0 for t in trivial_32)} of {len(grid_32)}")
claims.holds((fell["pi2"], len(px64["pi2"])) == (2, 3), "at 64 px Π2 fell in for 2 seeds of 3")
claims.holds((fell["pi1"], len(px64["pi1"])) == (1, 3), "at 64 px Π1 fell in for 1 seed of 3")
claims.holds((fell["comgan"], len(px64["comgan"])) == (0, 3), "at 64 px ComGAN fell in for 0 seeds of 3")
claims.holds(len(grid_32) == 9 and max(trivial_32) == 0, "at 32 px no family falls in (9 runs)")
claims.holds([escaped[f] for f in FAMILIES] == [0, 0, 3] and all(len(start_t1[f]) == 3 for f in FAMILIES),
             "from T1, ComGAN left in 3 of 3 seeds, Π1 and Π2 in 0 of 3")

# %% [markdown]
# ## 1. Lemma 1, recalled
#
# The generator draws a foreground $x_f$, a background $x_b$ and a mask $m = \sigma(s)$ from
# logits $s$; the discriminator judges the composite $\bar x = m \odot x_f + (1-m) \odot x_b$.
# Notebook 01 derived the gradient that reaches the mask logits:
#
# $$\frac{\partial L}{\partial s} \;=\; \underbrace{m(1-m)}_{\to\,0 \text{ at T1}}\;
#   \sum_c \frac{\partial L}{\partial \bar x_c}\,\underbrace{(x_f - x_b)_c}_{\text{0 at T2}} .$$
#
# At a trivial solution the adversarial loss sends almost no gradient to the mask. The layers
# fare no better: $\partial L/\partial x_f = m \odot \partial L/\partial \bar x$, so at T1 with
# $m = 0$ the hidden foreground learns nothing either. The paper (Section 3.1) traces trivial
# solutions to this vanishing gradient (we call such a state a trap), and shows (Figures 2 and 4) that two common ways of building a compositional generator, Π1 and
# Π2, fall into it. A trap only matters if training walks into it, and only if nothing pulls the
# model out. This notebook measures both.
#
# ## 2. Three ways to wire a compositional generator
#
# Every generator here (`comgan_lite/nets.py`) is a **trunk** $\Phi$ that turns noise $z$ into
# feature maps, and three small **heads**: $F$ and $B$ paint the layers, $M$ the mask logits.
# What differs is who reads which trunk:
#
# | family | trunks | $F$ reads | $B$ reads | $M$ reads | used by |
# |---|---|---|---|---|---|
# | **Π1** | 2 | trunk 1 | trunk 2 | trunk 1 | FineGAN, C3-GAN, Labels4Free |
# | **Π2** | 3 | trunk 1 | trunk 2 | trunk 3 | PerturbGAN, CGN |
# | **ComGAN** | 1 | $\Phi$ | $\Phi$ | $\Phi$ | notebook 03 |
#
# The families are matched by **equal trunk width and identical heads**, so every trunk is as
# good as ComGAN's single one and Π1 and Π2 simply have more parameters. (Matching the parameter
# count instead would leave Π2's three trunks about $1/\sqrt 3 \approx 0.58$ as wide, since a trunk's
# parameters grow with its width squared, and any failure could be blamed on that.)

# %%
for family in FAMILIES:
    table = nets.parameter_table(nets.make_generator(family, size=32))
    parts = ", ".join(f"{k} {v / 1e3:.0f} K" for k, v in table.items() if k != "total")
    print(f"{NAME[family]:7s} {table['total'] / 1e6:.2f} M parameters: {parts}")

# %% [markdown]
# ## 3. Watch Π1 and Π2 train
#
# Training is a plain GAN loop (notebook 03 reads it line by line): one discriminator step, then
# one generator step on the non-saturating loss plus the binary regulariser of eq. 11,
# $L_G = -\log D(\bar x) + \beta\,L_{\text{binary}}(m)$, where
# $L_{\text{binary}}(m)$ is the mean over pixels of the binary entropy
# $-m\log_2 m-(1-m)\log_2(1-m)$: 0 at $m = 0$ or 1, so it pushes every pixel to saturate. Every 10 steps the loop logs
# - $g_M = \lVert \partial L_G / \partial \theta_M \rVert$, the gradient at the mask network's
#   parameters (for Π2 its whole trunk too): the quantity of the paper's Figure 4;
# - $\lVert \partial L_{\text{adv}} / \partial m \rVert$, the adversarial gradient at the mask
#   *values*, without the sigmoid's factor $m(1-m)$; by Lemma 1 it vanishes at T2;
# - the **soft share**, the pixels with $m(1-m) \ge 0.01$ (about $0.01 < m < 0.99$), where the
#   sigmoid still passes some gradient.
#
# The cell trains Π1, then Π2, on `easy` at 32 px with $\beta = 1$ and redraws the curves and the
# current composites as it goes (full mode 150 steps each; quick mode 20).

# %%
full_steps = 150
live_steps = 20 if QUICK else full_steps
live = widgets.LiveTraining(keys=("grad_mask_params", "grad_mask_pixels_adv", "soft_share"))
for family in ("pi1", "pi2"):
    cfg = train.TrainConfig(family=family, preset="easy", beta=1.0, steps=live_steps, seed=0,
                            log_every=10, snapshot_every=10_000)
    folder = runtime.scratch_dir(f"02-live-{family}")
    train.train(cfg, folder, progress=True,
                on_log=live.start(f"{NAME[family]} ({runtime.live_label(live_steps, full_steps)})").update)
live.redraw()

# %% [markdown]
# In the first hundred steps (full mode) the masks are grey, every pixel near 0.5, and both gradients *grow*
# while the discriminator teaches the generator what the data look like. Nothing is trivial
# yet. A trap needs runs thousands of steps long, trained once with `python -m comgan_lite.train` and shipped in `data/`.
#
# ## 4. How we score a mask without labels
#
# Our data come with ground truth, but a *generated* image has none. So we trained an
# **oracle** segmenter once, with supervision, on real images (`data/oracle/`). It looks at a
# generated composite $\bar x$ and says where the object is. A generator's **faithfulness** is the
# mean IoU between its own mask, thresholded at 0.5, and the oracle's answer over 512 fixed samples. A generator may
# also put the object in its *background* layer and use $m = 1$ for the scene: a correct
# decomposition with the names swapped. The **best-of-two** score takes, per image, the better of
# the mask and its inverse; it is the number we compare. Its floor is not 0: an all-0 mask,
# inverted, still scores about the object's area. Beside it, the **trivial share** of notebook
# 01: the images whose mask is all 0 or all 1 (mean below 0.01 or above 0.99).

# %%
oracle64 = json.loads((evaluate.ORACLE_DIR / "oracle-64px.json").read_text())
floor = evaluate.real_area("easy", 64)
print(f"64 px oracle: held-out IoU {oracle64['heldout_iou']['easy']:.3f} on easy; "
      f"object area of real images (the best-of-two floor): {floor:.2f}")
claims.check(oracle64["heldout_iou"]["easy"], ">", 0.95, "the oracle finds the object in real images")

# %% [markdown]
# ## 5. At 64 px: the paper's Figure 2
#
# The paper trains at 64 and 128 px. We trained each family at 64 px on `easy` with $\beta = 1$,
# every run to the same 4,000 steps (batch 32, Adam $2\cdot10^{-4}$), keeping a generator every
# 1,000 steps to score it. Redo one with
#
# ```
# python -m comgan_lite.train --family pi2 --preset easy --size 64 --beta 1 --steps 4000 --keep-every 1000 --seed 0 --out runs/pi2-64
# ```
#
# We say a run has **fallen in** when at least 10 % of its masks are trivial at step 4,000. The
# scores every 1,000 steps, one line per seed; the middle panel counts the *nearly* trivial
# masks (mean below 0.05 or above 0.95), which show a trap closing before it is shut:

# %%
fig = plots.milestone_curves({NAME[f]: [shipped.read_milestones(p) for p in px64[f]] for f in FAMILIES},
                             keys=("iou_best_of_two", "near_trivial", "trivial"))
fig.suptitle(f"64 px, easy, β = 1: every seed, scored every 1,000 steps", y=1.03)
plt.show()
rows64 = shipped.evaluations([p for f in FAMILIES for p in px64[f]])
for r in rows64:
    m = shipped.read_milestones(shipped.run(f"{r['family']}-easy-b1", r["seed"], "64px"))
    print(f"{NAME[r['family']]:7s} seed {r['seed']}: best of two {r['iou_best_of_two']:.2f}; trivial share at "
          + ", ".join(f"{x['step']:,}: {x['trivial']:.2f}" for x in m))
pi1_64, pi2_64, comgan_64 = ([r for r in rows64 if r["family"] == f] for f in FAMILIES)

# %%
pi2_trapped = [r for r in pi2_64 if r["trivial"] >= TRAPPED]
pi2_grey = [r for r in pi2_64 if r["trivial"] < TRAPPED]
claims.check(min(r["trivial"] for r in pi2_trapped), ">=", 0.4, "in the Π2 seeds that fell in, over 40 % of masks are trivial")
claims.about(min(r["trivial"] for r in pi2_trapped), 0.48, "the smaller trapped Π2 share at 4,000 steps")
claims.about(max(r["trivial"] for r in pi2_trapped), 0.61, "the larger trapped Π2 share at 4,000 steps")
near = [[x["near_trivial"] for x in shipped.read_milestones(shipped.run("pi2-easy-b1", r["seed"], "64px"))]
        for r in pi2_trapped]
claims.holds(all(a < b for n in near for a, b in zip(n, n[1:])),
             "the nearly trivial share of the trapped Π2 seeds grows at every milestone", detail=str(near))
claims.check(max(r["iou_best_of_two"] for r in pi2_64), "<", 0.35, "no Π2 seed's best of two leaves its floor")
claims.holds(len(pi2_grey) == 1 and pi2_grey[0]["soft_share"] > 0.95 and pi2_grey[0]["mask_mean"] > 0.75,
             "the third Π2 seed draws grey masks: nearly every pixel soft, mean above 0.75")
claims.about(pi2_grey[0]["mask_mean"], 0.8, "the grey Π2 seed's mask mean", digits=1)
pi1_trapped = [r for r in pi1_64 if r["trivial"] >= TRAPPED]
claims.about(pi1_trapped[0]["trivial"], 0.34, "the trapped Π1 share at 4,000 steps")
pi1_path = shipped.run("pi1-easy-b1", pi1_trapped[0]["seed"], "64px")
claims.check(next(x["trivial"] for x in shipped.read_milestones(pi1_path) if x["step"] == 2000), "==", 0,
             "the trapped Π1 seed draws no trivial masks at 2,000 steps")
claims.check(max(x["iou_best_of_two"] for x in shipped.read_milestones(pi1_path)), "<", 0.45,
             "the trapped Π1 seed never finds the object")
pi1_grey = [r for r in pi1_64 if r["trivial"] < TRAPPED and r["soft_share"] > 0.95]
pi1_found = [r for r in pi1_64 if r["trivial"] < TRAPPED and r["soft_share"] <= 0.95]
claims.holds(len(pi1_grey) == 1 and pi1_grey[0]["mask_mean"] < 0.2 and pi1_grey[0]["iou_best_of_two"] < 0.35,
             "one Π1 seed draws dark grey masks (nearly every pixel soft, mean below 0.2) and finds no object")
claims.check(min(r["iou_best_of_two"] for r in pi1_found), ">", 0.9, "the third Π1 seed finds the object")
claims.check(max(r["trivial"] for r in comgan_64), "==", 0, "ComGAN draws no trivial masks at 64 px")
claims.check(min(r["iou_best_of_two"] for r in comgan_64), ">", 0.9, "ComGAN reaches a best of two above 0.9")

# %% [markdown]
# **What to notice.** In two of Π2's three seeds the masks close: the nearly trivial share
# grows at every milestone, and by 4,000 steps 48-61 % of their masks are trivial. The third
# seed draws no trivial masks, yet it does no better: its masks stay grey (almost every pixel
# soft, mean 0.8) and its best of two is as low as the others' (every Π2 seed stays below 0.35).
# Π1's three seeds take three roads. One finds the object (best of two above 0.9). One never
# finds it (its best of two starts near 0.4 and falls) and closes late: no trivial masks at
# 2,000 steps, 34 % at 4,000. The third draws no trivial masks but finds no object either: its
# masks are a dark grey (mean below 0.2, almost every pixel soft). (Thresholded at 0.5, a grey
# mask marks nothing or everything, hence the floor score; with a mean between 0.01 and 0.99 it
# is not trivial.) ComGAN, trained as long, draws no trivial masks in any seed and reaches a
# best of two above 0.9. The snapshots say what this looks like (8 fixed $z$
# per panel; rows: composite, mask, $x_f$, $x_b$; top row Π2 and ComGAN, bottom row Π1):

# %%
def final_png(r):
    return shipped.run(f"{r['family']}-easy-b1", r["seed"], "64px") / "final.png"


panels = {f"Π2, seed {pi2_trapped[0]['seed']} (fell in)": final_png(pi2_trapped[0]),
          f"Π2, seed {pi2_grey[0]['seed']} (grey masks)": final_png(pi2_grey[0]),
          f"ComGAN, seed {comgan_64[0]['seed']}": final_png(comgan_64[0]),
          f"Π1, seed {pi1_trapped[0]['seed']} (fell in)": final_png(pi1_trapped[0]),
          f"Π1, seed {pi1_grey[0]['seed']} (grey masks)": final_png(pi1_grey[0]),
          f"Π1, seed {pi1_found[0]['seed']} (found the object)": final_png(pi1_found[0])}
plots.snapshots(panels, size=4.2, per_row=3)
plt.show()

# %% [markdown]
# In the seeds that fell in, many images show one layer painting the whole picture, object
# included, and a mask that shows only that layer: all white (the foreground layer is the
# picture) or all black (the background layer is); the other masks do not cut the object out
# either (every best of two stays below 0.45).
# That is the paper's Figure 2. ComGAN cuts the object out; in seed 0 it puts the object in
# $x_b$ and its mask marks the background, the swapped polarity that the best of two scores as
# a match (section 4).
# The grey seeds are soft relatives of the same shortcut: one layer paints the whole picture
# and the mask outlines nothing. In Π2's it is the foreground layer under a light grey mask; in
# Π1's it is the background layer under a dark one.
#
# One run per family ships its generator (Π1 seed 2, Π2 seed 1, ComGAN seed 0). The cell draws
# the fixed evaluation inputs the scores came from and counts the trivial masks again:

# %%
live = {}
drawn = [shipped.read_config(f) for f in shipped.RUNS_DIR.glob("*-easy-b1-s*-64px")]   # one per family
for family, seed in sorted(((c["family"], c["seed"]) for c in drawn), key=lambda fs: FAMILIES.index(fs[0])):
    g64, _ = train.load_generator(shipped.run(f"{family}-easy-b1", seed, "64px") / "generator.pt", device="cpu")
    batch = evaluate.evaluation_batch(g64)
    live[f"{NAME[family]}, seed {seed}"] = batch
    share = compose.trivial_share(batch["mask"])["trivial"]
    stated = next(r["trivial"] for r in rows64 if (r["family"], r["seed"]) == (family, seed))
    print(f"{NAME[family]} seed {seed}: trivial share {share:.2f} of {len(batch['mask']):,} masks drawn now "
          f"({stated:.2f} when it was shipped)")
    claims.about(share, round(stated, 2), f"{NAME[family]} seed {seed}: the shipped generator still draws its stated trivial share")
plots.decompositions(live, n=4, per_row=len(live))
plt.show()
grey = live[f"Π1, seed {pi1_grey[0]['seed']}"]["mask"]          # the shipped Π1 is the grey seed
soft = float(((grey > 0.01) & (grey < 0.99)).float().mean())
claims.holds(float(grey.mean()) < 0.2 and soft > 0.9, "Π1's masks are dark grey everywhere",
             detail=f"mean {float(grey.mean()):.2f}, soft pixels {soft:.2f}")

# %% [markdown]
# Most of Π2's masks are all white (invisible on the page) or all black; Π1's are dark grey
# everywhere; ComGAN's outline the object, which it keeps in $x_b$.
#
# ## 6. A Figure 4 analog: does $g_M$ vanish?
#
# The paper's Figure 4 shows $g_M$ falling towards zero for Π1 and Π2 and reads that as the mask
# no longer learning. There is a catch: the binary regulariser *wants* every pixel at 0 or 1, and
# Lemma 1's factor $m(1-m)$ is small there for a good, crisp mask as much as for a trivial one.
# So read $g_M$ beside the gradient at the mask values, the soft share and the trivial share. The
# curves are the training logs of the same 64 px runs (mean over seeds, the band spans them).

# %%
logs64 = {NAME[f]: [shipped.read_log(p) for p in px64[f]] for f in FAMILIES}
fig = plots.training_curves(logs64)
fig.suptitle(f"64 px, easy, β = 1, {BUDGET:,} steps", fontsize=10, y=1.02)
plt.show()
late = {f: [shipped.window_means(log, BUDGET // 2, BUDGET, ("grad_mask_params", "trivial"))
            for log in logs64[NAME[f]]] for f in FAMILIES}     # one dict per seed
for f, runs in late.items():
    for p, w in zip(px64[f], runs):
        print(f"{NAME[f]:7s} seed {shipped.read_config(p)['seed']}, steps {BUDGET // 2:,}-{BUDGET:,}: "
              f"g_M {w['grad_mask_params']:.1f}, trivial share of the training batches {w['trivial']:.2f}")

# %%
claims.check(min(w["grad_mask_params"] for runs in late.values() for w in runs), ">", 1.0,
             "no run's g_M vanishes")
g_trapped = [w["grad_mask_params"] for p, w in zip(px64["pi2"], late["pi2"]) if trapped_share(p) >= TRAPPED]
g_other = [w["grad_mask_params"] for p, w in zip(px64["pi2"], late["pi2"]) if trapped_share(p) < TRAPPED]
claims.check(min(g_trapped), ">", max(g_other), "Π2's seeds that fell in keep a larger g_M than the one that did not")
early_pi2 = [shipped.window_means(log, 0, 500, ("grad_mask_params",))["grad_mask_params"] for log in logs64["Π2"]]
claims.check(min(e / w["grad_mask_params"] for e, w in zip(early_pi2, late["pi2"])), ">", 1 / 0.7,
             "every Π2 seed's g_M falls by 30 % or more from its first 500 steps")
pi1_log = shipped.read_log(pi1_path)
before, falling = (shipped.window_means(pi1_log, a, a + 1000, ("grad_mask_params",))["grad_mask_params"] for a in (1000, 3000))
print(f"Π1 seed {pi1_trapped[0]['seed']} (fell in): g_M {before:.1f} over steps 1,000-2,000 (no trivial masks yet), "
      f"{falling:.1f} over 3,000-4,000 (falling in)")
claims.check(falling / before, ">", 0.8, "the trapped Π1 seed's g_M hardly drops while it falls in")

# %% [markdown]
# **What to notice.** $g_M$ never approaches zero. While two of Π2's seeds fall in, their $g_M$
# stays larger than that of Π2's third seed, which never fell in. Read by shape,
# Π2's curve does start like Figure 4: in every seed, the grey one included, $g_M$ falls by
# 30 % or more from its first 500 steps, then levels off far from zero. (For Π2, $g_M$ covers
# the whole mask generator; for Π1 and ComGAN only the mask head, so compare shapes rather than
# heights across families.) Π1's
# trapped seed runs lower than the seed that found the object, but it ran as low before its masks closed, and
# it hardly drops as they close (the last printed line). What falls is the soft share, as masks
# saturate, and that happens for the crisp masks of ComGAN too. The number that tells a trap
# from a good binary mask is the per-image trivial share, not $g_M$.
#
# ## 7. Is T1 a trap? Start there and see
#
# Training shows which models *walk into* T1. Whether they can *leave* it is a separate
# question, and the one Lemma 1 and Theorem 1 are about. We can put a generator there by hand: a
# learnable bias on $M$'s last convolution, starting at $-8$, makes every mask pixel start at
# $\sigma(-8) = 0.0003$. The generator begins **at** T1, only the background visible, and Lemma
# 1's factor $m(1-m)$ is tiny everywhere (exercise 1 asks how tiny).
#
# First a one-line toy: a single logit $s$ at $-8$ and a loss that wants $m = \sigma(s)$ to be 1.
# Plain gradient descent moves $s$ by $\text{lr}\cdot m(1-m)$ per step and barely moves. **Adam**,
# the optimiser every GAN here uses, divides each step by a running estimate of the gradient's
# size, so it takes steps of about lr *whatever the gradient's scale*, as long as the sign stays
# the same.

# %%
def climb(optimizer, s0, lr=0.05, steps=300):
    """Drive m = sigmoid(s) towards 1 from the logit s0; return m after every step."""
    s = torch.tensor([s0], requires_grad=True)
    opt = optimizer([s], lr=lr)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        (-torch.sigmoid(s).sum()).backward()
        opt.step()
        path.append(torch.sigmoid(s).item())
    return path


gan_adam = functools.partial(torch.optim.Adam, betas=(0.5, 0.999))     # Adam as the GANs here use it
adam_path, sgd_path = climb(gan_adam, -8.0), climb(torch.optim.SGD, -8.0)
fig, ax = plt.subplots(figsize=(6, 2.6))
ax.plot(sgd_path, "--", label="SGD from s = -8"), ax.plot(adam_path, label="Adam from s = -8")
ax.set(xlabel="step (lr 0.05)", ylabel="m = σ(s)")
ax.legend(fontsize=8)
plt.show()
adam_out = next(i for i, m in enumerate(adam_path) if m > 0.5) + 1
print(f"Adam passes m = 0.5 after {adam_out} steps; SGD is at m = {sgd_path[-1]:.4f} after {len(sgd_path)}")
claims.check(adam_out, "<", 8 / 0.05, "Adam leaves the saturated logit in fewer than 8 / lr = 160 steps")
claims.check(sgd_path[-1], "<", 0.01, "SGD does not move it")

# %% [markdown]
# Adam needs even fewer than the 8 / 0.05 = 160 steps of size lr: as $m$ rises the gradient
# grows, Adam's running estimate of its size lags behind, and its steps grow beyond lr. A small
# gradient is not, by itself, a trap for Adam: what matters is whether it keeps pointing the
# same way. Now the real thing: each family at 32 px on `easy`, β = 1, three seeds,
# trained 2,000 steps from the T1 start (`--mask-init-logit -8`). The curves are the training
# logs: the mean mask value, the trivial share of each batch and $g_M$. A run has **left T1** at the
# first logged step from which on the trivial share of its batches stays below one half.

# %%
t1_logs = {NAME[f]: [shipped.read_log(p) for p in start_t1[f]] for f in FAMILIES}
fig = plots.training_curves(t1_logs, keys=("mask_mean", "trivial", "grad_mask_params"), smooth=1)
fig.axes[2].set_yscale("log")
fig.suptitle("started at T1: 32 px, easy, β = 1, every seed (mean and band)", fontsize=10, y=1.02)
plt.show()
for f in FAMILIES:
    for p, r in zip(start_t1[f], shipped.evaluations(start_t1[f])):
        step = shipped.left_t1_at(p)
        print(f"{NAME[f]:7s} seed {r['seed']}: " + (f"left T1 at step {step:,}" if step else "stayed at T1")
              + f"; at the end best of two {r['iou_best_of_two']:.2f}, trivial share {r['trivial']:.2f}")
plots.snapshots({f"{NAME[f]} from T1, seed 0": start_t1[f][0] / "final.png" for f in FAMILIES}, size=3.6)
plt.show()

# %%
t1_rows = {f: shipped.evaluations(start_t1[f]) for f in FAMILIES}
claims.check(min(r["iou_best_of_two"] for r in t1_rows["comgan"]), ">", 0.9, "every ComGAN seed ends with a faithful mask")
claims.check(min(r["trivial"] for f in ("pi1", "pi2") for r in t1_rows[f]), ">", 0.5,
             "every Π1 and Π2 seed ends with most masks trivial")
g_end = [shipped.window_means(log, 1500, 2000, ("grad_mask_params",))["grad_mask_params"]
         for f in ("Π1", "Π2") for log in t1_logs[f]]
claims.holds(sum(g < 0.05 for g in g_end) == 3 and sum(g > 1 for g in g_end) == 3,
             "in 3 of the 6 Π1 and Π2 seeds g_M stays below 0.05, in the other 3 it grows above 1")

# %% [markdown]
# **What to notice.** The families part ways, in every seed. **ComGAN walks out**: its mean
# mask climbs from 0 within the first thousand steps and it ends with masks that outline the
# object. **Π1 and Π2 stay**: their mean mask barely leaves 0 and at the end most of their masks
# are still all 0; the background generator paints the whole image, object included, and the
# foreground layer is noise nobody sees. Note the right panel (a log scale): in three of the six
# Π1 and Π2 seeds $g_M$ stays near its start, about 0.005 after a brief spike in the first
# hundred steps, as Lemma 1 says it must; in the other three it grows above 1, as large as
# ComGAN's: the mask network keeps changing, yet the mask never opens (appendix A1 takes this apart).
#
# Why does Adam rescue the toy's logit and not Π2's mask? Lemma 1's second half: the hidden
# foreground's own gradient $m \odot \partial L/\partial \bar x$ is also about zero, so in Π2 the
# foreground generator learns nothing while it is hidden, and there is nothing worth showing; the
# mask's gradient $(x_f - x_b)\cdot\partial L/\partial\bar x$ points nowhere in particular.
# In Π1, $F$ and $M$ share a trunk, but that trunk, too, only ever hears from hidden outputs. In
# ComGAN, $F$ reads the same features $\Phi(z)$ that $B$ uses to paint the visible image, so $x_f$
# changes with the visible image even while hidden, and $M$, reading $\Phi(z)$ too, gets a
# direction to follow. That is Theorem 1's argument (notebook 03).
#
# ## 8. At 32 px nobody falls in: resolution matters
#
# The same families at 32 px with the same settings, scored at step 4,000 (three seeds
# each), next to the 64 px runs. Each dot is one run's trivial share, the grey bar their mean.

# %%
rows_by_size = [{"family": shipped.read_config(p)["family"], "size": 32, "trivial": t}
                for p, t in zip(grid_32, trivial_32)]
rows_by_size += [{"family": r["family"], "size": 64, "trivial": r["trivial"]} for r in rows64]
groups = [(f"{NAME[f]}\n{s} px", {"family": f, "size": s}) for f in FAMILIES for s in (32, 64)]
plots.seed_dots(rows_by_size, "trivial", groups, ylabel=f"trivial share at step {BUDGET:,}")
plt.show()

# %% [markdown]
# At 32 px every run's trivial share is 0.00 at step 4,000. At 64 px three runs' are not: two of Π2's and one of Π1's
# (and the two grey seeds, one per family, sit at 0.00 without having found the object).
# Why the resolution? Painting a whole `easy` image, a flat object on a plain background, is
# about as easy for one generator at 64 px as at 32, while a mask that outlines the object has
# four times as many pixels to get right. In Π1 and Π2 the mask comes from a trunk that never
# paints the background, and it learns only through the composite the discriminator sees, so at
# 64 px the shortcut gets relatively cheaper. That is a reading of few runs, not a measured cause.
#
# ## 9. The verdict
#
# | the paper says | what we measured |
# |---|---|
# | Π1 and Π2 fall into trivial solutions (Figure 2) | at 64 px, 4,000 steps: Π2 in 2 seeds of 3, Π1 in 1 of 3 (each family had one more seed with grey masks and no object), ComGAN in 0 of 3; at 32 px no family (9 runs) |
# | their mask gradient $g_M$ vanishes (Figure 4) | in ordinary training no run's did, not even while it fell in; started at T1, it stays near zero in 3 of the 6 Π1 and Π2 seeds (section 7) |
# | T1 is a trap that ComGAN leaves and the others do not (Lemma 1, Theorem 1) | yes: from T1, ComGAN left in 3 of 3 seeds, Π1 and Π2 in 0 of 3 |
#
# So the paper's **mechanism** reproduces at our scale: Lemma 1's trap exists, and only the
# shared trunk walks out of it. Its **observation** that Π1 and Π2 walk into the trap during
# ordinary training reproduces at 64 px, for some seeds of Π2 and of Π1, and not at 32 px.
# Whether a run falls in depends on its seed; three seeds per family show what can happen, not
# how often.
# Appendix A1 holds the rest: the 32 px runs trained longer, the harder `medium` preset (trivial
# masks in every family), where the trapped mask's gradient points, and probes with a stronger
# discriminator and a wider generator.
#
# ## Summary
# - Lemma 1 makes trivial solutions *stationary*: at T1 the mask's gradient carries a factor
#   $m(1-m) \approx 0$, at T2 a factor $x_f - x_b = 0$, and at T1 the hidden layer learns nothing.
# - Π1, Π2 and ComGAN differ only in who reads which trunk; matched by trunk width, Π1 and Π2
#   have more parameters than ComGAN.
# - At 64 px with equal budgets, Π2 fell into trivial solutions in 2 of 3 seeds, the paper's
#   Figure 2, and its third seed found no object either; Π1 fell in for 1 seed of 3, drew grey
#   masks in another and found the object in one; ComGAN found it in all 3.
#   At 32 px no family does.
# - $g_M$ is a poor detector: it stays far from zero while Π1 and Π2 fall in, and from T1 it
#   can grow large while the mask stays shut. Read the per-image trivial share.
# - Started at T1, ComGAN walks out in every seed and Π1 and Π2 stay: the trap is real, Adam
#   alone does not open it, and sharing the trunk does.
#
# ## Exercises
# Each exercise has a cell that checks your answer. Replace `None` and run the cell.
#
# **1.** Lemma 1's factor $m(1-m)$ scales every gradient that reaches the mask logits. What is it
# at the logit $s = -8$, where the trap experiment starts? (A number.)

# %% tags=["exercise"]
answer_1 = None
exercises.check_saturation_factor(answer_1)

# %% tags=["solution"]
m = torch.sigmoid(torch.tensor(-8.0))
answer_1 = float(m * (1 - m))            # about e^-8 = 3.4e-4
exercises.verify(exercises.check_saturation_factor, answer_1, 0.25)

# %% [markdown]
# **2.** In the toy of section 7, plain gradient descent (SGD) with lr 0.05 moves the logit by
# $0.05\,m(1-m)$ per step. About how many steps does it need to climb from $s = -8$ to $s = 0$
# ($m = 0.5$)? Estimate it with pen and paper (for $s \ll 0$, $m(1-m) \approx e^{s}$); within
# 25 % counts.

# %% tags=["exercise"]
answer_2 = None
exercises.check_sgd_escape(answer_2)

# %% tags=["solution"]
answer_2 = (math.exp(8) - 1) / 0.05      # ds/dt = lr e^s, so e^-s falls by lr per step: (e^8 - e^0) / lr
exercises.verify(exercises.check_sgd_escape, answer_2, 300)

# %% [markdown]
# **3.** Using `rows64` (the 64 px runs of section 5, one dict per run), which family (`"pi1"`,
# `"pi2"` or `"comgan"`) has the lowest mean best-of-two faithfulness after 4,000 steps?

# %% tags=["exercise"]
answer_3 = None
exercises.check_slowest_family(answer_3, rows64)

# %% tags=["solution"]
means = {f: np.mean([r["iou_best_of_two"] for r in rows64 if r["family"] == f]) for f in FAMILIES}
answer_3 = min(means, key=means.get)
exercises.verify(exercises.check_slowest_family, answer_3, "comgan", rows64)

# %% [markdown]
# ### Check yourself
# - The paper's Figure 4 shows $g_M$ alone. Name two reasons $g_M$ can fall that have nothing to
#   do with a trivial solution.
# - Differentiate the binary entropy $-m\log_2 m - (1-m)\log_2(1-m)$: how hard does it push at
#   $m = 0.5$, and at $m = 0.0003$? What does that mean for a generator started at T1?
# - Would the trap experiment of section 7 come out differently with plain SGD? What would you
#   change in `comgan_lite/train.py` to find out?

# %% [markdown] tags=["solution"]
# **Answers to "Check yourself"**
# - A good mask that turns binary: $m(1-m)$ is small at 0 and 1, so only edge pixels pass
#   gradient (section 6, ComGAN's soft share falling). And a discriminator that is already
#   satisfied sends smaller gradients everywhere; a smaller mask network or a lower learning
#   rate would too. None of these is a trap.
# - Its derivative is $\log_2\frac{1-m}{m}$: zero at $m = 0.5$ (no push at all, which is why
#   grey masks can linger) and about $\log_2(1/0.0003) \approx 12$ at $m = 0.0003$, pushing
#   further *towards* 0; through the sigmoid it is scaled by $m(1-m)$ and fades out. It never
#   helps a model leave T1.
# - With SGD even ComGAN's mask logits would barely move at $m(1-m) \approx 3\cdot10^{-4}$ (the
#   toy's dashed line), so ComGAN might stay too; what moves it in Adam is a consistent sign.
#   Change the optimiser built in `train.py` (`torch.optim.Adam` to `torch.optim.SGD` for the
#   generator) and rerun the start-at-T1 command.

# %% [markdown]
# Next: [03 · ComGAN](03_comgan.ipynb), the architecture the paper proposes, measured on the same
# data. For the research behind this notebook, see the appendix
# [A1 · Trivial solutions in depth](A1_trivial_solutions_in_depth.ipynb).
