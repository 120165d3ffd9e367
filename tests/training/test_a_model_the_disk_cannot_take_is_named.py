"""A model export the disk cannot take is named, leaves no temporary file, keeps the model before.

The weights and the card are each written whole to a temporary name before either is renamed
into place; a failed write (a full disk, a file-size limit) removes its temporary files, says
which file and why in one line (bad input to the command line: exit 2), and leaves the earlier
weights and card, a pair that loads. The bytes written are those safetensors writes, with the
header's keys sorted.
"""

import contextlib
import errno
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

import core.diffusion.model as model_module
from core.diffusion.model import (
    CARD_FORMAT,
    DiffusionModel,
    load_model,
    save_model,
    weights_metadata,
)
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.errors import ImageWriteError, error_line, is_bad_input
from core.resources import file_sha256

ROOT = Path(__file__).resolve().parents[2]

_SAVE_THEN_LIMIT = """
import json, resource, sys, torch
from pathlib import Path
from core.diffusion.model import DiffusionModel, save_model
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.errors import error_line, is_bad_input
path = Path(sys.argv[1])
torch.manual_seed(0)
save_model(DiffusionModel(UNet(UNetConfig.tiny()), NoiseSchedule()), path)
resource.setrlimit(resource.RLIMIT_FSIZE, (path.stat().st_size // 2, resource.RLIM_INFINITY))
try:
    save_model(DiffusionModel(UNet(UNetConfig.tiny()), NoiseSchedule()), path)
except Exception as error:
    print(json.dumps([type(error).__name__, error_line(error), is_bad_input(error)]))
"""


def _model(seed: int) -> DiffusionModel:
    torch.manual_seed(seed)
    return DiffusionModel(UNet(UNetConfig.tiny()).eval(), NoiseSchedule())


def _same_weights(loaded: DiffusionModel, saved: DiffusionModel) -> bool:
    expected = saved.network.state_dict()
    return all(torch.equal(v, expected[k]) for k, v in loaded.network.state_dict().items())


@pytest.mark.skipif(os.name != "posix", reason="file-size limits are POSIX")
def test_weights_the_disk_cannot_take_are_named_and_the_model_before_is_kept(tmp_path):
    path = tmp_path / "m.safetensors"
    done = subprocess.run(
        [sys.executable, "-c", _SAVE_THEN_LIMIT, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    kind, line, bad_input = json.loads(done.stdout.strip().splitlines()[-1])
    assert (kind, line, bad_input) == ("ImageWriteError", f"{path}: File too large", True)
    assert sorted(os.listdir(tmp_path)) == ["m.json", "m.safetensors"]  # no temporary file
    assert _same_weights(load_model(path), _model(0))  # the first save, whole


def test_a_card_the_disk_cannot_take_is_named_and_the_model_before_is_kept(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    earlier = _model(0)
    save_model(earlier, path)
    real = model_module.atomic_write

    @contextlib.contextmanager
    def card_disk_full(destination, **options):
        with real(destination, **options) as file:
            if Path(destination).suffix == ".json":
                file.write(b"{")
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            yield file

    monkeypatch.setattr(model_module, "atomic_write", card_disk_full)
    with pytest.raises(ImageWriteError) as caught:
        save_model(_model(1), path)
    assert error_line(caught.value) == f"{tmp_path / 'm.json'}: {os.strerror(errno.ENOSPC)}"
    assert is_bad_input(caught.value)
    assert sorted(os.listdir(tmp_path)) == ["m.json", "m.safetensors"]  # no temporary file
    assert _same_weights(load_model(path), earlier)  # neither file of the failed save in place


def test_the_weights_are_the_bytes_safetensors_writes_with_a_sorted_header(tmp_path):
    model = _model(2)
    path = tmp_path / "m.safetensors"
    card = save_model(model, path)
    reference = tmp_path / "reference.safetensors"
    metadata = {"format": CARD_FORMAT, **weights_metadata(model.network.config, model.schedule)}
    save_file(model.network.state_dict(), reference, metadata=metadata)
    data = reference.read_bytes()
    (length,) = struct.unpack_from("<Q", data)
    header = json.dumps(json.loads(data[8 : 8 + length]), sort_keys=True, separators=(",", ":"))
    header += " " * (-len(header) % 8)
    expected = struct.pack("<Q", len(header)) + header.encode() + data[8 + length :]
    assert path.read_bytes() == expected
    assert card.weights_sha256 == file_sha256(path)


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_the_weights_can_be_read_by_all_whatever_the_umask(tmp_path):
    umask = os.umask(0o077)
    try:
        save_model(_model(0), tmp_path / "m.safetensors")
    finally:
        os.umask(umask)
    assert (tmp_path / "m.safetensors").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "m.json").stat().st_mode & 0o777 == 0o600  # as the umask says
