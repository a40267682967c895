"""claims.check and friends print a kept claim and raise, naming claim and value, on a broken one."""
import pytest

from comgan_lite import claims


def test_a_kept_claim_prints_and_returns_nothing_for_a_cell_to_show(capsys):
    assert claims.check(0.003, "<", 0.01, "no trivial masks") is None
    assert "✓ no trivial masks" in capsys.readouterr().out
    assert claims.about(0.8349, 0.83, "ComGAN's mean is 0.83") is None
    assert claims.between(0.5, 0.4, 0.6, "in range") is None
    assert claims.holds(True, "every seed", "3 of 3") is None
    assert "every seed  (3 of 3)" in capsys.readouterr().out


@pytest.mark.parametrize("call", [
    lambda: claims.check(0.2, "<", 0.01, "no trivial masks"),
    lambda: claims.check(float("nan"), "<", 0.01, "no trivial masks"),
    lambda: claims.about(0.846, 0.83, "no trivial masks"),
    lambda: claims.between(0.7, 0.4, 0.6, "no trivial masks"),
    lambda: claims.holds(False, "no trivial masks", "2 of 3"),
])
def test_a_broken_claim_raises_with_the_claim_and_the_value(call):
    with pytest.raises(claims.ClaimError, match="no trivial masks"):
        call()


def test_an_unknown_comparison_is_refused():
    with pytest.raises(ValueError, match="unknown comparison"):
        claims.check(1, "~", 1, "x")
