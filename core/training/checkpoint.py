"""Training checkpoints as one safetensors file: no pickle, exact resume.

The file holds the network, EMA and optimiser tensors, and as string metadata the
step, the training configuration (JSON), the run's bookkeeping (JSON) and the
optimiser's hyperparameters. All training randomness is a pure function of
``(seed, step, rank)`` and the learning rate a pure function of the step and of the
share of the time budget used, so the step and the budget
(:class:`core.training.config.TimeBudget`, in the bookkeeping) are the whole random and
scheduler state. The bookkeeping also holds the split of the images
(:func:`core.training.selection.split_to_json`), which a resumed run keeps: it names the
patients, so the file is readable by its owner alone.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BufferedReader
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save
from torch import nn

from core.io.atomic import atomic_write
from core.io.safetensors_header import MAX_HEADER_BYTES, parse_header, read_header

CHECKPOINT_FORMAT = "xray-denoise-checkpoint"
CHECKPOINT_VERSION = "1"
DAMAGED = "not a readable training checkpoint (damaged or cut short); start afresh (--overwrite)"
"""Why a checkpoint that cannot be parsed (a copy cut short, a bad disk) is refused."""
NEWER = (
    "made by a newer xray-denoise (format version {version}); "
    "this version reads up to {reads}: update to open it"
)
"""Why a file of this project's format but of a later version is refused (``str.format``
with ``version`` and ``reads``): it is whole, only newer."""


_LENGTH = struct.Struct("<Q")
"""The safetensors header's length: an unsigned 64-bit little-endian integer."""
_DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
"""The safetensors dtypes a checkpoint's tensors may have, as torch's."""


class NewerFileError(ValueError):
    """A file of this project's format, whole, but of a later version (:data:`NEWER`)."""


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint says besides its tensors.

    Parameters
    ----------
    step : int
        Optimiser steps taken.
    config : dict
        The training configuration (``TrainConfig.to_config()``).
    extra : dict
        Run bookkeeping: ``elapsed_s``, the last ``validation``, the ``split`` of the
        images, the ``time_budget`` (if any), the ``interval_losses`` since the last
        loss record, ``started_from`` (a fine-tune's lineage), and the ``card``'s
        ``data`` and ``training`` sections of the model exported with it (so that the
        model can be exported again without reading the images). Checkpoints written
        before the split, budget, losses and card were kept lack them.
    """

    step: int
    config: dict[str, Any]
    extra: dict[str, Any]


def save_checkpoint(
    path: str | Path,
    *,
    network: nn.Module,
    ema: nn.Module,
    optimizer: torch.optim.Optimizer,
    checkpoint: Checkpoint,
) -> None:
    """Write a checkpoint atomically (temporary file, then rename), readable by its owner alone.

    Parameters
    ----------
    path : str or Path
        Destination.
    network, ema : nn.Module
        Trained and averaged networks.
    optimizer : torch.optim.Optimizer
        Its state tensors and hyperparameters are stored.
    checkpoint : Checkpoint
        Step, configuration and bookkeeping.

    Raises
    ------
    core.errors.ImageWriteError
        ``"<path>: <the system's reason>"`` where it cannot be written (a full disk); the
        checkpoint there before is kept and no temporary file is left.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {f"model/{k}": v for k, v in network.state_dict().items()}
    tensors |= {f"ema/{k}": v for k, v in ema.state_dict().items()}
    opt_state = optimizer.state_dict()
    for index, state in opt_state["state"].items():
        for key, value in state.items():
            if not isinstance(value, torch.Tensor):
                raise TypeError(f"optimizer state {key!r} is not a tensor")
            tensors[f"optimizer/{index}/{key}"] = value
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    metadata = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "step": str(checkpoint.step),
        "config": json.dumps(checkpoint.config),
        "extra": json.dumps(checkpoint.extra),
        "param_groups": json.dumps(opt_state["param_groups"]),
    }
    data = save(tensors, metadata=metadata)
    with atomic_write(path, overwrite=True, needed=len(data)) as file:
        os.chmod(file.name, 0o600)  # the split names patients (only the owner bit on Windows)
        file.write(data)


def read_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint's step, configuration and bookkeeping (not its tensors).

    Parameters
    ----------
    path : str or Path
        The checkpoint (:func:`save_checkpoint`).

    Returns
    -------
    Checkpoint

    Raises
    ------
    ValueError
        If the file is not a training checkpoint, is of another version (a later one:
        :data:`NEWER`), or cannot be parsed: ``"<path>: not a readable training
        checkpoint ..."`` (:data:`DAMAGED`).
    OSError
        If it cannot be opened (the system's reason, naming it).
    """
    return _checked(path, _metadata(path))


def _checked(path: str | Path, metadata: dict[str, str]) -> Checkpoint:
    """Return the :class:`Checkpoint` of a file's metadata, refused as :func:`read_checkpoint`."""
    if metadata.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not an xray-denoise training checkpoint")
    version = metadata.get("version")
    if version != CHECKPOINT_VERSION:
        if version is not None and version.isdecimal() and int(version) > int(CHECKPOINT_VERSION):
            raise NewerFileError(
                f"{path}: " + NEWER.format(version=version, reads=CHECKPOINT_VERSION)
            )
        raise ValueError(f"{path}: unsupported checkpoint version {version}")
    try:
        checkpoint = Checkpoint(
            step=int(metadata["step"]),
            config=json.loads(metadata["config"]),
            extra=json.loads(metadata["extra"]),
        )
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{path}: {DAMAGED}") from None
    if not isinstance(checkpoint.config, dict) or not isinstance(checkpoint.extra, dict):
        raise ValueError(f"{path}: {DAMAGED}")
    return checkpoint


def _metadata(path: str | Path) -> dict[str, str]:
    """Return a safetensors file's metadata, reading its header only; refuse one not whole.

    The header must parse and the file's data cover its tensors exactly
    (:func:`core.io.safetensors_header.read_header`, which opens a path of any name, and
    lets an unreadable file's own reason through); else :data:`DAMAGED`.
    """
    try:
        return read_header(Path(path)).metadata
    except ValueError:
        raise ValueError(f"{path}: {DAMAGED}") from None


@contextlib.contextmanager
def _opened(
    path: str | Path,
) -> Iterator[tuple[Checkpoint, dict[str, str], Callable[[str], dict[str, torch.Tensor]]]]:
    """Open a checkpoint's file once: what it says, its metadata, and a reader of its sections.

    The file is refused as :func:`read_checkpoint` says, and where a tensor's type or
    size is not that of its data, before any tensor is read. The reader gives the
    tensors of a section (``model``, ``ema``, ``optimizer``: their names' prefixes), by
    name within it, each read straight from the file into its own memory: a caller that
    takes a section at a time needs little more memory than it keeps (reading the whole
    file, then building its tensors, took twice the file's size). Read, not
    memory-mapped: on the CPU the optimiser keeps the loaded tensors, and Windows refuses
    to replace a mapped file, as the next checkpoint does; and safetensors' own readers
    cannot open a path whose name is not valid UTF-8.
    """
    with Path(path).open("rb") as file:
        start = file.read(_LENGTH.size)
        length = _LENGTH.unpack(start)[0] if len(start) == _LENGTH.size else 0
        head = start + file.read(min(length, MAX_HEADER_BYTES + 1))
        try:
            metadata = parse_header(head, file.seek(0, os.SEEK_END)).metadata
        except ValueError:
            raise ValueError(f"{path}: {DAMAGED}") from None
        info = _checked(path, metadata)
        entries = json.loads(head[_LENGTH.size :])  # tensors with shapes: parse_header says
        entries.pop("__metadata__", None)
        for entry in entries.values():
            kind = entry.get("dtype")
            dtype = _DTYPES.get(kind) if isinstance(kind, str) else None
            begin, end = entry["data_offsets"]
            if dtype is None or math.prod(entry["shape"]) * dtype.itemsize != end - begin:
                raise ValueError(f"{path}: {DAMAGED}")

        def section(name: str) -> dict[str, torch.Tensor]:
            prefix = f"{name}/"
            return {
                key.removeprefix(prefix): _tensor(path, file, entry, _LENGTH.size + length)
                for key, entry in entries.items()
                if key.startswith(prefix)
            }

        yield info, metadata, section


def _tensor(
    path: str | Path, file: BufferedReader, entry: dict[str, Any], start: int
) -> torch.Tensor:
    """Read one tensor of an open safetensors file, its data at ``start + data_offsets``."""
    begin, end = entry["data_offsets"]
    data = torch.empty(end - begin, dtype=torch.uint8)
    file.seek(start + begin)
    if file.readinto(data.numpy()) != end - begin:  # the file cut short since its header
        raise ValueError(f"{path}: {DAMAGED}")
    return data.view(_DTYPES[entry["dtype"]]).reshape(entry["shape"])


def load_checkpoint(
    path: str | Path,
    *,
    network: nn.Module,
    ema: nn.Module,
    optimizer: torch.optim.Optimizer,
) -> Checkpoint:
    """Restore network, EMA and optimiser in place from :func:`save_checkpoint` output.

    Parameters
    ----------
    path : str or Path
        The checkpoint.
    network, ema : nn.Module
        Networks of the checkpoint's architecture (on their target device).
    optimizer : torch.optim.Optimizer
        An optimiser over ``network``'s parameters, of the same type.

    Returns
    -------
    Checkpoint
        Step, configuration and bookkeeping.

    Raises
    ------
    ValueError
        As :func:`read_checkpoint`, where the file is refused or cannot be parsed.
    """
    with _opened(path) as (info, metadata, section):
        try:
            param_groups = json.loads(metadata["param_groups"])
        except (KeyError, ValueError):
            raise ValueError(f"{path}: {DAMAGED}") from None
        # A section at a time: the weights are copied into the networks and let go.
        network.load_state_dict(section("model"))
        ema.load_state_dict(section("ema"))
        kept = section("optimizer")
    # Optimizer.load_state_dict moves state to the parameters' device as each optimiser needs.
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in kept.items():
        index, key = name.split("/", 1)
        state.setdefault(int(index), {})[key] = value
    for group in param_groups:
        if "betas" in group:
            group["betas"] = tuple(group["betas"])
    optimizer.load_state_dict({"state": state, "param_groups": param_groups})
    return info


def load_ema(path: str | Path, ema: nn.Module) -> None:
    """Load only the EMA weights of a checkpoint (what its model exports) into ``ema``.

    Parameters
    ----------
    path : str or Path
        The checkpoint (:func:`save_checkpoint`).
    ema : nn.Module
        A network of the checkpoint's architecture.

    Raises
    ------
    ValueError
        As :func:`read_checkpoint`, where the file is refused or cannot be parsed.
    """
    with _opened(path) as (_, _, section):  # refuses a file that is not a checkpoint
        ema.load_state_dict(section("ema"))
