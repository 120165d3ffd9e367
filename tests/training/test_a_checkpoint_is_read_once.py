"""Loading a training checkpoint opens its file once: the bytes checked are the bytes loaded."""

from pathlib import Path

import pytest
import torch

from core.training.checkpoint import (
    DAMAGED,
    Checkpoint,
    load_checkpoint,
    load_ema,
    read_checkpoint,
    save_checkpoint,
)


@pytest.fixture
def saved(tmp_path):
    """A checkpoint of tiny networks at step 7, and the networks to load it into."""
    path = tmp_path / "run.checkpoint.safetensors"
    network = torch.nn.Linear(2, 2)
    optimizer = torch.optim.AdamW(network.parameters())
    network(torch.ones(1, 2)).sum().backward()
    optimizer.step()  # optimiser state to save and restore
    save_checkpoint(
        path,
        network=network,
        ema=torch.nn.Linear(2, 2),
        optimizer=optimizer,
        checkpoint=Checkpoint(7, {"seed": 1}, {"elapsed_s": 2.0}),
    )
    return path, network


@pytest.fixture
def opens(monkeypatch):
    """Count the times each file is opened (``Path.read_bytes`` opens through ``Path.open``)."""
    counts: dict[Path, int] = {}
    real_open = Path.open

    def counting(self, *args, **kwargs):
        counts[Path(self)] = counts.get(Path(self), 0) + 1
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting)
    return counts


def test_load_checkpoint_opens_the_file_once(saved, opens):
    path, trained = saved
    network = torch.nn.Linear(2, 2)
    optimizer = torch.optim.AdamW(network.parameters())
    info = load_checkpoint(path, network=network, ema=torch.nn.Linear(2, 2), optimizer=optimizer)
    assert opens == {path: 1}
    assert info == Checkpoint(7, {"seed": 1}, {"elapsed_s": 2.0})
    assert torch.equal(network.weight, trained.weight)
    assert optimizer.state_dict()["state"][0]["step"].item() == 1


def test_load_ema_opens_the_file_once(saved, opens):
    load_ema(saved[0], torch.nn.Linear(2, 2))
    assert opens == {saved[0]: 1}


def test_read_checkpoint_still_reads_the_header_alone_once(saved, opens):
    assert read_checkpoint(saved[0]).step == 7
    assert opens == {saved[0]: 1}


def test_a_file_cut_short_is_still_refused_as_damaged(saved):
    path = saved[0]
    path.write_bytes(path.read_bytes()[:-1])
    network = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError) as error:
        load_checkpoint(
            path,
            network=network,
            ema=torch.nn.Linear(2, 2),
            optimizer=torch.optim.AdamW(network.parameters()),
        )
    assert str(error.value) == f"{path}: {DAMAGED}"
    with pytest.raises(ValueError, match="not a readable training checkpoint"):
        load_ema(path, torch.nn.Linear(2, 2))
