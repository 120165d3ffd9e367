"""torch's OpenMP threads spin only briefly before they sleep, unless the user says otherwise.

With the cores busy, GNU OpenMP's default spinning made the sample's denoise 1.6-3.4 times
slower (``benchmarks/results/2026-11-27-busy-machine/``).
"""

import os
import subprocess
import sys

from core import OPENMP_SPIN_COUNT


def _spin_count_seen_by_torch(environment: dict[str, str]) -> str:
    code = "import core, os, torch; print(os.environ['GOMP_SPINCOUNT'])"
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_importing_core_sets_a_short_spin_before_torch_loads():
    environment = {k: v for k, v in os.environ.items() if k != "GOMP_SPINCOUNT"}
    assert _spin_count_seen_by_torch(environment) == str(OPENMP_SPIN_COUNT)


def test_a_spin_count_the_user_set_is_kept():
    environment = {**os.environ, "GOMP_SPINCOUNT": "123"}
    assert _spin_count_seen_by_torch(environment) == "123"
