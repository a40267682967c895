"""Networks: the shared-trunk ComGAN generator, the two older families Pi1 / Pi2, a DCGAN-style D.

Every generator maps z (B, z_dim) to a dict

    image       (B, 3, H, W) in [-1, 1]   the composite x = m * x_f + (1 - m) * x_b  (eq. 1 / eq. 2)
    fg, bg      (B, 3, H, W) in [-1, 1]   the layers x_f, x_b
    mask        (B, 1, H, W) in [0, 1]    m = sigmoid(s)
    mask_logits (B, 1, H, W)              s, kept so training code can log gradients at the mask

The three families differ only in what is shared (paper section 3.1, Remark 1):

    ComGAN  phi = Phi(z);      x_f = F(phi),    x_b = B(phi),    m = M(phi)
    Pi1     phi = Phi_fm(z);   x_f = F(phi),    x_b = B(Phi_b(z)), m = M(phi)    FineGAN-like
    Pi2     x_f = F(Phi_f(z)), x_b = B(Phi_b(z)), m = M(Phi_m(z))         PerturbGAN/CGN-like

Matching across families (the paper does not match parameter counts; we say what we do): every
trunk has the same width and every head the same architecture, so Pi1 has about 2x and Pi2 about
3x the trunk parameters of ComGAN.  What changes is only the wiring, which is what Corollary 1 is
about.  `parameter_table` prints the counts.

Blocks follow the official code (method.md 2.1): GLU everywhere, nearest upsampling, 3x3 convs
without bias, BatchNorm; default PyTorch init for generators, orthogonal init for D.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from .compose import compose

# Default configurations.  32 px: method.md 8.1 without DS-ComGAN's fusion and codes.  64 px:
# the 8.2 trunk with the cheap heads of 8.2's last paragraph (mid width 16, one residual block);
# pass head_width=32, n_res=2, n_res_mask=1 for 8.2's heavier heads (ComGAN 0.95 G instead of
# 0.30 G MACs per sample; at 32 px the default ComGAN needs 65 M, Pi1 93 M, Pi2 122 M).
CONFIGS = {
    32: dict(width=128, head_width=16, n_res=1, n_res_mask=0),  # trunk 128x4x4 -> 16x32x32
    64: dict(width=256, head_width=16, n_res=1, n_res_mask=0),  # trunk 256x4x4 -> 16x64x64
    128: dict(width=512, head_width=32, n_res=3, n_res_mask=0),  # the paper's (method.md 2.2-2.3)
}
FAMILIES = ("comgan", "pi1", "pi2")
FAMILY_NAMES = {"comgan": "ComGAN", "pi1": "Π1", "pi2": "Π2", "dscomgan": "DS-ComGAN"}  # as printed


# ------------------------------------------------------------------------------------------------
# Building blocks (method.md 2.1)

class GLU(nn.Module):
    """Gated linear unit over channels: split (a, g) and return a * sigmoid(g).  2c -> c."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, g = x.chunk(2, dim=1)
        return a * torch.sigmoid(g)


def same_block(cin: int, cout: int) -> nn.Sequential:
    """conv3x3 (no bias) -> BN -> GLU.  (B, cin, H, W) -> (B, cout, H, W)."""
    return nn.Sequential(
        nn.Conv2d(cin, 2 * cout, 3, 1, 1, bias=False),  # cin x H x W -> 2cout x H x W
        nn.BatchNorm2d(2 * cout),
        GLU(),                                           # 2cout -> cout
    )


def up_block(cin: int, cout: int) -> nn.Sequential:
    """Nearest x2 upsample, then a same_block.  (B, cin, H, W) -> (B, cout, 2H, 2W)."""
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"),     # H x W -> 2H x 2W
        nn.Conv2d(cin, 2 * cout, 3, 1, 1, bias=False),  # cin -> 2cout, 2H x 2W
        nn.BatchNorm2d(2 * cout),
        GLU(),                                           # 2cout -> cout
    )


class ResBlock(nn.Module):
    """y = x + BN(conv(GLU(BN(conv(x))))), no activation after the sum.  (B, c, H, W) kept."""

    def __init__(self, c: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c, 2 * c, 3, 1, 1, bias=False),  # c -> 2c
            nn.BatchNorm2d(2 * c),
            GLU(),                                      # 2c -> c
            nn.Conv2d(c, c, 3, 1, 1, bias=False),      # c -> c
            nn.BatchNorm2d(c),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ImgOut(nn.Module):
    """conv3x3 (no bias) -> tanh.  (B, c, H, W) -> (B, 3, H, W) in [-1, 1]."""

    def __init__(self, c: int):
        super().__init__()
        self.conv = nn.Conv2d(c, 3, 3, 1, 1, bias=False)  # c -> 3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.conv(x))


class MaskOut(nn.Module):
    """conv3x3 (no bias) -> sigmoid.  (B, c, H, W) -> mask (B, 1, H, W) and its logits s.

    Lemma 1: dL/ds = m (1 - m) dL/dm, so a saturated mask (T1) stops its own gradient.
    """

    def __init__(self, c: int):
        super().__init__()
        self.conv = nn.Conv2d(c, 1, 3, 1, 1, bias=False)  # c -> 1

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s = self.conv(x)
        return torch.sigmoid(s), s


# ------------------------------------------------------------------------------------------------
# Feature generator Phi and the heads F, B, M

class Trunk(nn.Module):
    """Feature generator Phi (FineGAN's "SimpleGAN" generator, method.md 2.2): z -> phi.

    Channels halve at every up block: width x 4 x 4 -> (width / 2^k) x size x size, with
    k = log2(size / 4) up blocks.
    Corollary 1: "the capacity of Phi is enough", so it holds the bulk of the parameters.
    """

    def __init__(self, z_dim: int = 64, size: int = 32, width: int = 128):
        super().__init__()
        n_up = int(math.log2(size // 4))
        if 4 * 2 ** n_up != size or width % 2 ** n_up:
            raise ValueError(f"need size = 4 * 2^k and width divisible by 2^k, got {size}, {width}")
        self.width = width
        self.fc = nn.Sequential(
            nn.Linear(z_dim, 2 * width * 16, bias=False),  # z_dim -> 2 width 4 4
            nn.BatchNorm1d(2 * width * 16),
            GLU(),                                          # -> width 4 4 (reshaped in forward)
        )
        # 4x4 -> 8x8 -> ... -> size x size, width -> width/2 -> ... -> width / 2^n_up
        self.ups = nn.ModuleList(up_block(width >> i, width >> (i + 1)) for i in range(n_up))
        self.out_channels = width >> n_up

    def forward(self, z: torch.Tensor, taps: bool = False):
        """phi (B, out_channels, size, size); with taps=True, the list of every up block's output
        (coarsest first), e.g. for DS-ComGAN's fusion of the last three."""
        x = self.fc(z).view(z.shape[0], self.width, 4, 4)  # (B, width, 4, 4)
        acts = []
        for up in self.ups:                                 # each: H x W -> 2H x 2W, C -> C/2
            x = up(x)
            acts.append(x)
        return acts if taps else x


def _head_body(cin: int, mid: int, n_res: int) -> nn.Sequential:
    """Same cin->mid -> n_res x Res(mid) -> Same mid->mid/2 (method.md 2.3); H x W kept."""
    return nn.Sequential(
        same_block(cin, mid),                          # cin -> mid
        *[ResBlock(mid) for _ in range(n_res)],        # mid -> mid
        same_block(mid, mid // 2),                     # mid -> mid/2
    )


class ImageHead(nn.Module):
    """F or B: a light head (Corollary 1: "F and B are lightweight and differentiable").
    (B, cin, H, W) -> (B, 3, H, W) in [-1, 1].  F and B share this architecture, not weights."""

    def __init__(self, cin: int, mid: int = 16, n_res: int = 1):
        super().__init__()
        self.body = _head_body(cin, mid, n_res)  # cin -> mid/2
        self.out = ImgOut(mid // 2)              # mid/2 -> 3

    def forward(self, phi: torch.Tensor) -> torch.Tensor:
        return self.out(self.body(phi))


class MaskHead(nn.Module):
    """M: the shallow head (Corollary 1: "M is a shallow network", fewer residual blocks than F/B,
    so its output follows changes in phi).  (B, cin, H, W) -> mask, logits (B, 1, H, W)."""

    def __init__(self, cin: int, mid: int = 16, n_res: int = 0):
        super().__init__()
        self.body = _head_body(cin, mid, n_res)  # cin -> mid/2
        self.out = MaskOut(mid // 2)             # mid/2 -> 1

    def forward(self, phi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.out(self.body(phi))


def _result(fg: torch.Tensor, bg: torch.Tensor, mask: torch.Tensor, logits: torch.Tensor) -> dict:
    return dict(image=compose(fg, bg, mask), fg=fg, bg=bg, mask=mask, mask_logits=logits)


# ------------------------------------------------------------------------------------------------
# The three generator families

class ComGAN(nn.Module):
    """ComGAN (eq. 2, Fig. 1): one trunk Phi, three light heads reading the same phi = Phi(z).

    Theorem 1 / Corollary 1: because F, B and M share phi, the adversarial gradient through F and B
    keeps moving Phi, hence M's input, so the mask cannot sit still at a trivial solution.
    """

    mask_parts = ("mask",)

    def __init__(self, z_dim: int = 64, size: int = 32, width: int = 128, head_width: int = 16,
                 n_res: int = 1, n_res_mask: int = 0):
        super().__init__()
        self.z_dim, self.size = z_dim, size
        self.trunk = Trunk(z_dim, size, width)             # z -> phi (C x size x size)
        c = self.trunk.out_channels
        self.fg = ImageHead(c, head_width, n_res)          # phi -> x_f
        self.bg = ImageHead(c, head_width, n_res)          # phi -> x_b
        self.mask = MaskHead(c, head_width, n_res_mask)    # phi -> m, s

    def forward(self, z: torch.Tensor) -> dict:
        phi = self.trunk(z)                         # (B, C, size, size), read by F, B and M
        m, s = self.mask(phi)
        return _result(self.fg(phi), self.bg(phi), m, s)


class Pi1(nn.Module):
    """Family Pi1 (Remark 1, first case: Phi is the identity for B only; FineGAN, C3-GAN,
    Labels4Free): F and M share a trunk, B has its own full trunk and head."""

    mask_parts = ("mask",)

    def __init__(self, z_dim: int = 64, size: int = 32, width: int = 128, head_width: int = 16,
                 n_res: int = 1, n_res_mask: int = 0):
        super().__init__()
        self.z_dim, self.size = z_dim, size
        self.fm_trunk = Trunk(z_dim, size, width)          # z -> phi, shared by F and M
        self.bg_trunk = Trunk(z_dim, size, width)          # z -> background features (own path)
        c = self.fm_trunk.out_channels
        self.fg = ImageHead(c, head_width, n_res)
        self.bg = ImageHead(c, head_width, n_res)
        self.mask = MaskHead(c, head_width, n_res_mask)

    def forward(self, z: torch.Tensor) -> dict:
        phi = self.fm_trunk(z)                      # (B, C, size, size), read by F and M
        m, s = self.mask(phi)
        bg = self.bg(self.bg_trunk(z))              # z -> own features -> x_b
        return _result(self.fg(phi), bg, m, s)


class Pi2(nn.Module):
    """Family Pi2 (Remark 1, second case: Phi is the identity; PerturbGAN, CGN): three independent
    generators, each a full trunk plus one head.  They see the same z."""

    mask_parts = ("mask_trunk", "mask")

    def __init__(self, z_dim: int = 64, size: int = 32, width: int = 128, head_width: int = 16,
                 n_res: int = 1, n_res_mask: int = 0):
        super().__init__()
        self.z_dim, self.size = z_dim, size
        self.fg_trunk = Trunk(z_dim, size, width)
        self.bg_trunk = Trunk(z_dim, size, width)
        self.mask_trunk = Trunk(z_dim, size, width)
        c = self.fg_trunk.out_channels
        self.fg = ImageHead(c, head_width, n_res)
        self.bg = ImageHead(c, head_width, n_res)
        self.mask = MaskHead(c, head_width, n_res_mask)

    def forward(self, z: torch.Tensor) -> dict:
        m, s = self.mask(self.mask_trunk(z))        # z -> own features -> m, s
        fg = self.fg(self.fg_trunk(z))              # z -> own features -> x_f
        bg = self.bg(self.bg_trunk(z))              # z -> own features -> x_b
        return _result(fg, bg, m, s)


# ------------------------------------------------------------------------------------------------
# DS-ComGAN (Section 3.2, method.md 3.1): codes f and b choose the foreground and background

class Fuse(nn.Module):
    """The learned up-sampling U of eq. 5: nearest x k, then a same_block.  (B, c, H, W) ->
    (B, c/2, kH, kW)."""

    def __init__(self, c: int, k: int):
        super().__init__()
        self.up = nn.Upsample(scale_factor=k, mode="nearest")  # H x W -> kH x kW
        self.block = same_block(c, c // 2)                      # c -> c/2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(self.up(x))


class CodedImageHead(nn.Module):
    """F(phi, f) or B(phi, b): the code's one-hot vector tiled over the image, in front of phi
    (method.md 3.1, step 4).  (B, cin, H, W), (B, N) -> (B, 3, H, W)."""

    def __init__(self, cin: int, n_codes: int, mid: int, n_res: int):
        super().__init__()
        self.head = ImageHead(cin + n_codes, mid, n_res)  # [tile(code); phi] -> image

    def forward(self, phi: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        planes = code[:, :, None, None].expand(-1, -1, *phi.shape[-2:])  # (B, N, H, W)
        return self.head(torch.cat([planes, phi], dim=1))


class DSComGAN(nn.Module):
    """DS-ComGAN's generator (eq. 5-6, Fig. 3): z -> trunk; the auxiliary image x_z from the last
    up block; phi = U(a2) + U(a1) + a3 (channel concatenation, eq. 5); x_f = F(phi, f),
    x_b = B(phi, b), m = M(phi) (no code: the mask depends on z only).

    32 px, width 128: a1 64x8x8, a2 32x16x16, a3 16x32x32; U(a1) 32x32x32, U(a2) 16x32x32;
    phi 64x32x32.
    """

    mask_parts = ("mask",)

    def __init__(self, z_dim: int = 64, size: int = 32, width: int = 128, n_codes: int = 8,
                 head_width: int = 32, n_res: int = 2, n_res_mask: int = 1,
                 global_features: bool = True):
        super().__init__()
        self.z_dim, self.size, self.n_codes = z_dim, size, n_codes
        self.global_features = global_features
        self.trunk = Trunk(z_dim, size, width)
        if len(self.trunk.ups) < 3:
            raise ValueError("DS-ComGAN fuses the last three up blocks: size must be >= 32")
        c3 = self.trunk.out_channels                  # a3 channels (16 at width 128)
        c = c3
        if global_features:  # Table 2, "+ Extract global features": x_z and multi-scale phi
            self.aux = ImgOut(c3)                     # a3 -> x_z
            self.fuse1 = Fuse(4 * c3, 4)              # a1 (4 c3, H/4) -> (2 c3, H)
            self.fuse2 = Fuse(2 * c3, 2)              # a2 (2 c3, H/2) -> (c3, H)
            c = 4 * c3                                # phi: c3 + 2 c3 + c3
        self.fg = CodedImageHead(c, n_codes, head_width, n_res)
        self.bg = CodedImageHead(c, n_codes, head_width, n_res)
        self.mask = MaskHead(c, head_width, n_res_mask)

    def features(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """phi (B, 4 c3, H, W) and the auxiliary image x_z (B, 3, H, W); without global
        features, phi = a3 (B, c3, H, W) and no x_z."""
        a1, a2, a3 = self.trunk(z, taps=True)[-3:]
        if not self.global_features:
            return a3, None
        phi = torch.cat([self.fuse2(a2), self.fuse1(a1), a3], dim=1)  # eq. 5
        return phi, self.aux(a3)

    def forward(self, z: torch.Tensor, f: torch.Tensor, b: torch.Tensor) -> dict:
        """z (B, z_dim); f, b (B,) code indices in [0, n_codes).  Returns image (eq. 6), fg, bg,
        mask, mask_logits and x_z."""
        phi, x_z = self.features(z)
        m, s = self.mask(phi)
        fg = self.fg(phi, nn.functional.one_hot(f, self.n_codes).float())
        bg = self.bg(phi, nn.functional.one_hot(b, self.n_codes).float())
        out = _result(fg, bg, m, s)
        if x_z is not None:
            out["x_z"] = x_z
        return out


def make_generator(family: str, size: int = 32, width: int | None = None,
                   head_width: int | None = None, n_res: int | None = None,
                   n_res_mask: int | None = None, z_dim: int = 64) -> nn.Module:
    """Build "comgan", "pi1" or "pi2" at 32 or 64 px; None takes the value from CONFIGS[size]."""
    cls = {"comgan": ComGAN, "pi1": Pi1, "pi2": Pi2}.get(family.lower())
    if cls is None:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    cfg = _settings(CONFIGS, size, width=width, head_width=head_width, n_res=n_res,
                    n_res_mask=n_res_mask)
    return cls(z_dim=z_dim, size=size, **cfg)


def _settings(configs: dict, size: int, **given) -> dict:
    """configs[size] with every setting given (not None) taking its place."""
    if size not in configs:
        raise ValueError(f"size must be one of {tuple(configs)}, got {size}")
    return {**configs[size], **{k: v for k, v in given.items() if v is not None}}


def add_mask_bias(generator: nn.Module, logit: float) -> nn.Module:
    """Give M's last conv a learnable bias that starts at ``logit``: with -8 every mask pixel
    starts at sigmoid(-8) = 0.0003, i.e. the generator starts *at* the trivial solution T1
    (the trap experiment of notebook 02).  Changes the architecture: one extra parameter."""
    conv = generator.mask.out.conv
    conv.bias = nn.Parameter(torch.full((conv.out_channels,), float(logit)))
    return generator


DS_CONFIGS = {32: dict(width=128, head_width=32, n_res=2, n_res_mask=1),
              64: dict(width=256, head_width=32, n_res=2, n_res_mask=1),
              128: dict(width=512, head_width=128, n_res=2, n_res_mask=1)}   # the paper's (method.md 3.1)


def make_ds_generator(size: int = 32, n_codes: int = 8, global_features: bool = True,
                      width: int | None = None, head_width: int | None = None,
                      n_res: int | None = None, n_res_mask: int | None = None,
                      z_dim: int = 64) -> DSComGAN:
    """DS-ComGAN at 32 or 64 px; None takes the value from DS_CONFIGS[size] (the official
    ratios scaled down: F/B two residual blocks, M one, method.md 3.1)."""
    cfg = _settings(DS_CONFIGS, size, width=width, head_width=head_width, n_res=n_res,
                    n_res_mask=n_res_mask)
    return DSComGAN(z_dim=z_dim, size=size, n_codes=n_codes, global_features=global_features, **cfg)


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters (BatchNorm affine included, running stats not)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def parameter_table(generator: nn.Module) -> dict[str, int]:
    """{part: n_params} for every child (trunk(s), fg, bg, mask), plus "total"."""
    table = {name: count_parameters(child) for name, child in generator.named_children()}
    table["total"] = count_parameters(generator)
    return table


def get_mask_parameters(generator: nn.Module) -> list[nn.Parameter]:
    """Parameters of the mask network, for g_M = ||grad_theta_M L_G|| of Fig. 4 (method.md 6.2):
    the M head for ComGAN and Pi1, the whole mask generator (trunk + head) for Pi2."""
    return [p for part in generator.mask_parts for p in getattr(generator, part).parameters()]


# ------------------------------------------------------------------------------------------------
# Discriminator (method.md 2.4, scaled down as in 8.1 / 8.2)

class Discriminator(nn.Module):
    """DCGAN-style D: conv4x4 stride 2 down to 4x4, one conv3x3, then heads that return LOGITS
    (use BCE-with-logits; the official code applies a sigmoid and BCE, which is the same loss).

    32 px, ndf 32: 3x32x32 -> 32x16x16 -> 64x8x8 -> 128x4x4 -> 128x4x4 -> 1.
    64 px adds one level (ndf * 8 = 256 channels at 4x4).
    n_classes > 0 adds a class head, a conv4x4 valid -> n_classes logits (method.md 8.1's D_f/D_b
    form of the InfoGAN posterior q(f | x_f) of eq. 8); ask for it with forward(x, classes=True).
    spectral_norm wraps every conv (off in the paper; BatchNorm is kept either way).
    batch_norm=False drops every BatchNorm (the segmentation stage's D_m, appendix A3).
    """

    def __init__(self, size: int = 32, ndf: int = 32, in_ch: int = 3, n_classes: int = 0,
                 spectral_norm: bool = False, batch_norm: bool = True):
        super().__init__()
        n_down = int(math.log2(size // 4))
        if 4 * 2 ** n_down != size:
            raise ValueError(f"size must be 4 * 2^k, got {size}")
        layers: list[nn.Module] = []
        cin = in_ch
        for i in range(n_down):                      # each: H x W -> H/2 x W/2
            cout = ndf << min(i, 3)                  # ndf, 2ndf, 4ndf, 8ndf, 8ndf (128 px)
            layers.append(nn.Conv2d(cin, cout, 4, 2, 1, bias=False))
            if i > 0 and batch_norm:                 # first layer has no BatchNorm
                layers.append(nn.BatchNorm2d(cout))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            cin = cout
        layers += [nn.Conv2d(cin, cin, 3, 1, 1, bias=False),  # C x 4 x 4 -> C x 4 x 4
                   nn.BatchNorm2d(cin) if batch_norm else nn.Identity(), nn.LeakyReLU(0.2, inplace=True)]
        self.features = nn.Sequential(*layers)
        self.out_channels = cin
        self.adv = nn.Conv2d(cin, 1, 4, 1, 0)        # C x 4 x 4 -> 1 x 1 x 1: real/fake logit
        self.cls = nn.Conv2d(cin, n_classes, 4, 1, 0) if n_classes > 0 else None  # -> K x 1 x 1
        self.apply(_init_d)
        if spectral_norm:  # after the init, so the power iteration starts from the final weights
            for conv in [m for m in self.modules() if isinstance(m, nn.Conv2d)]:
                nn.utils.parametrizations.spectral_norm(conv)

    def forward(self, x: torch.Tensor, classes: bool = False):
        """x (B, in_ch, size, size) -> logits (B,); with classes=True, (logits (B,), (B, K))."""
        h = self.features(x)                          # (B, C, 4, 4)
        logits = self.adv(h).flatten()                # (B,)
        if not classes:
            return logits
        if self.cls is None:
            raise ValueError("this discriminator was built with n_classes=0")
        return logits, self.cls(h).flatten(1)         # (B,), (B, K)


@torch.no_grad()
def _init_d(m: nn.Module) -> None:
    """Official D init: orthogonal (gain 1) conv and linear weights, zero biases,
    BatchNorm gamma ~ N(1, 0.02) and beta = 0."""
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.orthogonal_(m.weight, gain=1.0)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


# ------------------------------------------------------------------------------------------------
# Segmenter (method.md 4.1, scaled down as in 8.1): a small U-Net with a sigmoid output

def double_conv(cin: int, cout: int) -> nn.Sequential:
    """[conv3x3 -> BN -> ReLU] x 2.  (B, cin, H, W) -> (B, cout, H, W)."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """U-Net segmenter S: image (B, 3, H, W) in [-1, 1] -> mask logits (B, 1, H, W).

    widths (16, 32, 64): 32x32 -> 16x16 -> 8x8 and back, with skips; about 0.13 M parameters.
    Apply torch.sigmoid to the output for the mask (the official S ends in a sigmoid).
    """

    def __init__(self, widths: tuple[int, ...] = (16, 32, 64)):
        super().__init__()
        self.down = nn.ModuleList()
        cin = 3
        for w in widths:                               # level i: H/2^i x W/2^i
            self.down.append(double_conv(cin, w))
            cin = w
        self.up, self.merge = nn.ModuleList(), nn.ModuleList()
        for w in reversed(widths[:-1]):                # nearest x2 + conv halves, then merge skip
            self.up.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                                         nn.Conv2d(cin, w, 3, 1, 1), nn.BatchNorm2d(w),
                                         nn.ReLU(inplace=True)))
            self.merge.append(double_conv(2 * w, w))
            cin = w
        self.out = nn.Conv2d(cin, 1, 1)                # w x H x W -> 1 x H x W logits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else nn.functional.max_pool2d(x, 2))  # halve, then convs
            skips.append(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips[:-1])):
            x = merge(torch.cat([up(x), skip], dim=1))  # upsample, concat skip, convs
        return self.out(x)

    @torch.no_grad()
    def predict(self, images: torch.Tensor, batch: int = 256) -> torch.Tensor:
        """Soft masks (N, 1, H, W) in [0, 1] for images (N, 3, H, W) in [-1, 1], BatchNorm in
        eval mode (the module's mode is restored afterwards)."""
        was = self.training
        self.eval()
        out = torch.cat([torch.sigmoid(self(images[i:i + batch])) for i in range(0, len(images), batch)])
        self.train(was)
        return out
