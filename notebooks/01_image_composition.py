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
# # 01 · Image composition: Assumption 1
#
# *comgan-lite, a teaching series on compositional GANs.* &nbsp; Next: [02 · Trivial solutions](02_trivial_solutions.ipynb)
#
# ## Learning goals
# - State Assumption 1 of ComGAN (Ding et al., NeurIPS 2022), the alpha-blend
#   $x = m \odot x_f + (1-m) \odot x_b$, and check it on images whose layers we know.
# - See why splitting an image into foreground, background and mask is **ambiguous**: many
#   different triples $(x_f, x_b, m)$ make exactly the same image.
# - Recognise the two **trivial solutions**, T1 (degenerate mask) and T2 (identical layers), and
#   read the diagnostics that detect them in every later notebook.
# - Derive the gradient that reaches the mask, $\partial L/\partial m = \sum_c \partial L/\partial x_c\,(x_f - x_b)_c$,
#   check it with autograd, and see the two ways it vanishes (Lemma 1).
#
# ## Prerequisites
# Python, NumPy and a first look at PyTorch tensors and autograd. No GAN knowledge is needed yet.
# This is the first notebook of the series.
#
# ## Time
# Quick mode and full mode are the same here: under a minute of computing on a 2-core laptop
# CPU (about 10 s measured), and 30-45 minutes of reading and playing.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from comgan_lite import baselines, claims, compose, exercises, losses, metrics, plots, runtime, widgets
from comgan_lite.data import ShapesDataset, images_to_tensor
from comgan_lite.emoji import EmojiDataset

print(runtime.setup_notebook(seed=0))

# %% [markdown]
# ## 1. An image is a blend of two layers
#
# ComGAN rests on one modelling assumption (the paper's Assumption 1, eq. 1). An image $x$ is
# made of a **foreground** layer $x_f$, a **background** layer $x_b$ and a **mask**
# $m \in [0,1]$ that says, pixel by pixel, how much of the foreground shows:
#
# $$x = m \odot x_f + (1 - m) \odot x_b .$$
#
# $\odot$ multiplies pixel by pixel; the one-channel mask is shared by the three colour channels.
# Where $m = 1$ we see the foreground, where $m = 0$ the background, and in between (at
# anti-aliased edges, fur, glass) a mix.
#
# Real photos do not come with their layers. Our procedural dataset does: every image is
# *rendered* by eq. 1, and each item carries its foreground layer, background layer, soft mask
# (`alpha`) and the ground-truth mask `alpha > 0.5`. Let us look at a few, and rebuild each
# image from its layers.

# %%
scenes = ShapesDataset("easy", size=64, split="train")
items = [scenes[i] for i in range(5)]
rows = [[it[k] if k != "alpha" else it[k][0] for it in items] for k in ("fg", "bg", "alpha", "image")]
plots.image_grid(rows, row_titles=["x_f", "x_b", "m", "x"], size=1.4)
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
rebuilt = [compose.compose(it["fg"], it["bg"], it["alpha"]) for it in items]
error = max(float((r - it["image"]).abs().max()) for r, it in zip(rebuilt, items))
print("compose(x_f, x_b, m) rebuilds all 5 images (error below 1e-5):", error < 1e-5)

# %% [markdown]
# **What to notice.** The foreground layer is defined everywhere (it is the object's paint,
# even outside its outline), and so is the background (it continues behind the object). Only
# the mask decides what shows. Rebuilding with `compose` gives back the image up to float
# rounding, so these images satisfy Assumption 1 exactly.
#
# ### Three difficulty presets, and sprites closer to the paper's photos
# The dataset has three presets built from a few knobs: textures on or off, the chance that the
# background reuses the object's colour, object size, and how far the object may sit from the
# centre. To tell how hard each one is, we run **GrabCut**, a classical segmenter that needs no
# training (we give it a fixed central rectangle), and measure its **IoU** with the true mask,
# $|P \cap G| / |P \cup G|$, per image.

# %%
n_eval = 100
preset_rows, titles, grabcut_iou = [], [], {}
for preset in ("easy", "medium", "hard"):
    data = ShapesDataset(preset, size=64, split="test", n=n_eval).arrays(cache=False, progress=False)
    predicted = baselines.grabcut(data["image"].transpose(0, 2, 3, 1))
    score = grabcut_iou[preset] = float(metrics.iou(predicted, data["mask"]).mean())
    preset_rows.append(list(images_to_tensor(data["image"][:8])))
    titles.append(f"{preset}\nGrabCut IoU {score:.2f}")
emoji = EmojiDataset(size=64, split="test", n=8)
preset_rows.append([emoji[i]["image"] for i in range(8)])
titles.append("emoji")
plots.image_grid(preset_rows, row_titles=titles, size=1.2)
plt.show()

# %% [markdown]
# **What to notice.** On `easy` (flat colours, object and background from different palettes)
# GrabCut finds most objects; on `hard` (textures, a background that reuses the object's colours,
# small objects far from the centre) it fails on many. The last row composites emoji birds,
# flowers and cars (Noto Color Emoji, Apache-2.0) on procedural backgrounds and on photos of
# grass, gravel and brick; it is our stand-in for the paper's CUB birds, Flowers and Cars, which
# cannot be shipped here.

# %%
claims.check(grabcut_iou["easy"], ">", 0.5, "on easy GrabCut finds most objects")
claims.holds(grabcut_iou["hard"] < grabcut_iou["medium"] < grabcut_iou["easy"],
             "GrabCut does worse as the preset gets harder",
             ", ".join(f"{k} {v:.2f}" for k, v in grabcut_iou.items()))

# %% [markdown]
# ## 2. Try it: compose an image yourself
#
# Pick a foreground layer, a background layer and a mask. Change the mask's size and soften its
# edge: the composite on the right follows eq. 1 at once. Try the two "all ones / all zeros"
# masks: the composite is then one layer alone.

# %%
composer = widgets.Composer(items)
composer.widget

# %% [markdown]
# *Reading this on the web, where widgets do not run?* Here is what the composer shows for a
# star-shaped mask with a soft edge:

# %%
state = composer.render(foreground=2, background=0, mask="star", mask_scale=0.8, softness=2.0)
plots.image_row([state["fg"], state["bg"], state["mask"][0], state["composite"]],
                ["x_f (object 2)", "x_b (scene 0)", "m (star, soft)", "x"])
plt.show()

# %% [markdown]
# ## 3. Decomposition is ambiguous
#
# A compositional GAN turns the problem around: it *generates* $x_f$, $x_b$ and $m$ and shows
# only the composite $x$ to a discriminator. But many triples give the same image. For one
# image from above we build four:
#
# | triple | $x_f$ | $x_b$ | $m$ |
# |---|---|---|---|
# | **true** | the object's paint | the scene behind | the object's outline |
# | **too big** | the image itself | the true background | the outline grown by 6 pixels |
# | **T1** | the image itself | anything (here: noise) | all ones |
# | **T2** | the image itself | the image itself | anything (here: a random blob) |

# %%
image, fg, bg, alpha = items[0]["image"], items[0]["fg"], items[0]["bg"], items[0]["alpha"]
grown = (compose.feather(alpha, 3.0) > 0.02).float()      # the outline, grown by a few pixels
noise = torch.rand(3, 64, 64, generator=torch.Generator().manual_seed(0)) * 2 - 1
blob = (compose.feather((torch.rand(1, 64, 64, generator=torch.Generator().manual_seed(1)) > 0.5).float(), 4.0) > 0.5).float()
triples = {"true": (fg, bg, alpha), "too big": (image, bg, grown),
           "T1": (image, noise, torch.ones_like(alpha)), "T2": (image, image, blob)}
rows = [[f, b, m[0], compose.compose(f, b, m)] for f, b, m in triples.values()]
plots.image_grid(rows, row_titles=list(triples), col_titles=["x_f", "x_b", "m", "composite"], size=1.4)
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
for name, (f, b, m) in triples.items():
    error = float((compose.compose(f, b, m) - image).abs().max())
    print(f"{name:>8}: composite equals the image (error below 1e-5): {error < 1e-5}")

# %% [markdown]
# **What to notice.** All four composites are the same image, up to float rounding. A discriminator that sees only composites cannot prefer the
# true triple. Only the "true" row has a mask that segments the object: the "too big" mask
# includes a ring of background, T1's mask says "everything is foreground", and T2's mask is an
# arbitrary blob that has nothing to do with the picture.
#
# ## 4. The two trivial solutions, and how to detect them
#
# The paper (after PerturbGAN) names the two failures of compositional generators:
#
# - **T1, degenerate mask**: $m \approx 1$ everywhere (or $\approx 0$): one layer paints the whole
#   image and the other is ignored. The model is then a plain GAN.
# - **T2, identical layers**: $x_f \approx x_b$: the composite equals either layer whatever $m$
#   is, so the mask can be anything.
#
# Every later notebook tracks three numbers per batch (`comgan_lite.compose.diagnostics`):
# the **per-image trivial share**, the **soft-pixel share** (pixels with $m(1-m) \ge 0.01$) and
# the **layer difference** $\overline{|x_f - x_b|}$. One definition serves the whole series:
#
# > An image's mask is **trivial** when its mean is below 0.01 or above 0.99: fewer than 1 % of
# > its pixels on one side. It is **nearly trivial** when its mean is below 0.05 or above 0.95.
#
# The smallest real object covers 6 % of an `easy` image, so no real mask is even nearly
# trivial. The share is counted per image because a batch can mix all-0 and all-1 masks and
# still average 0.4. Here are the three numbers for 64 images decomposed in the true way and in
# the two trivial ways.

# %%
batch = [scenes[i] for i in range(64)]
X, XF, XB, A = (torch.stack([it[k] for it in batch]) for k in ("image", "fg", "bg", "alpha"))
half = (torch.arange(64) % 2).view(-1, 1, 1, 1).float()     # T1 can also mix all-1 and all-0 masks
decompositions = {
    "true": compose.diagnostics(XF, XB, A),
    "T1": compose.diagnostics(X, torch.rand_like(X) * 2 - 1, half * torch.ones_like(A)),
    "T2": compose.diagnostics(X, X, torch.rand_like(A)),
}
keys = {"trivial": "per-image trivial share", "soft_share": "soft-pixel share",
        "layer_difference": "layer difference mean |x_f - x_b|"}
fig, axes = plt.subplots(1, 3, figsize=(9, 2.6))
for ax, (key, title) in zip(axes, keys.items()):
    ax.bar(list(decompositions), [d[key] for d in decompositions.values()], color=["tab:green", "tab:red", "tab:orange"])
    ax.set_title(title, fontsize=10)
fig.tight_layout()
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print(f"trivial: mean mask below {compose.TRIVIAL_LOW} or above {compose.TRIVIAL_HIGH}; "
      f"nearly trivial: below {compose.NEAR_TRIVIAL_LOW} or above {compose.NEAR_TRIVIAL_HIGH}")
for name, d in decompositions.items():
    print(f"{name:>5}: " + ", ".join(f"{k} {d[k]:.2f}" for k in keys))
smallest_object = float(A.mean((1, 2, 3)).min())

# %% [markdown]
# **What to notice.** The true decomposition has no trivial images, a few soft pixels (the
# anti-aliased edges) and layers that differ. T1 is caught by the per-image trivial share (1.0:
# every image is all-foreground or all-background, although the *batch* mean mask is 0.5). T2
# is caught by the layer difference, which is exactly 0; its mask can look like anything
# (here uniform noise, so almost every pixel is "soft").

# %%
claims.check(smallest_object, ">", compose.NEAR_TRIVIAL_LOW, "no real mask is even nearly trivial")
claims.check(decompositions["true"]["trivial"], "==", 0, "the true decomposition has no trivial images")
claims.check(decompositions["T1"]["trivial"], "==", 1, "T1: every image's mask is trivial")
claims.check(decompositions["T2"]["layer_difference"], "==", 0, "T2: the layer difference is exactly 0")

# %% [markdown]
# ## 5. Lemma 1: where the mask's gradient comes from
#
# A generator learns from the gradient of its loss $L$ (computed by the discriminator from the
# composite $x$). How much of that gradient reaches the mask? Write eq. 1 per channel $c$ and
# pixel $p$: $x_{c,p} = m_p\, x_{f,c,p} + (1-m_p)\, x_{b,c,p}$. The mask reaches the loss only
# through $x$, so by the chain rule
#
# $$\frac{\partial L}{\partial m_p} \;=\; \sum_c \frac{\partial L}{\partial x_{c,p}}\,\frac{\partial x_{c,p}}{\partial m_p}
# \;=\; \sum_c \frac{\partial L}{\partial x_{c,p}}\,\bigl(x_{f,c,p} - x_{b,c,p}\bigr).$$
#
# The mask network ends in a sigmoid, $m = \sigma(s)$, with $\sigma'(s) = m(1-m)$, so the
# gradient that reaches its last layer is
#
# $$\frac{\partial L}{\partial s_p} = m_p (1 - m_p)\,\frac{\partial L}{\partial m_p}.$$
#
# Two ways for it to vanish, one per trivial solution (the paper's Lemma 1):
# - **T2**: if $x_f = x_b$, the factor $(x_f - x_b)$ is 0 at every pixel: $\partial L/\partial m = 0$
#   *whatever* the discriminator says.
# - **T1**: if $m$ is saturated at 0 or 1, then $m(1-m) \approx 0$ and $\partial L/\partial s \approx 0$
#   however large $\partial L/\partial m$ is. (And with $m \equiv 1$, $\partial L/\partial x_b = (1-m)\,\partial L/\partial x = 0$:
#   the background gets no signal either.)
#
# Once a model is in either state, nothing in the adversarial loss pulls it out. Let us check
# the formula with autograd. We stand in for a discriminator with a small random convolutional
# network $D$ and use the generator's usual loss $L = -\log \sigma(D(x))$.

# %%
torch.manual_seed(0)
critic = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 4, 2, 1), torch.nn.LeakyReLU(0.2),
                             torch.nn.Conv2d(8, 1, 4, 2, 1), torch.nn.Flatten(), torch.nn.LazyLinear(1))


def generator_loss(x):
    return torch.nn.functional.softplus(-critic(x)).mean()      # -log sigmoid(D(x))


def mask_gradients(fg, bg, logits):
    """Autograd's dL/dm and dL/ds for a composite built from mask logits s."""
    logits = logits.clone().requires_grad_(True)
    m = torch.sigmoid(logits)
    m.retain_grad()
    generator_loss(compose.compose(fg, bg, m)).backward()
    return m.grad, logits.grad


logits = torch.where(A[:8] > 0.5, 3.0, -3.0)                   # a crisp but unsaturated mask: m = 0.05 or 0.95
x = compose.compose(XF[:8], XB[:8], torch.sigmoid(logits)).requires_grad_(True)
generator_loss(x).backward()
dm_formula = compose.mask_gradient(x.grad, XF[:8], XB[:8])
dm_autograd, ds_autograd = mask_gradients(XF[:8], XB[:8], logits)

# %%
# NBVAL_CHECK_OUTPUT
relative_error = float((dm_formula - dm_autograd).abs().max() / dm_autograd.abs().max())
print("formula and autograd agree (relative error below 1e-5):", relative_error < 1e-5)

# %% [markdown]
# The identity holds to float precision. Now the two vanishing cases, side by side with the
# healthy one. Each map shows $|\partial L/\partial s|$ at every pixel of one image, on one
# colour scale.

# %%
cases = {"healthy": (XF[:8], XB[:8], logits),
         "T2: x_f = x_b": (XB[:8], XB[:8], logits),
         "T1: saturated mask": (XF[:8], XB[:8], torch.where(A[:8] > 0.5, 20.0, -20.0))}
grads = {name: mask_gradients(*args)[1] for name, args in cases.items()}
vmax = float(grads["healthy"][0].abs().max())
fig, axes = plt.subplots(1, 3, figsize=(8, 2.9))
for ax, (name, g) in zip(axes, grads.items()):
    im = ax.imshow(g[0, 0].abs(), cmap="magma", vmin=0, vmax=vmax)
    ax.set_title(f"{name}\n‖dL/ds‖ = {float(g.norm()):.1e}", fontsize=9)
    ax.axis("off")
fig.colorbar(im, ax=axes, shrink=0.8)
plt.show()

# %% [markdown]
# **What to notice.** In the healthy case every pixel's logit gets some gradient: the
# critic's verdict, projected on $x_f - x_b$ and scaled by $m(1-m) \approx 0.05$. With identical
# layers the gradient is exactly zero. With a saturated mask (logits $\pm 20$) it is about
# $4\cdot10^{-8}$ times the healthy one: the ratio of the sigmoid's slopes,
# $m(1-m) \approx e^{-20} \approx 2\cdot10^{-9}$ at $\pm 20$ against $0.045$ at $\pm 3$.

# %%
ratio = float(grads["T1: saturated mask"].norm() / grads["healthy"].norm())
slopes = float((torch.sigmoid(torch.tensor(20.0)) * torch.sigmoid(torch.tensor(-20.0)))
               / (torch.sigmoid(torch.tensor(3.0)) * torch.sigmoid(torch.tensor(-3.0))))
print(f"saturated / healthy: {ratio:.1e}; ratio of the slopes m(1 - m): {slopes:.1e}")
claims.check(float(grads["T2: x_f = x_b"].norm()), "==", 0, "with identical layers the gradient is exactly zero")
claims.between(ratio, 3e-8, 5e-8, "a saturated mask's gradient is about 4e-8 times the healthy one")

# %% [markdown]
# Both collapses are gradual, not only at the extremes. Below we slide from the true layers
# towards identical layers ($x_f \to x_b$) and from a crisp mask towards a saturated one
# (multiplying the logits by $k$).

# %%
ts = np.linspace(0, 1, 11)
by_difference = [float(mask_gradients(XB[:8] + t * (XF[:8] - XB[:8]), XB[:8], logits)[1].norm()) for t in ts]
ks = np.array([0.25, 0.5, 1, 2, 4, 8])
by_saturation = [float(mask_gradients(XF[:8], XB[:8], k * logits)[1].norm()) for k in ks]
fig, axes = plt.subplots(1, 2, figsize=(9, 3))
axes[0].plot(ts, by_difference, "o-")
axes[0].set(xlabel="t in x_f = x_b + t (x_f,true - x_b)", ylabel="‖dL/ds‖", title="towards T2: layers become identical")
axes[1].semilogy(ks, by_saturation, "o-")
axes[1].set(xscale="log", xlabel="logit scale k (mask = sigmoid(k s))", ylabel="‖dL/ds‖", title="towards T1: the sigmoid saturates")
fig.tight_layout()
plt.show()

# %% [markdown]
# **What to notice.** The left curve is a straight line through 0: the mask gradient is
# proportional to how different the layers are. On the right, every doubling of the logits
# costs orders of magnitude: at $k = 8$ (logits $\pm 24$) the gradient is about $10^{-12}$,
# and at $k = 16$ it underflows to exactly 0 in 32-bit floats.

# %%
at_16 = float(mask_gradients(XF[:8], XB[:8], 16 * logits)[1].norm())
claims.between(by_saturation[-1], 1e-13, 1e-11, "at k = 8 the gradient is about 1e-12")
claims.check(at_16, "==", 0, "at k = 16 it underflows to exactly 0")

# %% [markdown]
# ### The binary regulariser pushes towards saturation
# The paper trains every model with an extra term $\beta L_\text{binary}$, the mean pixel-wise
# binary entropy $H(m) = -m\log_2 m - (1-m)\log_2(1-m)$ (eq. 11, from CGN), so that masks become
# crisp. Its gradient with respect to the logit is $m(1-m)\log_2\frac{1-m}{m}$: it pushes every
# pixel *away* from 0.5 and fades out at 0 and 1. It cannot tell a good crisp mask from a
# degenerate one, and at large $\beta$ it drives masks into exactly the saturation that blocks
# the adversarial gradient. Notebook 02 trains models with $\beta = 0.1$ and $\beta = 1$.

# %%
s = torch.linspace(-8, 8, 401, requires_grad=True)
entropy = losses.binary_entropy(torch.sigmoid(s), reduce=False)     # one value per "pixel"
entropy.sum().backward()                                            # s.grad = dH/ds
fig, ax = plt.subplots(figsize=(6, 2.8))
ax.plot(s.detach(), entropy.detach(), label="H(m), bits")
ax.plot(s.detach(), -s.grad, label="-dH/ds (the push)")
ax.axhline(0, color="gray", lw=0.5)
ax.set(xlabel="mask logit s", title="binary entropy: largest at m = 0.5, pushes away from it")
ax.legend()
plt.show()

# %% [markdown]
# ## Summary
# - Assumption 1 writes an image as $x = m \odot x_f + (1-m)\odot x_b$. Our procedural images
#   satisfy it exactly, and carry their layers and masks as ground truth.
# - The decomposition is **ambiguous**: a discriminator that only sees $x$ cannot tell the true
#   triple from a too-big mask or from the two trivial solutions.
# - **T1** (degenerate mask) shows in the per-image trivial share; **T2** (identical layers) in
#   the layer difference $\overline{|x_f - x_b|}$.
# - The mask's gradient is $\partial L/\partial m = \sum_c \partial L/\partial x_c\,(x_f-x_b)_c$, and
#   at the logit it carries a factor $m(1-m)$. It vanishes under T2 (exactly) and under T1
#   (through saturation): **Lemma 1**. A model that falls into either gets no signal to leave.
# - The binary regulariser makes masks crisp, but it also pushes towards saturation.
#
# Notebook 02 trains compositional GANs and watches exactly these quantities, to see whether two
# classic architectures fall into the trivial solutions the paper reports for them.
#
# ## Exercises
# Each exercise has a cell that checks your answer. Replace `None` and run the cell.
#
# **1.** Write a mask (a tensor of shape `1 x 64 x 64`) whose composite is exactly the
# background layer `bg`.

# %% tags=["exercise"]
answer_1 = None  # your mask here, e.g. built with torch.zeros / torch.ones
exercises.check_background_mask(answer_1, fg, bg)

# %% tags=["solution"]
answer_1 = torch.zeros(1, 64, 64)      # m = 0 keeps x_b at every pixel
exercises.verify(exercises.check_background_mask, answer_1, torch.ones(1, 64, 64), fg, bg)

# %% [markdown]
# **2.** For the loss $L = \sum_{c,p} x_{c,p}$ (the sum of all composite pixels), write
# $\partial L / \partial m$ for the layers `fg`, `bg` without autograd, as a `1 x 64 x 64` tensor.

# %% tags=["exercise"]
answer_2 = None  # your gradient here, using fg and bg
exercises.check_mask_gradient(answer_2, fg, bg)

# %% tags=["solution"]
answer_2 = (fg - bg).sum(0, keepdim=True)   # dL/dx = 1, so dL/dm = sum over c of (x_f - x_b)
exercises.verify(exercises.check_mask_gradient, answer_2, (bg - fg).sum(0, keepdim=True), fg, bg)

# %% [markdown]
# **3.** At which mask value $m$ is the sigmoid's slope $m(1-m)$ largest, and what is its value
# there? Answer a pair `(m, slope)`.

# %% tags=["exercise"]
answer_3 = None  # (m, slope)
exercises.check_sigmoid_peak(answer_3)

# %% tags=["solution"]
answer_3 = (0.5, 0.25)                   # d/dm (m - m^2) = 1 - 2m = 0
exercises.verify(exercises.check_sigmoid_peak, answer_3, (0.5, 0.5))

# %% [markdown]
# **4.** Three trained models report these diagnostics. Name the trivial solution of each:
# `"T1"`, `"T2"` or `"none"`.
#
# | model | trivial share | soft share | layer difference |
# |---|---|---|---|
# | A | 0.00 | 0.71 | 0.00 |
# | B | 0.97 | 0.01 | 0.42 |
# | C | 0.02 | 0.06 | 0.55 |

# %% tags=["exercise"]
answer_4 = None  # e.g. {"A": "...", "B": "...", "C": "..."}
exercises.check_trivial_kind(answer_4)

# %% tags=["solution"]
answer_4 = {"A": "T2", "B": "T1", "C": "none"}   # A: layers equal; B: 97 % trivial masks
exercises.verify(exercises.check_trivial_kind, answer_4, {"A": "T1", "B": "T2", "C": "none"})

# %% [markdown]
# ### Check yourself
# - Why does a soft edge (slide *edge softness* in the composer) not break Assumption 1?
# - In the "too big" triple, why is the composite unchanged although the mask covers background?
#   What would a discriminator need to see to prefer the true triple?
# - Lemma 1 says the adversarial gradient on the mask vanishes under T1 and T2. Can the
#   *binary regulariser's* gradient pull a model out of T1? (Look at its curve above.)

# %% [markdown] tags=["solution"]
# **Answers to "Check yourself"**
# - Assumption 1 allows any $m \in [0, 1]$: a soft edge blends the two layers at the object's
#   border, which is how anti-aliased real images look. The decomposition is still one object
#   layer, one scene layer and a mask that says where the object is.
# - Where the too-big mask covers background, $x_f$ was painted with the background's own
#   colours, so $m x_f + (1 - m) x_b$ is unchanged. A discriminator that sees only $x$ cannot
#   prefer the true triple; it would need to see the layers or the mask themselves (DS-ComGAN's
#   $D_z$ and notebook 05's mask discriminator look at such extra inputs).
# - No. Its push $m(1-m)\log_2\frac{1-m}{m}$ points away from 0.5, towards the nearer extreme,
#   and fades out as $m$ saturates; at T1 it holds the mask where it is.

# %% [markdown]
# Next: [02 · Trivial solutions](02_trivial_solutions.ipynb), where models Π1 and Π2 are trained and we
# measure whether, and when, they fall into these traps.
