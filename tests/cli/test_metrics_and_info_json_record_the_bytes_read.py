"""``metrics --json`` and ``info --json`` record the SHA-256 of the bytes they read and
measured (``XrayImage.source_sha256``), as ``denoise --json`` does: they hashed each input a
second time after reading it, recording the file as it was by then."""

import hashlib
import json
import shutil

import core.cli.frames
import core.cli.metrics
from core.cli import main


def _changed_once_read(monkeypatch, *modules):
    """Make the reads of `modules` append to each file once it is read (another program)."""
    for module in modules:
        real = module.read_image

        def read(path, *args, real=real, **kwargs):
            image = real(path, *args, **kwargs)
            with open(path, "ab") as file:
                file.write(b"written to after it was read")
            return image

        monkeypatch.setattr(module, "read_image", read)


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_metrics_json_records_the_bytes_compared(png16, tmp_path, monkeypatch, capsys):
    test = shutil.copy(png16, tmp_path / "test.png")
    as_read = _sha256(png16), _sha256(test)
    _changed_once_read(monkeypatch, core.cli.frames, core.cli.metrics)
    assert main(["metrics", str(png16), str(test), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["reference_sha256"], record["test_sha256"]) == as_read
    assert _sha256(png16) != as_read[0]  # the files did change after they were read


def test_info_json_records_the_bytes_described(three_frame_dicom, monkeypatch, capsys):
    as_read = _sha256(three_frame_dicom)
    _changed_once_read(monkeypatch, core.cli.frames)
    assert main(["info", "--json", "--frame", "2", str(three_frame_dicom)]) == 0
    assert json.loads(capsys.readouterr().out)["input_sha256"] == as_read
