"""How many CPU cores this process may use (its affinity mask, where the system has one)."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """Return the number of CPU cores this process may run on (at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
