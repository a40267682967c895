"""Command line: ``python -m comgan_lite doctor`` and ``python -m comgan_lite student``."""
from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import platform
import sys
import tempfile
from pathlib import Path


def _version(name: str) -> str:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return "not installed"


def widget_extension() -> tuple[bool, str]:
    """Is the JupyterLab widget manager installed where JupyterLab looks for it?"""
    rel = Path("share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager/package.json")
    for prefix in dict.fromkeys([sys.prefix, sys.base_prefix]):
        path = Path(prefix) / rel
        if path.exists():
            version = json.loads(path.read_text()).get("version", "?")
            return True, f"{path.parent} (version {version})"
    try:
        from jupyter_core.paths import jupyter_path
        for base in jupyter_path("labextensions"):
            path = Path(base) / "@jupyter-widgets/jupyterlab-manager/package.json"
            if path.exists():
                return True, str(path.parent)
    except ImportError:
        pass
    return False, "not found"


def data_folder(path: Path) -> tuple[bool, str]:
    """Does the data folder exist, and can its cache/ (written at run time) be written?"""
    if not path.is_dir():
        state = "is a file, not a folder" if path.exists() else "does not exist"
        return False, (f"the data folder {path} {state}: it holds the shipped models and results. "
                       "Clone the repository again, or set COMGAN_DATA to the folder that holds them.")
    target = path / "cache" if (path / "cache").is_dir() else path
    try:
        with tempfile.NamedTemporaryFile(dir=target, prefix=".doctor-"):
            pass
    except OSError as e:
        return False, (f"cannot write to {target} ({e.strerror}): datasets are cached in "
                       f"{path / 'cache'} at run time. Make it writable, or set COMGAN_DATA to a "
                       "writable copy of the data folder.")
    return True, f"{path} (writable)"


def doctor() -> int:
    import torch

    from .runtime import get_device, quick_mode
    print(f"python                  {platform.python_version()} ({sys.executable})")
    print(f"platform                {platform.platform()} {platform.machine()}")
    for pkg in ("torch", "torchvision", "numpy", "matplotlib", "jupyterlab", "ipywidgets",
                "jupyterlab_widgets", "ipykernel", "jupytext", "nbval", "opencv-python-headless"):
        print(f"{pkg:<24}{_version(pkg)}")
    print(f"device                  {get_device()}  (cuda available: {torch.cuda.is_available()})")
    print(f"threads                 torch uses {torch.get_num_threads()} thread(s)")
    print(f"quick mode              {'on' if quick_mode() else 'off'} (COMGAN_QUICK)")
    ok, where = widget_extension()
    print(f"widgets                 JupyterLab extension {'installed: ' + where if ok else 'MISSING'}")
    from .data import DATA_DIR
    data_ok, data_said = data_folder(DATA_DIR)
    print(f"data folder             {data_said if data_ok else 'PROBLEM (below)'}")
    problems = [] if data_ok else [data_said]
    if not ok:
        problems.append("the JupyterLab widget extension is missing: widgets will show as text. "
                        "Run: pip install jupyterlab_widgets==3.0.17, then restart JupyterLab.")
    ipw, jlw = _version("ipywidgets"), _version("jupyterlab_widgets")
    if ipw.startswith("8.") and not jlw.startswith("3."):
        problems.append(f"ipywidgets {ipw} needs jupyterlab_widgets 3.x (found {jlw}): "
                        "pip install -e . in this folder installs matching versions.")
    for p in problems:
        print("PROBLEM      ", p)
    print("all good" if not problems else f"{len(problems)} problem(s) found")
    return 1 if problems else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m comgan_lite")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="print versions, device, threads and the widget extension")
    sub.add_parser("student", help="write notebooks/student/ (answers removed) and "
                                   "notebooks/answer_key.md from the teachers' notebooks")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        return doctor()
    if args.command == "student":
        from .student import NOTEBOOKS, build
        for path in build():
            print(f"wrote {path.relative_to(NOTEBOOKS.parent)}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
