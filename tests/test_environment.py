"""One pinned set of versions in pyproject.toml and environment.yml; the doctor command runs."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pins(lines):
    out = {}
    for line in lines:
        m = re.match(r"\s*-?\s*\"?([A-Za-z0-9_.\-]+)==([^\"\s;#,]+)", line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_pyproject_and_environment_yml_pin_the_same_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    conda = _pins((ROOT / "environment.yml").read_text().splitlines())
    assert pinned == conda
    assert pinned["torch"] == "2.14.1" and pinned["torchvision"] == "0.29.1"


def test_doctor_prints_versions_device_threads_and_widgets():
    out = subprocess.run([sys.executable, "-m", "comgan_lite", "doctor"], capture_output=True,
                         text=True, timeout=120)
    for word in ("torch", "ipywidgets", "device", "threads", "widgets"):
        assert word in out.stdout
    assert out.returncode in (0, 1)
    assert ("all good" in out.stdout) == (out.returncode == 0)


def test_live_label_says_when_a_figure_is_from_quick_mode():
    from comgan_lite.runtime import live_label
    assert live_label(300, 300) == "live run, 300 steps"
    assert "quick-mode" in live_label(20, 300) and "300" in live_label(20, 300)


def test_doctor_checks_the_data_folder_exists_and_is_writable(tmp_path, monkeypatch):
    from comgan_lite.__main__ import data_folder
    assert data_folder(tmp_path) == (True, f"{tmp_path} (writable)")
    ok, said = data_folder(tmp_path / "missing")
    assert not ok and "does not exist" in said and "COMGAN_DATA" in said
    (tmp_path / "file").write_text("")
    assert "is a file, not a folder" in data_folder(tmp_path / "file")[1]
    (tmp_path / "cache").mkdir()

    def read_only(dir, **kw):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr("tempfile.NamedTemporaryFile", read_only)   # root can write anywhere
    ok, said = data_folder(tmp_path)
    assert not ok and f"cannot write to {tmp_path / 'cache'} (Permission denied)" in said
    assert list((tmp_path / "cache").iterdir()) == []


def test_doctor_reports_a_missing_data_folder_as_a_problem(tmp_path):
    import os
    env = {**os.environ, "COMGAN_DATA": str(tmp_path / "nowhere")}
    out = subprocess.run([sys.executable, "-m", "comgan_lite", "doctor"], capture_output=True,
                         text=True, timeout=120, env=env)
    assert out.returncode == 1 and "data folder             PROBLEM" in out.stdout
    assert f"PROBLEM       the data folder {tmp_path / 'nowhere'} does not exist" in out.stdout
    assert not (tmp_path / "nowhere").exists()
