"""The package is typed (py.typed): mypy --strict passes on it, on these tests and on its benchmark."""

from __future__ import annotations

import subprocess
import sys

from .vectors import REPO


def test_mypy_strict() -> None:
    package = REPO / "sdks" / "python"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(REPO / ".venv-sdk" / "mypy-cache"), "src/vigil", "tests", str(REPO / "bench" / "sdk-python")],
        cwd=package, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
