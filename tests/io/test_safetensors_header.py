"""The safetensors header reader agrees with safetensors and refuses what it refuses."""

import json
import struct

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save, save_file

from core.io.safetensors_header import parse_header, read_header


def test_it_reads_what_safetensors_reads(tmp_path):
    path = tmp_path / "t.safetensors"
    tensors = {
        "a": torch.zeros(2, 3),
        "b.c": torch.ones(4, dtype=torch.float16),
        "s": torch.ones(()),
    }
    save_file(tensors, path, metadata={"format": "x", "note": "é"})
    header = read_header(path)
    with safe_open(str(path), framework="pt") as f:
        assert header.metadata == f.metadata()
        assert header.shapes == {key: tuple(f.get_slice(key).get_shape()) for key in f.keys()}
    assert header == parse_header(path.read_bytes())
    assert parse_header(save({"a": torch.zeros(1)})).metadata == {}


def _file(header: dict, data: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x01", "too short"),
        (struct.pack("<Q", 10**9) + b"{}", "does not fit"),
        (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
        (struct.pack("<Q", 2) + b"{x", "not JSON"),
        (_file({"__metadata__": {"a": 1}}), "metadata is not a map of strings"),
        (_file({"a": {"dtype": "F32", "shape": [1]}}), "no shape and data offsets"),
        (_file({"a": {"dtype": "F32", "shape": 5, "data_offsets": [0, 4]}}), "no shape"),
        (_file({"a": {"dtype": "F32", "shape": None, "data_offsets": [0, 4]}}), "no shape"),
        (_file({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}), "no shape"),
        (_file({"a": [1, 2]}), "no shape and data offsets"),
        (_file({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"0000"), "sizes"),
        (_file({"a": {"dtype": "F32", "shape": [True], "data_offsets": [0, 4]}}, b"0000"), "sizes"),
        (_file({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"00"), "cut short"),
        (_file({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"000000"), "added"),
    ],
)
def test_what_is_not_a_whole_file_is_refused(data, reason):
    with pytest.raises(ValueError, match=reason):
        parse_header(data)


def test_a_file_cut_short_is_refused_by_its_size(tmp_path):
    path = tmp_path / "t.safetensors"
    save_file({"a": torch.zeros(100)}, path)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="cut short"):
        read_header(path)
    with pytest.raises(FileNotFoundError):
        read_header(tmp_path / "missing.safetensors")
