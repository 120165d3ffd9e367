"""torch's OpenMP threads spin only briefly before they sleep, unless the user says otherwise.

With the cores busy, GNU OpenMP's default spinning made the sample's denoise 1.6 times
slower (``benchmarks/results/2026-11-27-busy-machine/``). The setting must reach OpenMP,
which reads it once, when torch loads it: libgomp prints what it read under
``OMP_DISPLAY_ENV``.
"""

import os
import subprocess
import sys

import pytest

from core import OPENMP_SPIN_COUNT


def _spin_count_read_by_openmp(code: str, **environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "GOMP_SPINCOUNT"}
    env |= {"OMP_DISPLAY_ENV": "VERBOSE", "QT_QPA_PLATFORM": "offscreen", **environment}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    lines = [line for line in done.stderr.splitlines() if "GOMP_SPINCOUNT" in line]
    if not lines:
        pytest.skip("torch's OpenMP is not GNU's: GOMP_SPINCOUNT does not apply")
    return lines[0].split("=", 1)[1].strip().strip("'")


@pytest.mark.parametrize(
    "entry_point",
    ["import core.cli", "import xraygui.__main__", "import core.training.__main__"],
)
def test_each_entry_point_sets_a_short_spin_before_torch_loads(entry_point):
    code = f"{entry_point}; import torch; torch.ones(4).sum()"
    assert _spin_count_read_by_openmp(code) == str(OPENMP_SPIN_COUNT)


def test_a_spin_count_the_user_set_is_kept():
    code = "import core.cli; import torch; torch.ones(4).sum()"
    assert _spin_count_read_by_openmp(code, GOMP_SPINCOUNT="123") == "123"
