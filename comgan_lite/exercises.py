"""Checkers for the notebooks' exercises.  Each returns True/False and prints a short verdict;
an unanswered exercise (``None``) only prints a reminder."""
from __future__ import annotations

import math

import torch

from . import metrics
from .compose import compose


def verify(check, right, wrong, *inputs) -> None:
    """Teachers' cells: ``check`` must accept the reference answer ``right`` and reject ``wrong``
    with a hint (the test suite runs every notebook's ``verify`` cells)."""
    import contextlib
    import io
    if check(right, *inputs) is not True:
        raise AssertionError(f"{check.__name__} rejects the reference answer {right!r}")
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        verdict = check(wrong, *inputs)
    if verdict is not False or "Hint:" not in said.getvalue():
        raise AssertionError(f"{check.__name__} does not reject the wrong answer {wrong!r} with a hint")
    shown = f"a {tuple(wrong.shape)} tensor" if torch.is_tensor(wrong) else repr(wrong)
    print(f"The checker rejects {shown} with: {said.getvalue().strip()}")


def _verdict(ok: bool, hint: str) -> bool:
    print("Correct!" if ok else f"Not yet. Hint: {hint}")
    return ok


def _unanswered(answer) -> bool:
    if answer is None:
        print("Not answered yet: replace None with your answer and run this cell again.")
        return True
    return False


def check_background_mask(answer, fg: torch.Tensor, bg: torch.Tensor) -> bool | None:
    """01, exercise 1: a mask whose composite is exactly the background."""
    if _unanswered(answer):
        return None
    answer = torch.as_tensor(answer, dtype=fg.dtype)
    try:
        ok = torch.allclose(compose(fg, bg, answer), bg)
    except RuntimeError:
        ok = False
    return _verdict(ok, "in eq. 1, which value of m removes x_f and keeps x_b at every pixel?")


def check_mask_gradient(answer, fg: torch.Tensor, bg: torch.Tensor) -> bool | None:
    """01, exercise 2: dL/dm for L = sum of all composite pixels (checked against autograd)."""
    if _unanswered(answer):
        return None
    m = torch.full((1, *fg.shape[-2:]), 0.5, requires_grad=True)
    compose(fg, bg, m).sum().backward()
    answer = torch.as_tensor(answer, dtype=fg.dtype)
    ok = answer.shape == m.grad.shape and torch.allclose(answer, m.grad, atol=1e-5)
    return _verdict(ok, "by eq. 1, how much does one composite pixel change when m grows at that "
                        "pixel? dL/dx is 1 everywhere; add up the three channels and keep a "
                        "1 x H x W shape")


def check_sigmoid_peak(answer) -> bool | None:
    """01, exercise 3: (mask value where m (1 - m) peaks, the peak value)."""
    if _unanswered(answer):
        return None
    try:
        m, peak = (float(a) for a in answer)
        ok = abs(m - 0.5) < 1e-3 and abs(peak - 0.25) < 1e-3
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, "answer a pair (m, slope); where does the derivative of m - m^2 vanish?")


def check_trivial_kind(answers) -> bool | None:
    """01, exercise 4: name the trivial solution ('T1', 'T2' or 'none') of models A, B, C."""
    if _unanswered(answers):
        return None
    expected = {"A": "T2", "B": "T1", "C": "none"}
    got = {k: str(v).strip().upper().replace("NONE", "none") for k, v in dict(answers).items()}
    wrong = [k for k in expected if got.get(k) != expected[k]]
    return _verdict(not wrong, f"look again at model(s) {', '.join(wrong)}: T1 shows in the "
                               "per-image trivial share, T2 in the layer difference")


def check_saturation_factor(answer) -> bool | None:
    """02, exercise 1: Lemma 1's factor m (1 - m) at the logit s = -8."""
    if _unanswered(answer):
        return None
    m = torch.sigmoid(torch.tensor(-8.0, dtype=torch.float64))
    expected = float(m * (1 - m))
    try:
        ok = abs(float(answer) - expected) < 0.02 * expected
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, "compute m = sigmoid(-8) first: how close to 0 is it, and what is 1 - m?")


def sgd_escape_steps(s0: float = -8.0, lr: float = 0.05, target: float = 0.0) -> int:
    """Plain gradient ascent on m = sigmoid(s), one logit from s0: steps until s >= target."""
    s, steps = s0, 0
    while s < target:
        m = 1.0 / (1.0 + math.exp(-s))
        s += lr * m * (1 - m)
        steps += 1
    return steps


def check_sgd_escape(answer) -> bool | None:
    """02, exercise 2: SGD steps (lr 0.05) for a logit to climb from -8 to 0 (m = 0.5);
    within 25% of the simulated count."""
    if _unanswered(answer):
        return None
    expected = sgd_escape_steps()
    try:
        ok = abs(float(answer) - expected) <= 0.25 * expected
    except (TypeError, ValueError):
        ok = False
    if ok:
        print(f"(simulated: {expected:,d} steps)")
    return _verdict(ok, "for s far below 0, m (1 - m) is about e^s, so ds/dt = lr e^s; "
                        "separate the variables and integrate from -8 to 0")


def check_slowest_family(answer, rows: list[dict]) -> bool | None:
    """02, exercise 3: the family ('pi1', 'pi2' or 'comgan') with the lowest mean best-of-two
    faithfulness on the shipped easy runs."""
    if _unanswered(answer):
        return None
    import numpy as np
    means = {f: np.mean([r["iou_best_of_two"] for r in rows if r["family"] == f])
             for f in {r["family"] for r in rows}}
    expected = min(means, key=means.get)
    return _verdict(str(answer).strip().lower() == expected,
                    "group the rows by family and average their best-of-two score")


def check_trunk_share(answer, table: dict[str, int]) -> bool | None:
    """03, exercise 1: the share of ComGAN's parameters in its trunk (a number in [0, 1])."""
    if _unanswered(answer):
        return None
    expected = table["trunk"] / table["total"]
    try:
        ok = abs(float(answer) - expected) < 0.005
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, "nets.parameter_table lists the parameters part by part; a share is one "
                        "part over the whole")


def check_inverted_faithfulness(answer, batch: dict) -> bool | None:
    """03, exercise 2: mean fixed-polarity IoU between the *inverted* mask 1 - m of ``batch`` and
    the oracle's prediction on its composites."""
    if _unanswered(answer):
        return None
    from . import evaluate, metrics
    seen = evaluate.oracle_model().predict(batch["image"]) > 0.5
    expected = float(metrics.iou(1 - batch["mask"], seen).mean())
    try:
        ok = abs(float(answer) - expected) < 0.005
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, "the oracle predicts a probability per pixel: threshold it at 0.5. Then "
                        "compare it with the inverted mask, image by image, and average")


def check_deep_mask_parameters(answer) -> bool | None:
    """03, exercise 3: parameters of the M head of a 32 px ComGAN with 2 residual blocks in M."""
    if _unanswered(answer):
        return None
    from .nets import count_parameters, make_generator
    expected = count_parameters(make_generator("comgan", 32, n_res_mask=2).mask)
    try:
        ok = int(answer) == expected
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, "build the generator with the setting the question names, then count the "
                        "parameters of its mask head only")


def check_coded_head_channels(answer, g) -> bool | None:
    """04, exercise 1: input channels of the first convolution of the foreground head F(phi, f)
    of generator ``g`` (phi's channels plus one constant plane per code)."""
    if _unanswered(answer):
        return None
    expected = g.features(torch.zeros(2, g.z_dim))[0].shape[1] + g.n_codes
    try:
        ok = int(answer) == expected
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, "eq. 5: F reads the trunk's features and the code. How many channels does "
                        "phi have (run g.features on a few z), and how many planes does a tiled "
                        "one-hot code add?")


def check_code_pairs(answer, n_codes: int) -> bool | None:
    """04, exercise 2: how many different (f, b) pairs training ever shows the generator, as a
    pair (with tied codes b = f, with independent codes)."""
    pending = answer is None or (isinstance(answer, (tuple, list)) and None in answer)
    if _unanswered(None if pending else answer):
        return None
    try:
        tied, independent = answer
        ok = int(tied) == n_codes and int(independent) == n_codes ** 2
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, "with b = f, how many choices are left once f is drawn? With independent "
                        "codes, f and b are drawn separately")


def check_change_rate(answer, g, classifier, which: str, factor: str, n: int = 128) -> bool | None:
    """04, exercise 3: the share of n fixed samples whose predicted ``factor`` changes when input
    ``which`` alone is resampled (factors.fixed_inputs / resample / predict, seed 2024)."""
    if _unanswered(answer):
        return None
    from . import factors, train
    inputs = factors.fixed_inputs(n, g.n_codes, g.z_dim, 2024)
    before = factors.predict(classifier, train.sample(g, *inputs)["image"])[factor]
    moved = factors.resample(inputs, which, g.n_codes, 2025)
    after = factors.predict(classifier, train.sample(g, *moved)["image"])[factor]
    expected = float((before != after).float().mean())
    try:
        ok = abs(float(answer) - expected) < 0.02
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, f"predict '{factor}' for the same fixed inputs before and after resampling "
                        f"{which!r} alone, and count how often the two predictions differ")


def check_polarity(answer, masks: torch.Tensor) -> bool | None:
    """05, exercise 1: is the object on the 0 side of these generator masks (centre vs border)?"""
    if _unanswered(answer):
        return None
    from .segment import object_is_inverted
    ok = isinstance(answer, bool) and answer == object_is_inverted(masks)
    return _verdict(ok, "compare the mean mask value in the centre of the image with that on its "
                        "border: the object covers more of the centre. Answer True or False")


def check_consistency_loss(answer, s, x_bar: torch.Tensor, m_bar: torch.Tensor,
                           lam: float = 2.0) -> bool | None:
    """05, exercise 2: lambda * mean |S(x_bar) - m_bar| (eq. 10)."""
    if _unanswered(answer):
        return None
    expected = lam * float((s.predict(x_bar) - m_bar).abs().mean())
    try:
        ok = abs(float(answer) - expected) < 1e-3
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, "eq. 10 is a mean absolute difference between S's prediction and the "
                        "generator's mask, scaled by lambda = 2; S.predict returns probabilities")


def check_largest_gain(answer, table: dict) -> bool | None:
    """05, exercise 3: the dataset where ds - cons IoU is largest."""
    if _unanswered(answer):
        return None
    gain = {d: t["ds"]["iou"] - t["cons"]["iou"] for d, t in table.items()}
    ok = answer == max(gain, key=gain.get)
    return _verdict(ok, "for each dataset, subtract the IoU of 'cons' from that of 'ds'; "
                        f"answer one of {sorted(table)}")


def _settled_at(rows: list[dict], key: str, tol: float, last: int = 2) -> int | None:
    """The first milestone step from which ``key`` stays inside a band ``tol`` wide until the
    end of the run, the band holding at least ``last`` + 1 milestones (None: still moving)."""
    for i, row in enumerate(rows):
        later = [r[key] for r in rows[i:]]
        if max(later) - min(later) <= tol:
            return row["step"] if len(later) > last else None
    return None


def check_settling_step(answer, milestones: list[dict], tol: float,
                        key: str = "iou_best_of_two") -> bool | None:
    """A1, exercise 2: the step from which a long run's ``key`` stopped moving by the settling
    rule (a band ``tol`` wide, kept to the last milestone, over at least three milestones)."""
    if _unanswered(answer):
        return None
    expected = _settled_at(milestones, key, tol)
    try:
        ok = int(answer) == expected
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, f"the rule compares every value from a milestone to the end of the run, not "
                        f"only neighbouring milestones: from your step on, do all values fit in a "
                        f"band {tol:g} wide, and from the milestone before it, do they not?")


def check_global_batch(answer, n_processes: int, per_process: int) -> bool | None:
    """06, exercise 1: the images one optimiser step sees under torchrun."""
    if _unanswered(answer):
        return None
    ok = isinstance(answer, (int, float)) and answer == n_processes * per_process
    return _verdict(ok, "under torchrun --batch-size is what each process draws; every process "
                        "contributes its share to the same averaged gradient")


def check_epoch_steps(answer, n_images: int, global_batch: int) -> bool | None:
    """06, exercise 2: optimiser steps per pass over a folder, the last partial batch dropped."""
    if _unanswered(answer):
        return None
    ok = isinstance(answer, (int, float)) and answer == n_images // global_batch
    return _verdict(ok, "how many whole global batches fit into the folder? (integer division)")


def check_folder_iou(answer, soft_masks: torch.Tensor, truth: torch.Tensor) -> bool | None:
    """06, exercise 3: the mean IoU of soft masks (thresholded at 0.5) against the truth."""
    if _unanswered(answer):
        return None
    iou = metrics.iou(soft_masks, truth > 0.5).mean()
    ok = isinstance(answer, (int, float)) and abs(answer - float(iou)) < 0.005
    return _verdict(ok, "threshold each soft mask at 0.5, then per image |mask AND truth| / "
                        "|mask OR truth|, then the mean over images")
