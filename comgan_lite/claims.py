"""Claims the prose makes about numbers computed above it, checked by code.

A notebook that writes "no trivial masks on easy" follows it with

    claims.check(trivial_share, "<", 0.01, "no trivial masks on easy")

which prints the claim with its value when it holds (and returns nothing, so a cell that ends
with a check shows no stray value) and raises ``ClaimError`` naming both when it does not, so a
number that drifts (a new run, a changed default) fails the test suite instead of leaving the
text wrong.
"""
from __future__ import annotations

import math
import operator

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
             "==": operator.eq, "!=": operator.ne}


class ClaimError(AssertionError):
    """A sentence of the notebook no longer matches the number it is about."""


def _fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


def check(value, op: str, bound, claim: str) -> None:
    """Check ``value op bound`` (op one of < <= > >= == !=)."""
    if op not in OPERATORS:
        raise ValueError(f"unknown comparison {op!r}: use one of {', '.join(OPERATORS)}")
    if isinstance(value, float) and math.isnan(value):
        raise ClaimError(f"claim {claim!r}: the value is NaN")
    if not OPERATORS[op](value, bound):
        raise ClaimError(f"claim {claim!r} no longer holds: the value is {_fmt(value)}, "
                         f"and the text needs it {op} {_fmt(bound)}. Rewrite the sentence "
                         "for the new value, or find out why it changed.")
    print(f"✓ {claim}  ({_fmt(value)} {op} {_fmt(bound)})")


def about(value: float, stated: float, claim: str, digits: int = 2) -> None:
    """Check that the prose's ``stated`` number is ``value`` rounded to ``digits`` decimals."""
    rounded = round(float(value), digits)
    if abs(rounded - stated) > 0.5 * 10 ** -digits + 1e-12:
        raise ClaimError(f"claim {claim!r} no longer holds: the text says {stated}, the value "
                         f"is {float(value):.{digits + 2}f} (rounds to {rounded:.{digits}f}).")
    print(f"✓ {claim}  ({float(value):.{digits + 2}f} ≈ {stated})")


def between(value: float, low: float, high: float, claim: str) -> None:
    """Check ``low <= value <= high``."""
    if not low <= value <= high:
        raise ClaimError(f"claim {claim!r} no longer holds: the value is {_fmt(value)}, "
                         f"outside [{_fmt(low)}, {_fmt(high)}].")
    print(f"✓ {claim}  ({_fmt(value)} in [{_fmt(low)}, {_fmt(high)}])")


def holds(condition: bool, claim: str, detail: str = "") -> None:
    """Check a claim that is not one number (an ordering, 'every seed', ...)."""
    if not condition:
        raise ClaimError(f"claim {claim!r} no longer holds" + (f": {detail}" if detail else "."))
    print(f"✓ {claim}" + (f"  ({detail})" if detail else ""))
