"""The teaching core stays readable: short functions, files of one concept, no lab inside, and a
clone small enough to download in class."""
import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "comgan_lite"
MAX_FUNCTION_LINES, MAX_FILE_LINES, MAX_TRACKED_MIB = 60, 550, 60


def _functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.end_lineno - node.lineno + 1


def test_no_function_in_the_core_is_longer_than_60_lines():
    long = [f"{p.name}:{name} ({n} lines)" for p in sorted(CORE.glob("*.py"))
            for name, n in _functions(p) if n > MAX_FUNCTION_LINES]
    assert not long, long


def test_no_core_file_is_longer_than_550_lines():
    long = {p.name: n for p in CORE.glob("*.py") if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES}
    assert not long, long


def test_the_core_never_imports_the_lab_bench_or_tests():
    for p in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(p.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            assert not any(n.split(".")[0] in ("lab", "bench", "tests") for n in names), (p.name, names)


def test_the_losses_of_the_paper_are_in_losses_py():
    from comgan_lite import losses
    for name in ("discriminator_loss", "generator_loss", "ds_discriminator_loss", "info_loss",
                 "mask_discriminator_loss", "consistency_loss", "binary_entropy"):
        assert "eq. " in getattr(losses, name).__doc__, name


def test_the_gan_step_fits_on_a_screen():
    lengths = dict(_functions(CORE / "train.py"))
    assert 10 < lengths["gan_step"] <= 40
    assert dict(_functions(CORE / "segment.py"))["segment_step"] <= 40


def test_the_tracked_files_stay_under_60_mib():
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    total = sum((ROOT / f).stat().st_size for f in files.decode().split("\0") if f and (ROOT / f).exists())
    assert total < MAX_TRACKED_MIB * 2**20, f"tracked files weigh {total / 2**20:.1f} MiB"
