"""MPS's free memory on PyTorch 2.2 to 2.4, which pyproject allows (Intel Macs stop at 2.2).

``torch.mps.recommended_max_memory`` came in 2.5: without it, Denoise on MPS raised
AttributeError. The RAM estimate stands for the recommended working set there.
"""

from types import SimpleNamespace

import torch

import core.device as device

GIB = 1024**3


def test_without_a_recommended_working_set_the_ram_less_what_is_allocated_is_free(monkeypatch):
    monkeypatch.setattr(torch, "mps", SimpleNamespace(driver_allocated_memory=lambda: GIB))
    monkeypatch.setattr(device, "_available_ram_bytes", lambda: 8 * GIB)
    assert device.free_memory_bytes(torch.device("mps")) == 7 * GIB


def test_a_recommended_working_set_is_taken_where_torch_gives_it(monkeypatch):
    mps = SimpleNamespace(
        recommended_max_memory=lambda: 6 * GIB, driver_allocated_memory=lambda: GIB
    )
    monkeypatch.setattr(torch, "mps", mps)
    monkeypatch.setattr(device, "_available_ram_bytes", lambda: 8 * GIB)
    assert device.free_memory_bytes(torch.device("mps")) == 5 * GIB
