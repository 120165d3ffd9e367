"""Overlapping float32 runs keep cuDNN in IEEE float32 until the last ends, then restore it."""

import torch

from core.denoise.tiling import _ieee_convolutions


def _setting():
    cudnn = torch.backends.cudnn
    if hasattr(cudnn, "conv"):
        return cudnn.conv, "fp32_precision", "ieee"
    return cudnn, "allow_tf32", False


def test_the_first_run_to_end_leaves_the_other_in_ieee_and_the_last_restores():
    owner, name, ieee = _setting()
    original = getattr(owner, name)
    user_choice = "tf32" if name == "fp32_precision" else True
    setattr(owner, name, user_choice)
    try:
        first, second = _ieee_convolutions(), _ieee_convolutions()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)  # the first ends while the second still runs
        assert getattr(owner, name) == ieee
        second.__exit__(None, None, None)
        assert getattr(owner, name) == user_choice
    finally:
        setattr(owner, name, original)


def test_a_run_that_fails_restores_the_setting():
    owner, name, _ = _setting()
    before = getattr(owner, name)
    try:
        with _ieee_convolutions():
            raise RuntimeError("out of memory")
    except RuntimeError:
        pass
    assert getattr(owner, name) == before
