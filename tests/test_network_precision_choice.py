"""Which type the network computes in: float16 on CUDA, bfloat16 on an AMX CPU, else float32."""

import pytest
import torch

from core.device import cpu_has_amx, inference_dtype, precision_label

CPU, CUDA, MPS = torch.device("cpu"), torch.device("cuda"), torch.device("mps")


def test_auto_picks_a_16_bit_type_where_the_hardware_has_one():
    assert inference_dtype(CUDA, "auto") == torch.float16
    assert inference_dtype(MPS, "auto") == torch.float32
    assert inference_dtype(CPU, "auto") == (torch.bfloat16 if cpu_has_amx() else torch.float32)


def test_float32_is_float32_everywhere():
    assert {inference_dtype(device, "float32") for device in (CPU, CUDA, MPS)} == {torch.float32}


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="unknown precision 'half'; use auto or float32"):
        inference_dtype(CPU, "half")


def test_the_label_names_the_type_and_the_kind_of_device():
    assert precision_label(torch.bfloat16, CPU) == "bfloat16 on CPU"
    assert precision_label(torch.float16, torch.device("cuda", 1)) == "float16 on CUDA"
    assert precision_label(torch.float32, MPS) == "float32 on MPS"


def test_no_amx_is_assumed_where_torch_cannot_say(monkeypatch):
    """The AMX query is private to PyTorch: missing or failing, it means no AMX."""
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported", raising=False)
    assert cpu_has_amx() is False
    assert inference_dtype(CPU, "auto") == torch.float32

    def fails():
        raise RuntimeError("cpuinfo failed to initialise")

    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", fails, raising=False)
    assert cpu_has_amx() is False
