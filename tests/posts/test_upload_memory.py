"""A 40-megapixel upload stays under 300 MB in the worker (bench/upload_memory.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_40_megapixel_upload_peaks_under_300_mb():
    result = subprocess.run(
        [sys.executable, "-m", "bench.upload_memory"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert result.stdout.count(" px |") == 3, result.stdout
