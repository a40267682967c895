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
# # A1 · Trivial solutions in depth: the 32 px runs up close
#
# *comgan-lite, a teaching series on compositional GANs.* &nbsp; Appendix to
# [02 · Trivial solutions](02_trivial_solutions.ipynb), for the curious; no later notebook needs it.
#
# ## Learning goals
# - Read the shipped 32 px runs of Π1 and Π2 seed by seed: scores, masks and spread.
# - Read a Figure 4 style plot with all four panels, and say why $g_M$ alone cannot tell a crisp
#   mask from a trivial one.
# - Decide with a stated rule when a run has stopped moving, and see what longer training changes.
# - See where trivial masks do appear at 32 px: on harder data, and in runs started at T1.
# - Take apart why a trapped Π2 keeps a large $g_M$, and where its mask gradient points.
#
# ## Prerequisites
# [Notebook 02](02_trivial_solutions.ipynb): Lemma 1, the three wirings, faithfulness and the
# oracle, and the runs started at T1. The recap below lists what this appendix uses.
#
# ## Time
# Quick mode (`COMGAN_QUICK=1`) and full mode are the same here: nothing is trained or scored,
# every number is read from the shipped runs: about 10 s of computing (8-12 s measured) on a 2-core
# laptop CPU.
# Reading: 40 minutes.
#
# ## What this appendix takes from notebook 02
# A generator paints a foreground $x_f$, a background $x_b$ and a mask $m = \sigma(s)$; the
# discriminator sees $\bar x = m \odot x_f + (1-m) \odot x_b$. By Lemma 1 the adversarial
# gradient at the logits, $m(1-m)\sum_c \partial L/\partial \bar x_c\,(x_f - x_b)_c$, vanishes
# at T1 (mask all 0 or all 1) and at T2 ($x_f = x_b$). **Π1** has two trunks ($F$ and $M$ share
# one), **Π2** three (one per part), **ComGAN** one that $F$, $B$ and $M$ all read; trunk width
# and heads are equal. The loss adds $\beta\,L_{\text{binary}}$, which pushes mask pixels to 0
# or 1. The logs hold $g_M$ (the gradient norm at the mask network's parameters, the paper's
# Figure 4), $\lVert\partial L_{\text{adv}}/\partial m\rVert$ (at the mask values, without the
# sigmoid's factor), the **soft share** (pixels with $m(1-m) \ge 0.01$) and the **trivial
# share** (images whose mean mask is below 0.01 or above 0.99). **Faithfulness** is the mean
# IoU between a generator's mask and what a supervised oracle finds in its composites, with
# mask 1 = object; **best of two** takes per image the better of the mask and its inverse (an
# all-0 or all-1 mask then scores the object's area, 0.18 here; other masks can score less).

# %%
import json
import re

import matplotlib.pyplot as plt
import numpy as np

from comgan_lite import claims, compose, exercises, nets, plots, runtime, shipped
from comgan_lite.data import ShapesDataset

print(runtime.setup_notebook(seed=0, threads=1))
FAMILIES = ("pi1", "pi2", "comgan")
claims.holds((compose.TRIVIAL_LOW, compose.TRIVIAL_HIGH, compose.SATURATION) == (0.01, 0.99, 0.01),
             "trivial below 0.01 or above 0.99; soft where m(1 - m) >= 0.01")

# %% [markdown]
# ## 1. The 32 px grid, run by run
#
# Every family was trained with $\beta \in \{0.1, 1\}$ and three seeds (0, 1, 2) for 2,000
# generator steps at 32 px on `easy` (batch 32, Adam with learning rate $2\cdot10^{-4}$, one
# thread each). Each run ships in `data/runs/` with its log, last snapshot and scores
# (`eval.json`), which this appendix reads. To redo one:
#
# ```
# python -m comgan_lite.train --family pi2 --preset easy --beta 0.1 --seed 0 --steps 2000 --out runs/pi2
# ```
#
# The table shows Π1 and Π2 (ComGAN's rows belong to notebook 03); the printout lists every run.

# %%
easy = shipped.grid("easy", betas=(0.1, 1))     # 3 families x 2 betas x 3 seeds
rows = shipped.evaluations(easy)                  # each run's eval.json (exercise 1 reads `rows`)
configs = [shipped.read_config(p) for p in easy]
print(shipped.markdown_table([s for s in shipped.summarise(rows) if s["family"] != "comgan"]))
pi_rows = [r for r in rows if r["family"] != "comgan"]
for r in pi_rows:
    print(f"{r['run']:18s} faithfulness {r['iou']:.2f}, best of two {r['iou_best_of_two']:.2f}, "
          f"soft share {r['soft_share']:.2f}, trivial share {r['trivial']:.2f}, mean mask {r['mask_mean']:.2f}")


def run_row(family, beta, seed):
    """The eval.json row of one grid run."""
    return next(r for r in rows if (r["family"], r["beta"], r["seed"]) == (family, beta, seed))


claims.holds(all((c["steps"], c["batch_size"], c["lr_g"], c["lr_d"], c["size"], c["threads"])
                 == (2000, 32, 2e-4, 2e-4, 32, 1) for c in configs)
             and sorted(c["seed"] for c in configs) == sorted([0, 1, 2] * 6),
             "every grid run: 2,000 steps, batch 32, lr 2e-4, 32 px, one thread; seeds 0, 1, 2")
print(f"real easy images: object area {rows[0]['real_area']:.2f}")
claims.about(rows[0]["real_area"], 0.18, "the object covers 0.18 of a real easy image")

# %% [markdown]
# No Π1 or Π2 run has a trivial mask (trivial share 0.00 in all 12), and the layers differ
# (mean $|x_f - x_b|$ of 0.37-0.42 per group), so neither T1 nor T2 is near.

# %%
summary = {(s["family"], s["beta"]): s for s in shipped.summarise(rows)}
layer_difference = [summary[f, b]["layer_difference"]["mean"] for f in ("pi1", "pi2") for b in (0.1, 1)]
claims.check(max(r["trivial"] for r in pi_rows), "<", 0.005, "trivial share 0.00 in all 12 Π1/Π2 runs")
claims.about(min(layer_difference), 0.37, "mean |x_f - x_b| per group from 0.37 ...")
claims.about(max(layer_difference), 0.42, "... to 0.42")

# %% [markdown]
# ### A Figure 2 analog: what the masks look like
#
# The paper's Figure 2 shows Π1 and Π2 at $\beta = 0.1$ and $\beta = 1$ with masks that cover
# everything or nothing. Here are the last training snapshots of our seed-0 models (8 fixed $z$,
# one per column): composite $\bar x$, mask $m$, foreground layer $x_f$ and background layer
# $x_b$, one row each.

# %%
plots.snapshots({f"{nets.FAMILY_NAMES[family]}, β = {beta:g}":
                 shipped.run(f"{family}-easy-b{beta:g}", seed=0) / "final.png"
                 for beta in (1.0, 0.1) for family in ("pi1", "pi2")}, size=3.6)
plt.show()

# %% [markdown]
# - **Π1, β = 1**: the mask outlines the object (faithfulness 0.96, soft share 0.13); $x_f$
#   holds the object, $x_b$ the scene with a smudge where the object will cover it.
# - **Π1, β = 0.1**: a softer version of the same split; the mask is still grey (soft share
#   1.00), and in some samples the object is in both layers.
# - **Π2**, both β: the mask is grey almost everywhere (soft share 1.00, mean mask 0.52-0.55),
#   with structure only along the object's outline, and $x_b$ *alone* is a complete picture;
#   $x_f$ is a dim, blurry copy. The background generator does nearly all the work, the failure
#   the paper describes, but this is not T1: the mask is nowhere near 0.

# %%
pi1_b1, pi1_b01 = run_row("pi1", 1.0, 0), run_row("pi1", 0.1, 0)
pi2_seed0 = [run_row("pi2", b, 0) for b in (0.1, 1.0)]
claims.about(pi1_b1["iou"], 0.96, "Π1, β = 1, seed 0: faithfulness 0.96")
claims.about(pi1_b1["soft_share"], 0.13, "Π1, β = 1, seed 0: soft share 0.13")
claims.about(pi1_b01["soft_share"], 1.00, "Π1, β = 0.1, seed 0: soft share 1.00")
claims.holds(all(round(r["soft_share"], 2) == 1.00 for r in pi2_seed0), "Π2 seed 0: soft share 1.00 at both β")
claims.about(min(r["mask_mean"] for r in pi2_seed0), 0.52, "Π2 seed 0: mean mask from 0.52 ...")
claims.about(max(r["mask_mean"] for r in pi2_seed0), 0.55, "... to 0.55")

# %% [markdown]
# ### Faithfulness per seed
#
# Each dot is one run; the bar is the mean over its seeds. Left: fixed polarity, right: best of
# mask and inverted mask. The dotted line is the object area of real images, what a trivial
# all-0 mask scores on the right.

# %%
groups = [(f"{nets.FAMILY_NAMES[f]}\nβ={b:g}", {"family": f, "beta": b}) for f in ("pi1", "pi2") for b in (0.1, 1.0)]
fig, axes = plt.subplots(1, 2, figsize=(8, 2.8), sharey=True)
plots.seed_dots(rows, "iou", groups, ax=axes[0], ylabel="faithfulness (IoU with the oracle)")
plots.seed_dots(rows, "iou_best_of_two", groups, ax=axes[1], ylabel="")
for ax in axes:
    ax.axhline(rows[0]["real_area"], color="0.5", lw=0.8, ls=":")  # what an all-0 mask scores, inverted
axes[0].set_title("fixed polarity", fontsize=9), axes[1].set_title("best of two polarities", fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# Π1 keeps its object in $x_f$ (the two panels agree). Its β = 1 seeds spread widely: seed 0
# has a crisp, faithful mask, the other two soft ones (soft share 0.97-0.98). Π2's masks fit
# the oracle better inverted, in all six runs; at β = 1 its seed 2 already outlines the object
# (best of two 0.88, though still soft), the other two are at 0.34-0.46. At this budget the
# families differ in **how fast** they learn a mask, not in whether they end in a trivial
# solution.

# %%
pi1_soft_seeds = [run_row("pi1", 1.0, s)["soft_share"] for s in (1, 2)]
pi2_b1 = [run_row("pi2", 1.0, s) for s in (0, 1, 2)]
claims.holds(all(abs(r["iou"] - r["iou_best_of_two"]) < 0.05 for r in rows if r["family"] == "pi1"),
             "Π1: fixed polarity and best of two agree")
claims.about(min(pi1_soft_seeds), 0.97, "Π1, β = 1, seeds 1 and 2: soft share from 0.97 ...")
claims.about(max(pi1_soft_seeds), 0.98, "... to 0.98")
claims.holds(all(r["iou_best_of_two"] > r["iou"] + 0.05 for r in rows if r["family"] == "pi2"),
             "Π2: better inverted in all six runs")
claims.about(pi2_b1[2]["iou_best_of_two"], 0.88, "Π2, β = 1, seed 2: best of two 0.88")
claims.check(pi2_b1[2]["soft_share"], ">", 0.5, "... though still soft")
claims.about(min(r["iou_best_of_two"] for r in pi2_b1[:2]), 0.34, "the other two from 0.34 ...")
claims.about(max(r["iou_best_of_two"] for r in pi2_b1[:2]), 0.46, "... to 0.46")

# %% [markdown]
# ## 2. A Figure 4 analog: the mask gradient over training
#
# The paper's Figure 4 shows $g_M$ falling towards zero for Π1 and Π2. But Lemma 1's factor
# $m(1-m)$ is small for a crisp, binary mask just as for a trivial one, so $g_M$ *can* fall just
# because masks become binary: read it beside the other three panels. Curves: the mean over
# three seeds, smoothed over 5 logged steps (250 generator steps); the band spans the seeds.

# %%
logs = {b: {f: [shipped.read_log(p) for p in shipped.seeds(f"{f}-easy-b{b:g}")] for f in FAMILIES}
        for b in (0.1, 1.0)}
for beta in (0.1, 1.0):
    fig = plots.training_curves({nets.FAMILY_NAMES[f]: runs for f, runs in logs[beta].items()})
    fig.suptitle(f"easy preset, β = {beta:g}, 3 seeds each", fontsize=10, y=1.02)
    plt.show()

# %% [markdown]
# What the curves say:
#
# - $g_M$ **never approaches zero** in any family: after step 500 every curve stays between 2.3
#   and 9.0. Π2's curve is the highest, but its "mask network" is a whole trunk plus its head,
#   67 times the parameters of the M head of Π1 or ComGAN: compare shapes, not heights.
# - $\lVert\partial L_{\text{adv}}/\partial m\rVert$ grows too, in every family: the layers
#   differ, so T2 is far away, and the discriminator keeps sending the mask signal.
# - At β = 1 the **soft share** falls for ComGAN (all three seeds) and for one seed of Π1: their
#   masks become binary. For Π2 it stays at 1: its mask has not committed.
# - The **trivial share** of the training batches stays near 0. At β = 1 a few batches of Π1
#   and ComGAN have some trivial masks (at most 6 of a batch of 32) between steps 750 and 1,850,
#   and they recover: no run ends with one.


# %%
def curve(runs, key, smooth=5):
    """The seed-mean of a logged key, smoothed as in the plot; returns (steps, values)."""
    n = min(len(r) for r in runs)
    v = np.convolve(np.mean([[row[key] for row in r[:n]] for r in runs], 0), np.ones(smooth) / smooth, "valid")
    return np.array([row["step"] for row in runs[0][:n]])[smooth - 1:], v


claims.holds(all(c["log_every"] == 50 for c in configs), "a logged step every 50 generator steps")
late_gm = [v[s >= 500] for b in logs for f in FAMILIES for s, v in [curve(logs[b][f], "grad_mask_params")]]
claims.about(min(map(min, late_gm)), 2.3, "after step 500 the g_M curves stay between 2.3 ...", digits=1)
claims.about(max(map(max, late_gm)), 9.0, "... and 9.0", digits=1)
claims.holds(all(min(curve(logs[b]["pi2"], "grad_mask_params")[1][-20:]) >
                 max(max(curve(logs[b][f], "grad_mask_params")[1][-20:]) for f in ("pi1", "comgan"))
                 for b in logs), "Π2's g_M curve is the highest (last 1,000 steps)")
pi2_table, pi1_table = (nets.parameter_table(nets.make_generator(f, 32)) for f in ("pi2", "pi1"))
claims.about((pi2_table["mask_trunk"] + pi2_table["mask"]) / pi1_table["mask"], 67,
             "Π2's mask network has 67 times the parameters of an M head", digits=0)
adv_growth = {(b, f): curve(logs[b][f], "grad_mask_pixels_adv")[1] for b in logs for f in FAMILIES}
claims.holds(all(v[-10:].mean() > v[:3].mean() for v in adv_growth.values()),
             "‖∂L_adv/∂m‖ grows in every family and β")
end_soft = {f: [np.mean([row["soft_share"] for row in r[-5:]]) for r in logs[1.0][f]] for f in FAMILIES}
print("soft share at the end of each β = 1 run:", {f: np.round(v, 2).tolist() for f, v in end_soft.items()})
claims.holds(all(v < 0.5 for v in end_soft["comgan"]) and sum(v < 0.5 for v in end_soft["pi1"]) == 1
             and all(v > 0.95 for v in end_soft["pi2"]),
             "soft share falls for every ComGAN seed, one Π1 seed, no Π2 seed")
batch_trivial = {(f, i): max((row["trivial"], row["step"]) for row in r)
                 for f in FAMILIES for i, r in enumerate(logs[1.0][f])}
hit = [(f, step) for (f, _), (t, step) in batch_trivial.items() if t > 0]
print("β = 1 runs with a trivial mask in some batch (family, step of the most):", hit)
claims.holds({f for f, _ in hit} == {"pi1", "comgan"}, "at β = 1, some batches of Π1 and ComGAN only")
claims.check(max(t for t, _ in batch_trivial.values()) * 32, "<=", 6, "at most 6 of a batch of 32")
claims.holds(all(750 <= step <= 1850 for _, step in hit), "between steps 750 and 1,850")
claims.check(max(r["trivial"] for r in rows), "==", 0, "no grid run ends with a trivial mask")

# %% [markdown]
# ## 3. How long is long enough?
#
# The grid stops at 2,000 steps. Where do the metrics stop moving? At β = 1 all nine grid runs
# were continued to 6,000 steps (the one still climbing to 8,000), at β = 0.1 to 12,000 (the
# three still moving to 16,000), and scored every 1,000 steps (`milestones.json` in
# `data/runs-logs/`; for seed 0 at β = 0.1 only 2,000 and then from 6,000 on). A metric has
# **stopped moving** from the earliest milestone whose value, together with every later one,
# fits inside a band (0.05 wide for the best of two and the soft share, 0.02 for the trivial
# share), if that stretch holds at least three milestones (`bench/convergence.py` applies the
# rule; the printout reads what it found). A run **stalled** if its best of two ends below 0.6.
# β = 1 first:

# %%
def continued(beta):
    """The grid's runs trained on (long runs with milestones, not the runs started at T1)."""
    return [p for p in shipped.long_runs(beta) if shipped.variant(shipped.read_config(p)) == ""]


def settling(folders, beta):
    """The settling report's lines for these runs."""
    names = {p.name for p in folders}
    return "\n".join(line for line in shipped.settling_report(beta).split("\n") if line.split()[0] in names)


def milestone_figure(folders, beta):
    fig = plots.milestone_curves({nets.FAMILY_NAMES[f]: [shipped.read_milestones(p) for p in folders
                                                         if shipped.read_config(p)["family"] == f]
                                  for f in FAMILIES})
    fig.suptitle(f"β = {beta:g}: every seed, one dot per 1,000 steps", y=1.03)
    plt.show()


def by_seed(folders):
    """{(family, seed): {step: milestone row}}."""
    return {(shipped.read_config(p)["family"], shipped.read_config(p)["seed"]):
            {r["step"]: r for r in shipped.read_milestones(p)} for p in folders}


def table(folders, steps):
    print(shipped.markdown_table(shipped.summarise(shipped.at_steps(folders, steps),
                                                   keys=("family", "preset", "beta", "steps"),
                                                   columns=shipped.SETTLE_COLUMNS),
                                 columns=shipped.SETTLE_COLUMNS))


long_b1 = continued(1.0)
milestone_figure(long_b1, 1.0)
print(settling(long_b1, 1.0))
table(long_b1, (2000, 4000, 6000))
ends = {b: [max(r["step"] for r in shipped.read_milestones(p)) for p in continued(b)] for b in (1.0, 0.1)}
claims.holds(sorted(ends[1.0]) == [6000] * 8 + [8000], "β = 1: nine runs to 6,000 steps, one to 8,000")
claims.holds(sorted(ends[0.1]) == [12000] * 6 + [16000] * 3, "β = 0.1: nine runs to 12,000 steps, three to 16,000")
claims.holds(all([r["step"] for r in shipped.read_milestones(p)] == [2000, *range(6000, 13000, 1000)]
                 for p in continued(0.1) if shipped.read_config(p)["seed"] == 0),
             "seed 0 at β = 0.1: milestones from step 6,000 on (and the grid's 2,000)")

# %% [markdown]
# At β = 1, by 6,000 steps:
#
# - **ComGAN's three seeds agree**: 0.98 best of two, binary masks (soft share 0.09). Its
#   slowest seed (seed 2) was still climbing at 4,000 steps (0.82) and jumped to 0.98 at 5,000;
#   continued to 8,000 steps it stayed there, so it settled from step 5,000.
# - **Π1 is close behind** (best of two 0.95) and its masks turn binary later (soft share 0.18,
#   still moving in two seeds).
# - **Π2 splits.** Two seeds reach 0.97-0.98 best of two; the third stalls at 0.48 with a soft
#   share of 1.00: a soft blend, not a trivial solution (trivial share 0.00).
# - **The grid's 2,000 steps stopped runs mid-climb**, in Π1 and Π2 alike: at least two seeds
#   of each gained more than 0.1 best of two after step 2,000.

# %%
b1 = by_seed(long_b1)
at6000 = {f: [b1[f, s][6000] for s in (0, 1, 2)] for f in FAMILIES}
mean6000 = lambda f, key: np.mean([r[key] for r in at6000[f]])
claims.about(mean6000("comgan", "iou_best_of_two"), 0.98, "ComGAN at 6,000: 0.98 best of two")
claims.holds(max(r["iou_best_of_two"] for r in at6000["comgan"]) - min(r["iou_best_of_two"] for r in at6000["comgan"]) < 0.01,
             "ComGAN's three seeds agree")
claims.about(mean6000("comgan", "soft_share"), 0.09, "ComGAN at 6,000: soft share 0.09")
cg2 = b1["comgan", 2]
claims.about(cg2[4000]["iou_best_of_two"], 0.82, "ComGAN seed 2 at 4,000: 0.82")
claims.about(cg2[5000]["iou_best_of_two"], 0.98, "... at 5,000: 0.98")
after = [r["iou_best_of_two"] for s, r in cg2.items() if s >= 5000]
claims.holds(max(cg2) == 8000 and max(after) - min(after) <= 0.05 and cg2[4000]["iou_best_of_two"] < min(after) - 0.05,
             "seed 2, continued to 8,000, settled from step 5,000")
claims.about(mean6000("pi1", "iou_best_of_two"), 0.95, "Π1 at 6,000: 0.95 best of two")
claims.about(mean6000("pi1", "soft_share"), 0.18, "Π1 at 6,000: soft share 0.18")
moving = [s for s in (0, 1, 2) if "soft share still moving" in settling([shipped.run("pi1-easy-b1", s, "6000")], 1.0)]
claims.holds(len(moving) == 2, "Π1's soft share still moving in two seeds", detail=f"seeds {moving}")
pi2_6000 = sorted(r["iou_best_of_two"] for r in at6000["pi2"])
claims.about(pi2_6000[1], 0.97, "Π2: two seeds reach 0.97 ...")
claims.about(pi2_6000[2], 0.98, "... and 0.98")
stalled = min(at6000["pi2"], key=lambda r: r["iou_best_of_two"])
claims.about(stalled["iou_best_of_two"], 0.48, "the third stalls at 0.48")
claims.about(stalled["soft_share"], 1.00, "with soft share 1.00")
claims.check(stalled["trivial"], "<", 0.005, "and trivial share 0.00")
gained = {f: sum(b1[f, s][6000]["iou_best_of_two"] - b1[f, s][2000]["iou_best_of_two"] > 0.1 for s in (0, 1, 2))
          for f in ("pi1", "pi2")}
claims.holds(all(n >= 2 for n in gained.values()), "at least two Π1 and two Π2 seeds gained more than 0.1",
             detail=str(gained))

# %% [markdown]
# Now β = 0.1:

# %%
long_b01 = continued(0.1)
milestone_figure(long_b01, 0.1)
print(settling(long_b01, 0.1))
table(long_b01, (2000, 6000, 10000, 12000))
b01 = by_seed(long_b01)
for (f, seed), ms in b01.items():                      # the runs continued past 12,000 steps
    if max(ms) > 12000:
        print(f"{nets.FAMILY_NAMES[f]} seed {seed}: best of two at 12,000, 13,000, ...: "
              + ", ".join(f"{r['iou_best_of_two']:.2f}" for s, r in ms.items() if s >= 12000))

# %% [markdown]
# What the long runs say:
#
# - **The trivial share is 0.00 at every milestone of every run**, at both β: given three to
#   eight times the grid's budget, no family walked into a trivial solution on `easy`.
# - **How long a faithful mask takes depends on the seed as much as on the family.** At
#   β = 0.1 seed 0 of every family reached 0.96-0.98 best of two by step 6,000 and stayed
#   there; Π1's other seeds settled from 6,000-7,000 steps, ComGAN's seed 2 from 10,000.
#   ComGAN's seed 1 did not settle: to 16,000 steps it swings between 0.76 and 0.84, while its
#   masks slowly harden (soft share 0.94 at the end).
# - **Two of Π2's three seeds stalled.** Seed 1 rose from 0.24 best of two at 2,000 steps to
#   0.35-0.39 from 12,000 on; seed 2 from 0.21 to 0.40 by 12,000 and 0.51-0.53 from 14,000.
#   Both keep a soft share of 0.99-1.00 and a mean mask near 0.5: a grey blend over two layers
#   that both draw objects. No decomposition, as in the paper's Figure 2, but no trivial mask.
# - **Masks turn binary long after they turn faithful**: at 12,000 steps the soft shares of
#   seeds 1 and 2 are 0.70-1.00, against 0.13-0.37 for seed 0.
# - **"Stopped moving" is not "finished".** A soft share that has barely begun to fall counts
#   as settled (Π1's and Π2's seeds 1 and 2: "from 2,000", still 0.95-1.00 at the end), and a
#   slow stretch can come before a jump: ComGAN's seed 2 at β = 0.1 crept from 0.42 to 0.67
#   between steps 2,000 and 7,000, then reached 0.97 by 12,000.
#
# So at β = 1 every ComGAN and Π1 seed and two of three Π2 seeds reach a best of two of 0.93 or
# more with a nearly binary mask (soft share 0.25 or less) within 6,000 steps. At β = 0.1 six of
# nine runs settle between 6,000 and 10,000 steps (the three seed-0 runs at 6,000, their first
# milestone after 2,000); two Π2 seeds stall and ComGAN's seed 1 hovers near 0.8. No trivial
# masks at any step, but Π2 can stall without one: in three of its six long runs, against none
# of ComGAN's or Π1's twelve.

# %%
every = [r for ms in list(b1.values()) + list(b01.values()) for r in ms.values()]
claims.check(max(r["trivial"] for r in every), "<", 0.005, "trivial share 0.00 at every milestone, both β")
last = {("b1",) + k: max(ms) for k, ms in b1.items()} | {("b01",) + k: max(ms) for k, ms in b01.items()}
claims.holds(min(last.values()) == 6000 and max(last.values()) == 16000,
             "three to eight times the grid's 2,000 steps", detail=f"{min(last.values())}-{max(last.values())}")
seed0 = [r["iou_best_of_two"] for f in FAMILIES for s, r in b01[f, 0].items() if s >= 6000]
claims.about(min(seed0), 0.96, "β = 0.1, seed 0 from step 6,000: best of two from 0.96 ...")
claims.about(max(seed0), 0.98, "... to 0.98")


def settled_from(family, seed, beta, folders):
    """The step the settling report gives for best of two ('still moving': None)."""
    line = settling([p for p in folders if (shipped.read_config(p)["family"], shipped.read_config(p)["seed"])
                     == (family, seed)], beta)
    said = re.search(r"settled: best of two (from [\d,]+|still moving)", line).group(1)
    return None if said == "still moving" else int(said.removeprefix("from ").replace(",", ""))


claims.holds(sorted(settled_from("pi1", s, 0.1, long_b01) for s in (1, 2)) == [6000, 7000],
             "Π1's seeds 1 and 2 settled from 6,000 and 7,000")
claims.holds(settled_from("comgan", 2, 0.1, long_b01) == 10000, "ComGAN's seed 2 from 10,000")
claims.holds(settled_from("comgan", 1, 0.1, long_b01) is None and max(b01["comgan", 1]) == 16000,
             "ComGAN's seed 1 did not settle in 16,000 steps")
late = lambda f, s, start=12000: [r["iou_best_of_two"] for st, r in b01[f, s].items() if st >= start]
claims.about(min(late("comgan", 1)), 0.76, "ComGAN seed 1 swings between 0.76 ...")
claims.about(max(late("comgan", 1)), 0.84, "... and 0.84")
claims.about(b01["comgan", 1][16000]["soft_share"], 0.94, "soft share 0.94 at the end")
claims.about(min(late("pi2", 1)), 0.35, "Π2 seed 1 stays between 0.35 ...")
claims.about(max(late("pi2", 1)), 0.39, "... and 0.39")
claims.about(b01["pi2", 2][13000]["iou_best_of_two"], 0.40, "Π2 seed 2 at 0.40 ...")
claims.about(min(late("pi2", 2, 14000)), 0.51, "... then from step 14,000 between 0.51 ...")
claims.about(max(late("pi2", 2, 14000)), 0.53, "... and 0.53")
stalls = [b01["pi2", s][16000] for s in (1, 2)]
claims.holds(all(round(r["soft_share"], 2) >= 0.99 for r in stalls), "both keep a soft share of 0.99-1.00")
claims.holds(all(0.45 <= r["mask_mean"] <= 0.6 for r in stalls), "and a mean mask near 0.5",
             detail=", ".join(f"{r['mask_mean']:.2f}" for r in stalls))
soft12 = {s: [b01[f, s][12000]["soft_share"] for f in FAMILIES] for s in (0, 1, 2)}
claims.about(min(soft12[1] + soft12[2]), 0.70, "at 12,000, seeds 1 and 2: soft share from 0.70 ...")
claims.about(max(soft12[1] + soft12[2]), 1.00, "... to 1.00")
claims.about(min(soft12[0]), 0.13, "seed 0 from 0.13 ...")
claims.about(max(soft12[0]), 0.37, "... to 0.37")
cg = b01["comgan", 2]
claims.holds([round(cg[s]["iou_best_of_two"], 2) for s in (2000, 7000, 12000)] == [0.42, 0.67, 0.97],
             "ComGAN seed 2 at β = 0.1: 0.42 at 2,000, 0.67 at 7,000, 0.97 at 12,000")
good = {f: sum(ms[6000]["iou_best_of_two"] >= 0.93 and ms[6000]["soft_share"] <= 0.25 for (g, _), ms in b1.items() if g == f)
        for f in FAMILIES}
claims.holds(good == {"pi1": 3, "pi2": 2, "comgan": 3}, "β = 1: faithful, nearly binary at 6,000 in 3 + 3 + 2 seeds",
             detail=str(good))
settled01 = [settled_from(f, s, 0.1, long_b01) for f in FAMILIES for s in (0, 1, 2)]
claims.holds(sum(x is not None and 6000 <= x <= 10000 for x in settled01) == 6,
             "β = 0.1: six of nine settle between 6,000 and 10,000", detail=str(settled01))
claims.holds(all(b01["pi2", s][16000]["iou_best_of_two"] < 0.6 for s in (1, 2)), "two Π2 seeds stall below 0.6")
final = {(b,) + k: ms[max(ms)]["iou_best_of_two"] for b, d in (("1", b1), ("0.1", b01)) for k, ms in d.items()}
stalled_runs = [k for k, v in final.items() if v < 0.6]
claims.holds(len(stalled_runs) == 3 and all(k[1] == "pi2" for k in stalled_runs),
             "three of Π2's six long runs stall, none of ComGAN's or Π1's", detail=str(stalled_runs))

# %% [markdown]
# ## 4. Harder data: the `medium` preset
#
# `medium` adds textures, lets the background reuse the object's colours, and makes objects
# smaller and often off-centre (notebook 01 shows how much harder GrabCut finds it). Each family
# was trained on it with three seeds (β = 1, 2,000 steps); the figure shows seed 0.

# %%
medium = shipped.grid("medium", betas=(1,))
rows_medium = shipped.evaluations(medium)
print(shipped.markdown_table(shipped.summarise(rows_medium)))
print(f"object area of real medium images: {rows_medium[0]['real_area']:.2f}")
smallest = float(ShapesDataset("medium", 32, "test", 1000).arrays(progress=False)["mask"].mean((1, 2)).min())
print(f"smallest real medium object: {smallest:.1%} of the image")
for r in rows_medium:
    print(f"{nets.FAMILY_NAMES[r['family']]:7s} medium, seed {r['seed']}: {r['all_background']:.0%} of the masks "
          f"all 0, {r['all_foreground']:.0%} all 1")
plots.snapshots({f"{nets.FAMILY_NAMES[f]}, β = 1 (medium, seed 0)": shipped.run(f"{f}-medium-b1", seed=0) / "final.png"
                 for f in FAMILIES}, size=3.6)
plt.show()

# %% [markdown]
# On `medium` the paper's failure shows up. Trivial masks appear in **every** family: whole
# images whose mask is all 0 (the background layer paints the complete picture) or all 1 (the
# foreground layer does). The smallest real object covers 2.6 % of the image, more than the 1 %
# cut, so no real mask would count. Π2's seed 0 has a trivial mask on most samples (41 % all 0,
# 32 % all 1): of our runs trained from an ordinary start, the closest to the paper's Figure 2.
# Π1 has all-black masks too, ComGAN all-white ones. The oracle finds about as much object in
# the composites as in real images (0.12-0.14 against 0.11): the discriminator is satisfied by
# pictures one layer paints alone.
#
# The mean trivial share orders the families as the paper predicts, ComGAN lowest and Π2
# highest, but it varies more between the seeds of one family than between the families (the ±
# in the table), so three seeds do not rank them. On textured scenes painting a whole image
# with one generator is about as easy as painting a layer, and once a layer does, Lemma 1
# freezes the mask.

# %%
med = {f: [r for r in rows_medium if r["family"] == f] for f in FAMILIES}
claims.holds(all(sorted(r["seed"] for r in med[f]) == [0, 1, 2] for f in FAMILIES) and
             all((c["beta"], c["steps"]) == (1.0, 2000) for c in map(shipped.read_config, medium)),
             "medium: three seeds per family, β = 1, 2,000 steps")
med_summary = {s["family"]: s for s in shipped.summarise(rows_medium)}
claims.holds(all(max(r["trivial"] for r in med[f]) >= 0.05 for f in FAMILIES), "trivial masks in every family")
claims.about(smallest, 0.026, "the smallest real medium object covers 2.6 %", digits=3)
claims.check(smallest, ">", compose.TRIVIAL_LOW, "more than the 1 % cut")
p2 = next(r for r in med["pi2"] if r["seed"] == 0)
claims.check(p2["trivial"], ">", 0.5, "Π2 seed 0: a trivial mask on most samples")
claims.about(p2["all_background"], 0.41, "41 % all 0")
claims.about(p2["all_foreground"], 0.32, "32 % all 1")
claims.holds(max(r["all_background"] for r in med["pi1"]) > 0.05, "Π1 has all-black masks")
claims.holds(max(r["all_foreground"] for r in med["comgan"]) > 0.05, "ComGAN has all-white ones")
areas = [med_summary[f]["oracle_area"]["mean"] for f in FAMILIES]
claims.about(min(areas), 0.12, "oracle area from 0.12 ..."), claims.about(max(areas), 0.14, "... to 0.14")
claims.about(rows_medium[0]["real_area"], 0.11, "against 0.11 in real images")
means = {f: med_summary[f]["trivial"]["mean"] for f in FAMILIES}
claims.holds(means["comgan"] < means["pi1"] < means["pi2"], "mean trivial share: ComGAN lowest, Π2 highest",
             detail=", ".join(f"{f} {v:.2f}" for f, v in means.items()))
claims.holds(max(med_summary[f]["trivial"]["std"] for f in FAMILIES) > max(means.values()) - min(means.values()),
             "seeds of one family vary more than the families' means")

# %% [markdown]
# ## 5. The T1 trap at 32 px, seed 0 up close
#
# Notebook 02 puts a generator **at** T1: a learnable bias on $M$'s last convolution, starting
# at $-8$ (`--mask-init-logit -8`), makes every mask pixel start at $\sigma(-8)$, so only $x_b$
# is visible. Adam scales each step by the gradient's running size, so it can climb out of a
# saturated sigmoid if the gradient keeps its sign. Here are Π2 and ComGAN from that start,
# seed 0, both β, 2,000 steps ("escaped": fewer than half of the masks trivial from then on).

# %%
trap = [shipped.run(f"{f}-easy-b{b:g}", 0, "start-t1") for f in ("comgan", "pi2") for b in (0.1, 1)]
trap_logs = {f"{nets.FAMILY_NAMES[shipped.read_config(p)['family']]}, β = {shipped.read_config(p)['beta']:g}":
             [shipped.read_log(p)] for p in trap}
fig = plots.training_curves(trap_logs, keys=("mask_mean", "trivial", "grad_mask_params"), smooth=1)
fig.axes[2].set_yscale("log")
plt.show()
escaped, trap_rows = {}, dict(zip(trap_logs, shipped.evaluations(trap)))
for label, p in zip(trap_logs, trap):
    log = shipped.read_log(p)
    escaped[label] = shipped.left_t1_at(p)   # fewer than half of the masks trivial from then on
    r = trap_rows[label]
    print(f"{label:15s} " + (f"escaped from step {escaped[label]}" if escaped[label] else "never escaped") +
          f"; mean mask at most {max(row['mask_mean'] for row in log):.3f}; at the end faithfulness "
          f"{r['iou']:.2f} (best of two {r['iou_best_of_two']:.2f}), trivial share {r['trivial']:.2f}")
plots.snapshots({label: p / "final.png" for label, p in zip(trap_logs, trap)})
plt.show()

# %% [markdown]
# - **Π2 stays at T1** at both β. Its mean mask creeps up to at most 0.01-0.02, then falls back,
#   and at the end 90-100 % of its masks are all 0, like the empty masks of the paper's Figure 2,
#   though this run was put at T1, not driven there. The background generator paints the whole
#   image, object included, and the foreground layer is noise that nobody ever sees. Yet $g_M$
#   is *not* small after the first 50 steps.
# - **ComGAN walks out** at both β, faster at β = 1 (from step 300 against 1,100), and ends
#   with masks that outline the object (best of two 0.76 and 0.98).

# %%
pi2_labels, cg_labels = ("Π2, β = 0.1", "Π2, β = 1"), ("ComGAN, β = 0.1", "ComGAN, β = 1")
claims.holds(all((c["mask_init_logit"], c["steps"], c["seed"], c["log_every"]) == (-8.0, 2000, 0, 50)
                 for c in map(shipped.read_config, trap)), "start logit -8, 2,000 steps, seed 0, a log every 50 steps")
pi2_peak = [max(row["mask_mean"] for row in trap_logs[k][0]) for k in pi2_labels]
claims.holds(all(escaped[k] is None for k in pi2_labels), "Π2 never escapes, at both β")
claims.holds([round(v, 2) for v in pi2_peak] == [0.01, 0.02], "Π2's mean mask at most 0.01 and 0.02")
claims.holds(sorted(round(trap_rows[k]["all_background"], 2) for k in pi2_labels) == [0.90, 1.00],
             "90 % and 100 % of Π2's masks all 0 at the end")
trap_gm = {k: shipped.window_means(trap_logs[k][0], 50, 2001, ("grad_mask_params",))["grad_mask_params"] for k in pi2_labels}
claims.holds(all(v > 1 for v in trap_gm.values()), "Π2's g_M is not small after step 50 (mean over steps 50-2,000)",
             detail=", ".join(f"{v:.2f}" for v in trap_gm.values()))
claims.holds([escaped[k] for k in cg_labels] == [1100, 300], "ComGAN escapes from step 1,100 (β = 0.1) and 300 (β = 1)")
claims.holds([round(trap_rows[k]["iou_best_of_two"], 2) for k in cg_labels] == [0.76, 0.98],
             "ComGAN ends at best of two 0.76 and 0.98")

# %% [markdown]
# ### Why is $g_M$ not small in the trapped Π2?
#
# At $s = -8$ Lemma 1's factor $m(1-m)$ is about $3\cdot10^{-4}$. The trap runs log three more
# numbers every 50 steps, from the adversarial gradient at the logits
# $\partial L_{\text{adv}}/\partial s = m(1-m)\,\partial L_{\text{adv}}/\partial m$
# (`compose.logit_gradient_stats`):
#
# - its norm, and the share of its square that the 1 % of pixels with the largest gradient carry;
# - the *opening share*: the part of its square on pixels where a gradient step raises $m$;
# - the cosine between $g_M$'s direction and its direction 50 steps earlier: near 0 means the
#   mask network is pushed somewhere new every time.
#
# The printout averages steps 50-500, before either model has left T1 for good.

# %%
trap_keys = ("grad_mask_params", "grad_logits", "top1_share", "opening_share", "grad_mask_cosine")
trap_windows = {label: shipped.window_means(log[0], 50, 500, trap_keys) for label, log in trap_logs.items()}
for label, w in trap_windows.items():
    print(f"{label:15s} g_M {w['grad_mask_params']:.2f} = {w['grad_mask_params'] / w['grad_logits']:3.0f}"
          f" × ‖∂L/∂s‖ {w['grad_logits']:.3f}; top 1 % of pixels carry {w['top1_share']:.2f}; "
          f"opening share {w['opening_share']:.2f}; cosine to 50 steps before {w['grad_mask_cosine']:+.2f}")
plots.training_curves(trap_logs, keys=("top1_share", "opening_share", "grad_mask_cosine"), smooth=5)
plt.show()

# %% [markdown]
# What the numbers say:
#
# - **Lemma 1 holds pixel by pixel.** $\lVert\partial L_{\text{adv}}/\partial s\rVert$ is about
#   0.01 in all four runs, and the 1 % of pixels with the largest gradient carry 87-100 % of
#   its square. In the left panel ComGAN's gradient spreads out as its mask opens (0.53-0.78
#   on the top 1 % over the last 500 steps), while Π2's stays on that 1 % to the end.
# - **$g_M$ is large anyway because of what it sums over.** For the same logit gradient, Π2's
#   $g_M$ (1.9-2.8 here) is about 190 times $\lVert\partial L/\partial s\rVert$, ComGAN's 53-63
#   times: a small signal at a few pixels, carried back through a whole trunk, is a large
#   parameter gradient. The size of $g_M$ does not say whether a mask is learning.
# - **The discriminator pushes as many pixels shut as open.** The opening share is
#   0.47-0.56 in every run, ComGAN's included, so the sign of the pixel gradient does not tell
#   the models apart.
# - **Its direction over time partly does.** At β = 0.1 ComGAN's $g_M$ keeps its direction from
#   one log to the next (cosine +0.23) while Π2's does not (0.00): a random walk, which Adam
#   cannot turn into progress. At β = 1 the gap is small (+0.09 against +0.05), yet ComGAN
#   escaped by step 300: a consistent direction is part of the story, not all of it. That
#   leaves *where* the gradient lies.

# %%
w = trap_windows
tail = {label: shipped.window_means(log[0], 1500, 2001, ("top1_share",))["top1_share"] for label, log in trap_logs.items()}
ratio = {k: v["grad_mask_params"] / v["grad_logits"] for k, v in w.items()}
claims.about(1 / (1 + np.exp(8)) * (1 - 1 / (1 + np.exp(8))), 3e-4, "m(1 - m) at s = -8 is about 3e-4", digits=4)
claims.between(min(v["grad_logits"] for v in w.values()), 0.005, 0.02, "‖∂L/∂s‖ about 0.01: lowest ...")
claims.between(max(v["grad_logits"] for v in w.values()), 0.005, 0.02, "... and highest")
claims.about(min(v["top1_share"] for v in w.values()), 0.87, "top 1 % carry from 0.87 ...")
claims.about(max(v["top1_share"] for v in w.values()), 1.00, "... to 1.00")
claims.holds([round(tail[k], 2) for k in cg_labels] == [0.53, 0.78] and min(tail[k] for k in pi2_labels) > 0.95,
             "last 500 steps on the top 1 %: ComGAN 0.53-0.78, Π2 still above 0.95",
             detail=", ".join(f"{k} {v:.2f}" for k, v in tail.items()))
claims.holds([round(w[k]["grad_mask_params"], 1) for k in pi2_labels] == [1.9, 2.8], "Π2's g_M 1.9-2.8")
claims.holds(all(185 <= ratio[k] <= 195 for k in pi2_labels), "Π2: about 190 times")
claims.holds([round(ratio[k]) for k in cg_labels] == [53, 63], "ComGAN: 53-63 times")
claims.about(min(v["opening_share"] for v in w.values()), 0.47, "opening share from 0.47 ...")
claims.about(max(v["opening_share"] for v in w.values()), 0.56, "... to 0.56")
claims.holds([f"{w[k]['grad_mask_cosine']:+.2f}" for k in ("ComGAN, β = 0.1", "Π2, β = 0.1", "ComGAN, β = 1", "Π2, β = 1")]
             in (["+0.23", "+0.00", "+0.09", "+0.05"], ["+0.23", "-0.00", "+0.09", "+0.05"]),
             "cosines +0.23 vs 0.00 (β = 0.1), +0.09 vs +0.05 (β = 1)")

# %% [markdown]
# ### Where in the image does the trapped mask's gradient point?
#
# `bench/trap_gradient.py` trained the four trap runs again to steps 50-500 (training is
# deterministic: the script checks that the new logs equal the shipped ones). At each step it
# split $\partial L_{\text{adv}}/\partial s$ on the fixed evaluation batch by the pixels the
# oracle calls object in each composite, and stored the result with each run
# (`gradient_regions.json`). At T1 the composite is $x_b$, so "the object" is the one the
# background layer paints. If the gradient were spread anywhere, the object's share of
# $\lVert\partial L/\partial s\rVert^2$ would match its share of the image. Figure: left, the
# object's share of the gradient (dots) and of the pixels (dotted); right, the mean mask on
# the object (dots) and off it (dotted), on a log scale.

# %%
regions = {label: json.loads((p / "gradient_regions.json").read_text()) for label, p in zip(trap_logs, trap)}
plots.gradient_on_object(regions)
plt.show()
region_means = {}
for label, region_rows in regions.items():   # not `rows`: exercise 1 reads the grid's rows
    late = [r for r in region_rows if r["step"] >= 200]
    m = region_means[label] = {k: float(np.mean([r[k] for r in late])) for k in ("area", "gradient_share", "opening_share_in")}
    m.update(first=late[0]["mask_in"], last=late[-1]["mask_in"], contrast=late[-1]["mask_in"] / late[-1]["mask_out"])
    print(f"{label:15s} steps 200-500: the object is {m['area']:.2f} of the pixels and gets "
          f"{m['gradient_share']:.2f} of ‖∂L/∂s‖² ({m['gradient_share'] / m['area']:.1f}×); "
          f"opening share on it {m['opening_share_in']:.2f}; mean mask on it {m['first']:.3f} "
          f"→ {m['last']:.3f}, {m['contrast']:.0f}× the mask off it")

# %% [markdown]
# Both families point their gradient at the object, ComGAN far more sharply:
#
# - **Π2's mask network finds the object too.** By step 500 its mask is more than ten times
#   higher on the object than off it, and the object gets about four times its share of the
#   image in gradient (both of Π2's generators read the same $z$).
# - **ComGAN's gradient lies almost entirely on the object** from step 300 on (from 200 at
#   β = 1): over 90 % of it on about 16 % of the pixels, against about 60 % for Π2.
# - **The sign on the object is still a coin flip** in both (opening share 0.47-0.52), so no
#   single step opens the mask there.
# - **What differs is what happens next.** At step 100 Π2's mask on the object (about 0.03-0.04,
#   right panel) is above both ComGAN runs'; at β = 0.1 it then drops back. At β = 1 ComGAN's
#   rises from 0.05 to 0.37 between steps 200 and 500, hundreds of times its value off the
#   object. At β = 0.1 both are at 0.024 at step 500, ComGAN's 52 times its value off the
#   object, Π2's 14. Beyond step 500 the mask is logged only as a whole-image mean (first figure).
#
# Our reading: the trap is escaped by a gradient that keeps pushing the same pixels. In ComGAN
# the gradient sits on the object $B$ paints from the shared features, which $M$ reads too, so
# each step works on the same place; Π2's is spread wider and, at β = 0.1, changes direction.
# One seed per setting, six steps, one batch: this describes four runs, it proves no mechanism.

# %%
rm = region_means
claims.holds(all([r["step"] for r in v] == [50, 100, 200, 300, 400, 500] for v in regions.values()),
             "measured at six steps, 50 to 500")
claims.holds(all(regions[k][-1]["step"] == 500 and rm[k]["contrast"] > 10 for k in pi2_labels),
             "Π2 at step 500: mask more than ten times higher on the object",
             detail=", ".join(f"{rm[k]['contrast']:.0f}×" for k in pi2_labels))
claims.holds(all(3.5 <= rm[k]["gradient_share"] / rm[k]["area"] <= 4.5 for k in pi2_labels),
             "Π2: the object gets about four times its share in gradient")
claims.holds(all(r["gradient_share"] > 0.9 for k in cg_labels for r in regions[k]
                 if r["step"] >= (300 if k == cg_labels[0] else 200)) and
             min(r["gradient_share"] for r in regions[cg_labels[0]] if r["step"] == 200) < 0.9,
             "ComGAN: over 90 % on the object from step 300 (β = 0.1), 200 (β = 1)")
claims.between(np.mean([rm[k]["area"] for k in cg_labels]), 0.15, 0.17, "on about 16 % of the pixels")
claims.holds(all(0.55 <= rm[k]["gradient_share"] <= 0.65 for k in pi2_labels), "about 60 % for Π2")
claims.about(min(rm[k]["opening_share_in"] for k in rm), 0.47, "opening share on the object from 0.47 ...")
claims.about(max(rm[k]["opening_share_in"] for k in rm), 0.52, "... to 0.52")
cg1 = rm["ComGAN, β = 1"]
claims.about(cg1["first"], 0.05, "ComGAN β = 1: mask on the object 0.05 at step 200 ...")
claims.about(cg1["last"], 0.37, "... 0.37 at step 500")
claims.check(cg1["contrast"], ">", 100, "hundreds of times its value off the object")
claims.holds(round(rm["ComGAN, β = 0.1"]["last"], 3) == round(rm["Π2, β = 0.1"]["last"], 3) == 0.024,
             "β = 0.1 at step 500: 0.024 on the object in both")
claims.holds([round(rm[k]["contrast"]) for k in ("ComGAN, β = 0.1", "Π2, β = 0.1")] == [52, 14], "52 against 14 times")

# %% [markdown]
# ## 6. A stronger discriminator, a wider generator
#
# Would a stronger critic, or generators with more room to paint a whole image in one layer,
# push Π2 into a trivial solution? Two probes per family, each against the grid's `easy`,
# β = 0.1, seed 0 run: the discriminator twice as wide (`--ndf 64`), and the generator's trunk
# twice as wide (`--width 256`, every layer of $\Phi$, and in Π2 of each of its three trunks).
# Both are kept in `data/runs-logs/`.

# %%
probes = {"grid (ndf 32, width 128)": "", "ndf 64": "ndf64", "width 256": "width256"}
d_size = {n: nets.count_parameters(nets.Discriminator(32, ndf=n)) / 1e6 for n in (32, 64)}
print("discriminator: " + ", ".join(f"{d_size[n]:.2f} M parameters at ndf {n}" for n in (32, 64)))
g_size, probe_rows = {}, {}
for family in ("comgan", "pi2"):
    g_size[family] = [nets.count_parameters(nets.make_generator(family, 32, width=w)) / 1e6 for w in (128, 256)]
    print(f"{nets.FAMILY_NAMES[family]}: generator {g_size[family][0]:.2f} M parameters at width 128, "
          f"{g_size[family][1]:.2f} M at 256")
    for label, probe in probes.items():
        r = probe_rows[family, probe] = shipped.read_eval(shipped.run(f"{family}-easy-b0.1", 0, probe))
        print(f"  {label:25s} best of two {r['iou_best_of_two']:.2f}, trivial {r['trivial']:.2f}, "
              f"soft {r['soft_share']:.2f}, g_M {r['grad_mask_params']:.1f}, {r['minutes']:.0f} min")
plots.snapshots({f"{nets.FAMILY_NAMES[f]}, width 256": shipped.run(f"{f}-easy-b0.1", 0, "width256") / "final.png"
                 for f in ("comgan", "pi2")})
plt.show()

# %% [markdown]
# The wider discriminator has about four times the parameters, the wider generators nearly
# three times. Neither probe walks into a trivial solution: the trivial share stays 0.00 and
# $g_M$ stays above 1. With the wider discriminator ComGAN's best of two rose (0.66 to 0.86) and
# Π2's did not (0.38 to 0.30). With the wider generator both kept soft masks (soft share 1.00)
# and ComGAN's best of two fell (0.66 to 0.29), as if the bigger model needs more than 2,000
# steps; the snapshots show grey shadings with a dark outline over two layers that both draw the
# object. One seed each: probes, not results. Neither a weak critic nor a small generator seems
# to be what keeps Π2 out of the trap on `easy`.

# %%
claims.holds([(shipped.read_config(shipped.run(f"{f}-easy-b0.1", 0, v))[k]) for f in ("comgan", "pi2")
              for v, k in (("ndf64", "ndf"), ("width256", "width"))] == [64, 256, 64, 256], "the probes: ndf 64, width 256")
claims.about(d_size[64] / d_size[32], 4, "the wider discriminator: about four times the parameters", digits=0)
claims.holds(all(2.5 <= g_size[f][1] / g_size[f][0] < 3 for f in g_size), "the wider generators: nearly three times",
             detail=", ".join(f"{g_size[f][1] / g_size[f][0]:.1f}×" for f in g_size))
claims.check(max(r["trivial"] for r in probe_rows.values()), "<", 0.005, "trivial share 0.00 in every probe")
claims.check(min(r["grad_mask_params"] for r in probe_rows.values()), ">", 1, "g_M above 1 in every probe")
claims.holds([round(probe_rows["comgan", p]["iou_best_of_two"], 2) for p in ("", "ndf64")] == [0.66, 0.86],
             "ComGAN with ndf 64: 0.66 to 0.86")
claims.holds([round(probe_rows["pi2", p]["iou_best_of_two"], 2) for p in ("", "ndf64")] == [0.38, 0.30],
             "Π2 with ndf 64: 0.38 to 0.30")
claims.holds(all(round(probe_rows[f, "width256"]["soft_share"], 2) == 1.00 for f in g_size), "width 256: soft share 1.00")
claims.about(probe_rows["comgan", "width256"]["iou_best_of_two"], 0.29, "ComGAN's best of two fell to 0.29")

# %% [markdown]
# ## Summary
# - On `easy` at 32 px no Π1 or Π2 run has a trivial mask after 2,000 steps (3 seeds × 2 β),
#   nor at any milestone of the long runs (up to 8,000 steps at β = 1, 16,000 at β = 0.1).
# - In the grid's curves $g_M$ stayed between 2.3 and 9.0 after step 500. It also falls when a good mask turns
#   binary, so read it beside $\lVert\partial L/\partial m\rVert$, the soft and trivial shares.
# - How long a faithful mask takes depends on the seed as much as on the family. Three of Π2's
#   six long runs stalled with soft grey masks, none of ComGAN's or Π1's.
# - On `medium`, trivial masks appear in every family; the seeds spread too wide to rank them.
# - Started at T1, Π2 stayed there and ComGAN walked out. Π2's $g_M$ stays large because a few
#   pixels carry gradient back through a whole trunk; its gradient finds the object but is
#   spread wider than ComGAN's.
# - A twice as wide discriminator or generator gave no trivial masks either (one seed each).

# %%
claims.check(max(r["trivial"] for r in every), "<", 0.005, "no trivial mask at any milestone")
claims.holds(max(last.values()) == 16000 and max(v for k, v in last.items() if k[0] == "b1") == 8000,
             "long runs up to 8,000 (β = 1) and 16,000 (β = 0.1) steps")
claims.about(min(map(min, late_gm)), 2.3, "g_M between 2.3 ...", digits=1)
claims.about(max(map(max, late_gm)), 9.0, "... and 9.0", digits=1)
claims.holds(len(stalled_runs) == 3, "three of Π2's six long runs stalled")

# %% [markdown]
# ## Exercises
# Each exercise has a cell that checks your answer. Replace `None` and run the cell.
#
# **1.** Using `rows` (the shipped 32 px `easy` grid of section 1, both β, all three families),
# which family (`"pi1"`, `"pi2"` or `"comgan"`) has the lowest mean best-of-two faithfulness after
# 2,000 steps?

# %% tags=["exercise"]
answer_1 = None
exercises.check_slowest_family(answer_1, rows)

# %% tags=["solution"]
family_means = {f: np.mean([r["iou_best_of_two"] for r in rows if r["family"] == f]) for f in FAMILIES}
answer_1 = min(family_means, key=family_means.get)
exercises.verify(exercises.check_slowest_family, answer_1, "comgan", rows)

# %% [markdown]
# **2.** Section 3's rule says a metric stopped moving from the earliest milestone whose value,
# with every later one, fits inside a band, if that holds for at least three milestones. The
# report used a band 0.05 wide for the best of two. With a stricter band, 0.02 wide, from which
# step did the best of two of Π1, seed 1, β = 0.1 stop moving? Its milestones are
# `shipped.read_milestones(shipped.run("pi1-easy-b0.1", 1, "12000"))`.

# %% tags=["exercise"]
milestones_2 = shipped.read_milestones(shipped.run("pi1-easy-b0.1", 1, "12000"))
answer_2 = None
exercises.check_settling_step(answer_2, milestones_2, 0.02)

# %% tags=["solution"]
answer_2 = next(r["step"] for i, r in enumerate(milestones_2)
                if np.ptp([x["iou_best_of_two"] for x in milestones_2[i:]]) <= 0.02 and len(milestones_2) - i >= 3)
exercises.verify(exercises.check_settling_step, answer_2, 7000, milestones_2, 0.02)

# %% [markdown]
# ### Check yourself
# - A Π2 run ends with best of two 0.48, soft share 1.00 and trivial share 0.00. Is it in a
#   trivial solution? What is it doing instead?
# - In the trap, Π2's $g_M$ per unit of $\lVert\partial L/\partial s\rVert$ is far larger than
#   ComGAN's. Why, and what does that say about comparing $g_M$ across families?
# - In both trapped families most of the mask gradient lies on the object. Why does ComGAN's
#   mask open there and Π2's not?

# %% [markdown] tags=["solution"]
# **Answers to "Check yourself"**
# - No: a trivial mask is all 0 or all 1 on an image, and none of its images is. It is a soft
#   blend: every mask pixel stays grey (soft share 1.00) over two layers that both draw the
#   object, so the composite looks right without a decomposition. Section 3's stalled Π2 seeds
#   look like this, and only the soft share and the faithfulness reveal them.
# - $g_M$ is the gradient norm at all of the mask network's parameters. Π2's mask network is a
#   whole trunk plus its head, ComGAN's is the M head alone, so the same signal at the logits,
#   carried back through many more parameters, gives a larger norm. Heights of $g_M$ curves are
#   not comparable across families; their shapes over time are.
# - The sign on the object is a coin flip in both (opening share about 0.5), so one step opens
#   nothing. In ComGAN $F$ and $M$ read the same features $B$ uses to paint the visible object,
#   so the gradient keeps working on the same pixels and keeps its direction (cosine +0.23 at
#   β = 0.1), and Adam turns that into progress. Π2's gradient is spread wider, and at β = 0.1
#   its direction changes from one log to the next (cosine 0.00), so its steps cancel out. At
#   β = 1 the cosines are close (+0.09 against +0.05), so direction alone does not explain it.
#
# Back to [02 · Trivial solutions](02_trivial_solutions.ipynb), or on to
# [03 · ComGAN](03_comgan.ipynb).
