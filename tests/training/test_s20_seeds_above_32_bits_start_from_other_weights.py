"""Training seeds of 2**32 or more start from other weights than their low 32 bits do.

``torch.manual_seed`` keeps only a seed's low 32 bits on the CPU: before, seeds 5 and
2**32 + 5 built the same initial network, though the card records them as different.
"""

from dataclasses import replace

import torch

import core.training.loop as loop
from core.training.loop import train


def _initial_weights(config, monkeypatch):
    built = []

    class Recorded(loop.UNet):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append({k: v.clone() for k, v in self.state_dict().items()})

    monkeypatch.setattr(loop, "UNet", Recorded)
    train(replace(config, val_every=0), callback=lambda state: True)
    return built[0]


def test_seeds_differing_above_32_bits_build_other_networks(tiny_config, tmp_path, monkeypatch):
    low = replace(tiny_config, seed=5, output=tmp_path / "low" / "m.safetensors")
    high = replace(tiny_config, seed=5 + 2**32, output=tmp_path / "high" / "m.safetensors")
    again = replace(tiny_config, seed=5, output=tmp_path / "again" / "m.safetensors")
    a, b = _initial_weights(low, monkeypatch), _initial_weights(high, monkeypatch)
    same = _initial_weights(again, monkeypatch)
    assert all(torch.equal(a[k], same[k]) for k in a)  # a seed below 2**32 is as it was
    assert any(not torch.equal(a[k], b[k]) for k in a if a[k].numel() > 1)
