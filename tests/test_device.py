import os
import sys

import pytest
import torch

from core.device import check_device_preference, device_label, free_memory_bytes, select_device


@pytest.fixture
def cpu_only(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


def test_auto_falls_back_to_the_cpu(cpu_only):
    assert select_device("auto") == torch.device("cpu")
    assert select_device(" CPU ") == torch.device("cpu")


def test_auto_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert select_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert select_device() == torch.device("cuda")


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "mps"])
def test_a_missing_device_is_a_clear_error(cpu_only, name):
    with pytest.raises(ValueError, match=f"'{name}' is not available.*use auto or cpu"):
        select_device(name)


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "cpu:0", ""])
def test_unknown_devices_are_refused(name):
    with pytest.raises(ValueError, match="unknown device"):
        check_device_preference(name)


def test_cpu_label_and_free_memory():
    threads = torch.get_num_threads()
    plural = "" if threads == 1 else "s"
    assert device_label(torch.device("cpu")) == f"CPU ({threads} thread{plural})"
    assert device_label(torch.device("mps")) == "Apple MPS"
    assert free_memory_bytes(torch.device("cpu")) > 0


def test_on_macos_half_the_ram_is_taken_as_free(monkeypatch):
    # macOS has no count of available pages (SC_AVPHYS_PAGES): it was a 2 GiB guess.
    pages = {"SC_PHYS_PAGES": 4 * 1024**2, "SC_PAGE_SIZE": 4096}  # 16 GiB
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(os, "sysconf", lambda name: pages[name])
    assert free_memory_bytes(torch.device("cpu")) == 8 * 1024**3
