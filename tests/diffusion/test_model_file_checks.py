"""What load_model refuses, in one line, and what the weights' checksum covers."""

import json
import re
import time

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

import core.diffusion.model
from core.diffusion.model import (
    CARD_FORMAT,
    card_path,
    load_model,
    save_model,
    weights_metadata,
)
from core.diffusion.unet import UNet, UNetConfig
from core.errors import ModelFileError, error_line
from core.resources import default_model_path, file_sha256


@pytest.fixture
def saved(tmp_path, tiny_model):
    """A tiny model saved as it is now: weights, card, and the description in the weights."""
    path = tmp_path / "m.safetensors"
    save_model(tiny_model, path)
    return path


def _card(path):
    return json.loads(card_path(path).read_text())


def _write_card(path, card, *, rehash=True):
    """Write a card, its checksum that of the weights beside it (only its fault is left)."""
    if rehash:
        card["weights_sha256"] = file_sha256(path)
    card_path(path).write_text(card if isinstance(card, str) else json.dumps(card))


def _rewrite_weights(path, state, metadata=None):
    """Replace the weights file, and re-hash the card so that only the intended fault is left."""
    save_file(state, path, metadata=metadata or {"format": CARD_FORMAT})
    _write_card(path, _card(path))


def _refusal(path):
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    assert error_line(caught.value) == message  # the front ends show it as it is
    return message


@pytest.mark.parametrize(
    ("card_text", "reason"),
    [
        ("[1, 2, 3]", "not a JSON object but a JSON list"),
        ('"a string"', "not a JSON object but a JSON str"),
        ("null", "not a JSON object but a JSON NoneType"),
    ],
)
def test_a_card_that_is_not_a_json_object_is_refused(saved, card_text, reason):
    _write_card(saved, card_text, rehash=False)
    assert f"unreadable model card m.json: {reason}" in _refusal(saved)


@pytest.mark.parametrize(
    ("section", "field", "value", "reason"),
    [
        ("architecture", "base_channels", 8.0, "base_channels must be an integer, got 8.0"),
        ("architecture", "mid_blocks", True, "mid_blocks must be an integer, got True"),
        ("architecture", "attention", "no", "attention must be true or false, got 'no'"),
        ("architecture", "channel_mult", 2, "channel_mult must be a list of integers, got 2"),
        ("architecture", "channel_mult", [1, 2.0], "channel_mult must be integers"),
        ("schedule", "n_timesteps", 1000.0, "n_timesteps must be an integer, got 1000.0"),
    ],
)
def test_a_field_of_the_wrong_type_is_refused_by_name(saved, section, field, value, reason):
    card = _card(saved)
    card[section][field] = value
    _write_card(saved, card)
    assert reason in _refusal(saved)


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("data", [], "data must be a JSON object, got []"),
        ("architecture", None, "architecture must be a JSON object, got None"),
        ("weights_sha256", 5, "weights_sha256 must be a string, got 5"),
    ],
)
def test_a_card_section_of_the_wrong_type_is_refused(saved, key, value, reason):
    card = _card(saved)
    card[key] = value
    _write_card(saved, card, rehash=False)
    assert reason in _refusal(saved)


@pytest.mark.parametrize(
    ("section", "field", "value", "reason"),
    [
        ("schedule", "n_timesteps", 150_000, "n_timesteps must lie in [2, 100000], got 150000"),
        ("architecture", "mid_blocks", 65, "mid_blocks must lie in [0, 64], got 65"),
        ("architecture", "channel_mult", [1] * 9, "at most 8 levels, got 9"),
        ("architecture", "unshuffle", 0, "unshuffle must lie in [1, 8], got 0"),
    ],
)
def test_absurd_sizes_are_refused_before_anything_is_built(saved, section, field, value, reason):
    card = _card(saved)
    card[section][field] = value
    _write_card(saved, card)
    started = time.perf_counter()
    assert reason in _refusal(saved)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"base_channels": 2048}, "at most 4096 channels per level, got 8192"),
        ({"time_embed_mult": 65}, "time_embed_mult must lie in [1, 64], got 65"),
        ({"groups": 0}, "groups must lie in [1, 4096], got 0"),
    ],
)
def test_a_network_too_large_to_build_is_refused_by_its_config(fields, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        UNetConfig(**fields)  # never built: a card asking for it is refused like the above


def test_the_checksum_is_checked_before_the_card_builds_anything(saved, monkeypatch):
    card = _card(saved)
    card["schedule"]["n_timesteps"] = 10**9  # built first, this hung with GBs of memory
    _write_card(saved, card, rehash=False)
    saved.write_bytes(saved.read_bytes()[:-1] + b" ")

    def built(config):
        raise AssertionError("the schedule was built before the checksum was checked")

    monkeypatch.setattr(core.diffusion.model.NoiseSchedule, "from_config", built)
    assert "weights do not match the checksum in the model card" in _refusal(saved)


def test_an_upper_case_checksum_is_the_same_checksum(saved, tiny_model):
    card = _card(saved)
    card["weights_sha256"] = "  " + card["weights_sha256"].upper()
    _write_card(saved, card, rehash=False)
    loaded = load_model(saved)
    assert loaded.card.weights_sha256 == file_sha256(saved)  # as results record it


def test_non_finite_weights_are_refused_with_their_count_and_first_tensor(saved):
    state = load_file(saved)
    names = list(UNet(UNetConfig.tiny()).state_dict())  # the order load_model checks in
    first, later = names[3], names[-2]
    state[first] = state[first].clone()
    state[first].view(-1)[0] = float("nan")
    state[later] = torch.full_like(state[later], float("inf"))
    _rewrite_weights(saved, state)
    expected = (
        f"weights contain {1 + state[later].numel()} NaN or infinite values (first in {first})"
    )
    assert _refusal(saved).endswith(expected)


def test_missing_unexpected_and_misshaped_tensors_are_named(saved):
    state = load_file(saved)
    names = sorted(state)
    del state[names[0]]
    state["extra.weight"] = torch.zeros(3)
    conv = next(name for name in names[1:] if state[name].ndim == 4)
    shape = tuple(state[conv].shape)
    state[conv] = torch.zeros(*shape[:-1], shape[-1] + 1)
    _rewrite_weights(saved, state)
    message = _refusal(saved)
    assert "weights do not match the architecture in the card: " in message
    assert f"1 missing ({names[0]})" in message
    assert "1 unexpected (extra.weight)" in message
    got = (*shape[:-1], shape[-1] + 1)
    assert f"1 of another shape ({conv} {got} instead of {shape})" in message


def test_many_missing_tensors_are_counted_and_the_first_few_named(saved):
    state = load_file(saved)
    gone = [name for name in state if name.startswith("up_stages")]
    for name in gone:
        del state[name]
    _rewrite_weights(saved, state)
    message = _refusal(saved)
    assert f"{len(gone)} missing (" in message and ", ...)" in message


def test_a_file_that_is_not_ours_says_so(saved):
    _rewrite_weights(saved, {"weight": torch.randn(10, 10)}, metadata={"format": "pt"})
    assert _refusal(saved).endswith(
        "not an xray-denoise model: none of its 1 tensors is this network's"
    )


def test_the_weights_file_holds_the_cards_architecture_and_schedule(saved, tiny_model):
    with safe_open(str(saved), framework="pt") as f:
        metadata = f.metadata()
    described = weights_metadata(tiny_model.network.config, tiny_model.schedule)
    assert metadata == {"format": CARD_FORMAT, **described}
    assert json.loads(metadata["schedule"]) == {"name": "cosine-v1", "n_timesteps": 1000}
    assert json.loads(metadata["architecture"])["norm"] == "layer"


@pytest.mark.parametrize(
    ("section", "field", "value", "reason"),
    [
        (
            "architecture",
            "norm",
            "group",
            "the model card's architecture is not the one saved with the weights: "
            "norm 'group' in the card, 'layer' in the weights file",
        ),
        (
            "schedule",
            "n_timesteps",
            500,
            "the model card's schedule is not the one saved with the weights: "
            "n_timesteps 500 in the card, 1000 in the weights file",
        ),
    ],
)
def test_a_card_edited_where_the_shapes_stay_the_same_is_refused(
    saved, section, field, value, reason
):
    card = _card(saved)
    card[section][field] = value
    _write_card(saved, card, rehash=False)  # the weights are untouched: the checksum holds
    assert _refusal(saved).endswith(reason)


def test_a_file_saved_before_the_description_was_written_still_loads(saved, tiny_model):
    _rewrite_weights(saved, load_file(saved))  # only {"format": ...}, as before
    loaded = load_model(saved)
    x = torch.randn(1, 1, 16, 16)
    torch.testing.assert_close(loaded.predict_eps(x, 5.0), tiny_model.predict_eps(x, 5.0))


def test_the_shipped_model_carries_its_description_and_loads():
    path = default_model_path()
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata()
    card = _card(path)
    assert json.loads(metadata["architecture"]) == card["architecture"]
    assert json.loads(metadata["schedule"]) == card["schedule"]
    model = load_model(path)
    assert model.card.weights_sha256 == file_sha256(path)
