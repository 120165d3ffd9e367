"""The one reverse-diffusion loop, with its own ``eps`` evaluator (as the denoise runs it)."""

import numpy as np
import pytest
import torch

from core.diffusion.sampler import (
    ReverseState,
    ddim_sample,
    ddpm_sample,
    reverse_diffusion,
)


@pytest.fixture
def x_start():
    return torch.randn(1, 1, 16, 16, generator=torch.Generator().manual_seed(1))


def counting_evaluator(model, calls):
    """Evaluate ``eps`` with the whole network, yielding one event before the call."""

    def evaluate(x, t, step):
        yield ("call", step, t)
        calls.append(step)
        with torch.inference_mode():
            return model.predict_eps(x, t)

    return evaluate


@pytest.mark.parametrize("eta", [0.0, 1.0])
def test_an_evaluators_events_come_before_each_state_which_matches_the_samplers(
    tiny_model, x_start, eta
):
    items = list(
        reverse_diffusion(
            tiny_model,
            x_start,
            t_start=50.0,
            n_steps=3,
            eta=eta,
            generator=torch.Generator().manual_seed(2),
            evaluate_eps=counting_evaluator(tiny_model, []),
        )
    )
    events, states = items[0::2], items[1::2]
    assert events == [("call", 1, 50.0), ("call", 2, states[0].t), ("call", 3, states[1].t)]
    assert all(isinstance(s, ReverseState) for s in states)
    if eta == 0.0:
        reference = list(ddim_sample(tiny_model, x_start, t_start=50.0, n_steps=3))
    else:
        gen = torch.Generator().manual_seed(2)
        reference = list(ddpm_sample(tiny_model, x_start, t_start=50.0, n_steps=3, generator=gen))
    for state, ref in zip(states, reference, strict=True):
        assert isinstance(state.x_t, torch.Tensor) and state.x_t.shape == (1, 1, 16, 16)
        np.testing.assert_array_equal(state.x_t.numpy(), ref.x_t)
        np.testing.assert_array_equal(state.x0_pred.numpy(), ref.x0_pred)
        fields = ("step", "n_steps", "t", "sigma", "t_from", "sigma_from")
        assert [getattr(state, f) for f in fields] == [getattr(ref, f) for f in fields]


def test_closing_between_steps_stops_the_network_calls(tiny_model, x_start):
    calls = []
    run = reverse_diffusion(
        tiny_model,
        x_start,
        t_start=50.0,
        n_steps=4,
        eta=0.0,
        generator=None,
        evaluate_eps=counting_evaluator(tiny_model, calls),
    )
    assert next(run) == ("call", 1, 50.0)
    assert isinstance(next(run), ReverseState)
    run.close()
    assert calls == [1] and list(run) == []
