"""A checkpoint a later release wrote is refused as newer, not as an unsupported file."""

import pytest
import torch
from safetensors.torch import save_file

from core.training.checkpoint import CHECKPOINT_FORMAT, CHECKPOINT_VERSION, read_checkpoint


def _checkpoint(tmp_path, version, checkpoint_format=CHECKPOINT_FORMAT):
    path = tmp_path / "m.checkpoint.safetensors"
    metadata = {"format": checkpoint_format, "version": version}
    metadata |= {"step": "1", "config": "{}", "extra": "{}"}
    save_file({"model/w": torch.zeros(1)}, str(path), metadata=metadata)
    return path


def test_a_later_version_says_update(tmp_path):
    later = str(int(CHECKPOINT_VERSION) + 1)
    path = _checkpoint(tmp_path, later)
    with pytest.raises(ValueError) as refused:
        read_checkpoint(path)
    assert str(refused.value) == (
        f"{path}: made by a newer xray-denoise (format version {later}); "
        f"this version reads up to {CHECKPOINT_VERSION}: update to open it"
    )


@pytest.mark.parametrize("version", ["0", "1.5", "two"])
def test_other_versions_are_still_unsupported(tmp_path, version):
    path = _checkpoint(tmp_path, version)
    with pytest.raises(ValueError, match=f"unsupported checkpoint version {version}$"):
        read_checkpoint(path)


def test_a_file_of_another_format_is_still_not_a_checkpoint(tmp_path):
    path = _checkpoint(tmp_path, "2", "another-checkpoint")
    with pytest.raises(ValueError, match="is not an xray-denoise training checkpoint"):
        read_checkpoint(path)
