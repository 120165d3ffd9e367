"""Read a safetensors file's header (metadata and tensor shapes) without its library.

safetensors' own readers take a path as UTF-8 text, so a file in a folder whose name is
not valid UTF-8 (a name from another system's encoding, kept by Linux as bytes) could
not be opened at all. The format is small enough to read here [1]_: an unsigned 64-bit
little-endian header length, that many bytes of JSON, then the tensors' data, each
tensor at ``data_offsets`` within it. :func:`read_header` reads a file's header only;
:func:`parse_header` the header of bytes already read (those then loaded with
``safetensors.torch.load``, which checks them again).

References
----------
.. [1] Hugging Face, "safetensors: format",
   https://github.com/huggingface/safetensors#format
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

MAX_HEADER_BYTES = 100_000_000
"""Largest safetensors header the format allows (its own readers refuse more)."""
_LENGTH = struct.Struct("<Q")


@dataclass(frozen=True)
class SafetensorsHeader:
    """What a safetensors header says.

    Parameters
    ----------
    metadata : dict of str to str
        The ``__metadata__`` map, empty where there is none.
    shapes : dict of str to tuple of int
        Each tensor's shape, by name.
    """

    metadata: dict[str, str]
    shapes: dict[str, tuple[int, ...]]


def parse_header(data: bytes, size: int | None = None) -> SafetensorsHeader:
    """Parse the header at the start of `data`, checking that the file covers its tensors.

    Parameters
    ----------
    data : bytes
        The file's bytes, or at least its header's.
    size : int, optional
        The file's size in bytes; ``len(data)`` where omitted (the whole file).

    Returns
    -------
    SafetensorsHeader

    Raises
    ------
    ValueError
        If the header is cut short, too long, not a JSON object of tensors with shapes
        and data offsets and string metadata, or the file is not exactly as long as
        the data its tensors end at (cut short, or with bytes after them).
    """
    size = len(data) if size is None else size
    if len(data) < _LENGTH.size:
        raise ValueError("too short for a safetensors header")
    (length,) = _LENGTH.unpack_from(data)
    if length > MAX_HEADER_BYTES or _LENGTH.size + length > len(data):
        raise ValueError(f"a header of {length} bytes does not fit the file")
    try:
        header = json.loads(data[_LENGTH.size : _LENGTH.size + length])
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError("the header is not JSON") from None
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(value, str) for value in metadata.values()
    ):
        raise ValueError("the header's metadata is not a map of strings")
    shapes = {}
    end = 0
    for name, tensor in header.items():
        shape = tensor.get("shape") if isinstance(tensor, dict) else None
        offsets = tensor.get("data_offsets") if isinstance(tensor, dict) else None
        if not isinstance(shape, list) or not isinstance(offsets, list) or len(offsets) != 2:
            raise ValueError(f"tensor {name} has no shape and data offsets")
        begin, stop = offsets
        if not all(type(n) is int and n >= 0 for n in [*shape, *offsets]) or stop < begin:
            raise ValueError(f"tensor {name} has a shape or data offsets that are not sizes")
        shapes[name] = tuple(shape)
        end = max(end, stop)
    if size != _LENGTH.size + length + end:
        raise ValueError(
            f"{size} bytes where the header describes {_LENGTH.size + length + end}: "
            "cut short or added to"
        )
    return SafetensorsHeader(metadata, shapes)


def read_header(path: Path) -> SafetensorsHeader:
    """Read the header of the safetensors file `path`, and not its tensors.

    Parameters
    ----------
    path : Path
        The file; any name the system holds, valid UTF-8 or not.

    Returns
    -------
    SafetensorsHeader

    Raises
    ------
    OSError
        If the file cannot be read.
    ValueError
        If it is not a whole safetensors file (:func:`parse_header`).
    """
    with path.open("rb") as file:
        start = file.read(_LENGTH.size)
        length = _LENGTH.unpack(start)[0] if len(start) == _LENGTH.size else 0
        header = start + file.read(min(length, MAX_HEADER_BYTES + 1))
        size = file.seek(0, 2)
    return parse_header(header, size)
