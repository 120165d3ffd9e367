import pytest
import torch

from core.training.ema import EMA


def test_update_and_warmup():
    net = torch.nn.Linear(2, 1)
    with torch.no_grad():
        net.weight.fill_(1.0)
    ema = EMA(net, decay=0.9)
    assert ema.decay_at(0) == pytest.approx(0.1)
    assert ema.decay_at(1000) == 0.9
    with torch.no_grad():
        net.weight.fill_(3.0)
    ema.update(net, step=0)  # decay 0.1: 0.1 * 1 + 0.9 * 3
    torch.testing.assert_close(ema.network.weight, torch.full((1, 2), 2.8))
    ema.update(net, step=1000)
    torch.testing.assert_close(ema.network.weight, torch.full((1, 2), 0.9 * 2.8 + 0.1 * 3))
    assert not ema.network.weight.requires_grad
    with pytest.raises(ValueError):
        EMA(net, decay=1.0)
