"""A weights file far longer than its header describes is refused before it is read."""

import json
import struct
from pathlib import Path

import pytest

from core.diffusion.model import card_path, load_model, save_model
from core.errors import ModelFileError


def test_a_sparse_4_gib_file_whose_header_describes_10_bytes(tmp_path, tiny_model, monkeypatch):
    path = tmp_path / "m.safetensors"
    save_model(tiny_model, path)  # for its card
    header = json.dumps({"t": {"dtype": "U8", "shape": [10], "data_offsets": [0, 10]}}).encode()
    with path.open("wb") as file:
        file.write(struct.pack("<Q", len(header)) + header + bytes(10))
        file.truncate(4 << 30)  # sparse: no disk space taken
    assert card_path(path).is_file()

    def read_bytes(self):
        raise AssertionError(f"{self} read whole")  # 4 GiB in memory

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(ModelFileError, match="unreadable weights") as refused:
        load_model(path)
    assert "where the header describes 80" in refused.value.reason
