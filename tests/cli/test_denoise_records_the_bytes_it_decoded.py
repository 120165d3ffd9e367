"""``denoise`` records the SHA-256 of the bytes it decoded, not of the file as it is later.

An input replaced while it was being denoised (a colleague's new export under the same
name, a sync client) must not be recorded as the source of an output made from the old
bytes: ``--skip-existing`` would keep that output as the new file denoised.
"""

import hashlib

import numpy as np
from PIL import Image

import core.cli.denoise
from core.cli import main
from core.io.source_record import SOURCE_RECORD, raster_description


def _film(path, seed):
    rng = np.random.default_rng(seed)
    Image.fromarray((20000 + rng.normal(0, 300, (48, 64))).astype(np.uint16)).save(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_input_replaced_after_it_was_read_is_recorded_as_read(
    tiny_model, tmp_path, monkeypatch, capsys
):
    source = tmp_path / "film.png"
    decoded = _film(source, 0)
    read = core.cli.denoise.read_numbered

    def read_then_replaced(path, frame):
        image = read(path, frame)
        _film(tmp_path / "new.png", 1)
        (tmp_path / "new.png").replace(path)
        return image

    monkeypatch.setattr(core.cli.denoise, "read_numbered", read_then_replaced)
    out = tmp_path / "out"
    options = ["--model", str(tiny_model), "--device", "cpu", "--views", "1"]
    assert main(["denoise", str(source), "--output-dir", str(out), *options]) == 0
    assert SOURCE_RECORD.findall(raster_description(out / "film.png")) == [
        (decoded, "number ", "1")
    ]
    capsys.readouterr()
    # The file now under that name was not denoised: --skip-existing does not keep it.
    monkeypatch.setattr(core.cli.denoise, "read_numbered", read)
    argv = ["denoise", str(source), "--output-dir", str(out), *options, "--skip-existing"]
    assert main(argv) == 2
    assert "exists, made from another input" in capsys.readouterr().err
