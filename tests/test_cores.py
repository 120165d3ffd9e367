import os

import pytest

from core.cores import usable_cores


def test_the_cores_are_those_this_process_may_run_on(monkeypatch):
    if hasattr(os, "sched_getaffinity"):
        assert usable_cores() == len(os.sched_getaffinity(0))
        monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown: one
    assert usable_cores() == 1


@pytest.mark.parametrize("count", [1, 6])
def test_without_an_affinity_mask_every_core_counts(monkeypatch, count):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: count)
    assert usable_cores() == count
