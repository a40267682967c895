"""Checkers for the notebooks' exercises.  Each returns True/False and prints a short verdict;
an unanswered exercise (``None``) only prints a reminder."""
from __future__ import annotations

import torch

from .compose import compose


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
    return _verdict(ok, "dL/dx is 1 at every pixel and channel; use the identity "
                        "dL/dm = sum over c of dL/dx * (x_f - x_b), keeping a 1 x H x W shape")


def check_sigmoid_peak(answer) -> bool | None:
    """01, exercise 3: (mask value where m (1 - m) peaks, the peak value)."""
    if _unanswered(answer):
        return None
    try:
        m, peak = (float(a) for a in answer)
        ok = abs(m - 0.5) < 1e-3 and abs(peak - 0.25) < 1e-3
    except (TypeError, ValueError):
        ok = False
    return _verdict(ok, "answer a pair (m, m*(1-m)); differentiate m - m^2")


def check_trivial_kind(answers) -> bool | None:
    """01, exercise 4: name the trivial solution ('T1', 'T2' or 'none') of models A, B, C."""
    if _unanswered(answers):
        return None
    expected = {"A": "T2", "B": "T1", "C": "none"}
    got = {k: str(v).strip().upper().replace("NONE", "none") for k, v in dict(answers).items()}
    wrong = [k for k in expected if got.get(k) != expected[k]]
    return _verdict(not wrong, f"look again at model(s) {', '.join(wrong)}: T1 shows in the "
                               "per-image trivial share, T2 in the layer difference")
