"""`make demo` and `make test` refuse an old Python before installing anything, and rebuild a
.venv that another Python made (checked with `make python-check`, which both run first)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_old_python_is_refused_before_anything_is_installed(tmp_path: Path) -> None:
    old = tmp_path / "python3.10"
    old.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Python 3.10.13"; exit 0; fi\nexit 1\n'
    )
    old.chmod(0o755)
    venv = tmp_path / "venv"

    done = make("demo", f"PYTHON={old}", f"VENV={venv}")

    assert done.returncode != 0
    assert "painpoint needs Python 3.11 or newer" in done.stdout
    assert "Python 3.10.13" in done.stdout and "PYTHON=python3.11" in done.stdout
    assert not venv.exists()
    assert "pip" not in done.stdout + done.stderr


def test_a_venv_made_by_another_python_is_rebuilt(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    ours = make("python-check", f"PYTHON={sys.executable}", f"VENV={venv}")
    assert ours.returncode == 0 and venv.exists(), ours.stdout + ours.stderr

    (venv / "bin" / "python").unlink()  # as if made by a Python that is gone or different
    (venv / "bin" / "python").symlink_to("/nonexistent/python3.9")

    other = make("python-check", f"PYTHON={sys.executable}", f"VENV={venv}")

    assert other.returncode == 0
    assert "was made by another Python; rebuilding it" in other.stdout
    assert not venv.exists()
