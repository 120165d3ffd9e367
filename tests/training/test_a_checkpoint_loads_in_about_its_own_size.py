"""Loading a checkpoint reads it a tensor at a time: never the whole file, then its tensors.

The weights are copied into the networks as they are read, so loading needs little
more memory than the optimiser state it keeps (half the file: the file holds the
network, its EMA and the two AdamW moments); reading the file whole and then building
its tensors took twice the file's size on top of the networks.
"""

import subprocess
import sys
import textwrap
import tracemalloc

import pytest
import torch

from core.training.checkpoint import (
    DAMAGED,
    Checkpoint,
    load_checkpoint,
    load_ema,
    save_checkpoint,
)


def _network() -> torch.nn.Module:
    """Four 1024 x 1024 layers: 16 MiB of float32 weights, a checkpoint of 64 MiB."""
    return torch.nn.Sequential(*[torch.nn.Linear(1024, 1024) for _ in range(4)])


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A checkpoint of a moderate network with its AdamW state, and that network."""
    path = tmp_path_factory.mktemp("checkpoint") / "m.checkpoint.safetensors"
    torch.manual_seed(0)
    network = _network()
    optimizer = torch.optim.AdamW(network.parameters())
    network(torch.ones(1, 1024)).sum().backward()
    optimizer.step()
    save_checkpoint(
        path,
        network=network,
        ema=_network(),
        optimizer=optimizer,
        checkpoint=Checkpoint(1, {}, {}),
    )
    return path, network, optimizer


def test_loading_keeps_no_copy_of_the_file_in_python_memory(saved):
    path, trained, trained_optimizer = saved
    network, ema = _network(), _network()
    optimizer = torch.optim.AdamW(network.parameters())
    tracemalloc.start()
    try:
        load_checkpoint(path, network=network, ema=ema, optimizer=optimizer)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.05 * path.stat().st_size  # the file read whole was all of it, twice
    assert all(
        torch.equal(a, b) for a, b in zip(network.parameters(), trained.parameters(), strict=True)
    )
    state, trained_state = optimizer.state_dict()["state"], trained_optimizer.state_dict()["state"]
    assert state.keys() == trained_state.keys()
    for index, moments in trained_state.items():
        assert all(torch.equal(state[index][key], value) for key, value in moments.items())


def test_load_ema_reads_the_ema_weights_alone(saved):
    path = saved[0]
    ema = _network()
    tracemalloc.start()
    try:
        load_ema(path, ema)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.05 * path.stat().st_size


@pytest.mark.parametrize("dtype", [b"F16", b"X9"])
def test_a_tensor_unlike_its_data_is_refused_before_any_is_loaded(tmp_path, dtype):
    path = tmp_path / "m.checkpoint.safetensors"
    network = torch.nn.Linear(2, 2)
    optimizer = torch.optim.AdamW(network.parameters())
    ema = torch.nn.Linear(2, 2)
    save_checkpoint(
        path, network=network, ema=ema, optimizer=optimizer, checkpoint=Checkpoint(0, {}, {})
    )
    data = path.read_bytes()
    last = data.rindex(b'"dtype":"F32"')  # a tensor of the header, whichever is last
    path.write_bytes(data[:last] + b'"dtype":"' + dtype.ljust(3) + b'"' + data[last + 13 :])
    fresh = torch.nn.Linear(2, 2)
    before = [p.clone() for p in fresh.parameters()]
    with pytest.raises(ValueError) as error:
        load_checkpoint(path, network=fresh, ema=torch.nn.Linear(2, 2), optimizer=optimizer)
    assert str(error.value) == f"{path}: {DAMAGED}"
    assert all(torch.equal(a, b) for a, b in zip(fresh.parameters(), before, strict=True))


_MEASURE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import torch
    from core.training.checkpoint import load_checkpoint

    def network():
        return torch.nn.Sequential(*[torch.nn.Linear(1024, 1024) for _ in range(4)])

    def peak():  # this process's own (ru_maxrss holds its parent's at the fork)
        status = Path("/proc/self/status").read_text().splitlines()
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

    trained, ema = network(), network()
    optimizer = torch.optim.AdamW(trained.parameters())
    before = peak()
    load_checkpoint(sys.argv[1], network=trained, ema=ema, optimizer=optimizer)
    print((peak() - before) * 1024)
    """
)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="VmHWM of /proc/self/status")
def test_loading_needs_less_memory_than_the_file_on_top_of_the_networks(saved):
    path = saved[0]
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rise = int(result.stdout.split()[-1])
    # The optimiser state kept is half the file; reading it whole took twice the file.
    assert rise < path.stat().st_size, result.stdout
