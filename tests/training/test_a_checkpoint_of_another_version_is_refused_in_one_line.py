"""A checkpoint holding settings this version does not know is refused in one line, not a bug.

Commit d7079b2 stored ``physical_noise`` (reverted later); a later release may store
fields of its own. ``--resume`` died with "unexpected TypeError ... (a bug)", exit 1. A
retired field that trained as this version trains (no physical noise) is now dropped and
the run resumes; any other is refused, naming it (exit 2).
"""

import json

import pytest
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from core.training.__main__ import main
from core.training.config import TrainConfig

pytestmark = pytest.mark.usefixtures("restore_logging")


def _rewrite_config(path, **fields):
    with safe_open(str(path), "pt") as f:
        metadata = f.metadata()
    config = json.loads(metadata["config"])
    metadata["config"] = json.dumps({**config, **fields})
    save_file(load_file(str(path)), str(path), metadata=metadata)


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"physical_noise": {"fraction": 0.0, "electronic_noise": [0.0, 8.0]}}, 0),
        ({"physical_noise": {"fraction": 0.5}}, 2),
        ({"sharpening": 1.5}, 2),
    ],
    ids=["retired-and-off", "retired-and-on", "unknown"],
)
def test_resume_takes_or_refuses_fields_it_does_not_know(
    image_folder, tmp_path, capsys, fields, status
):
    out = tmp_path / "m.safetensors"
    given = [str(image_folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    given += ["--batch-size", "2", "--patch-size", "16", "--val-every", "0", "--warmup-steps", "0"]
    assert main([*given, "--architecture", "tiny", "--steps", "1"]) == 0
    _rewrite_config(tmp_path / "m.checkpoint.safetensors", **fields)
    capsys.readouterr()
    assert main([*given, "--resume", "--steps", "2"]) == status
    err = capsys.readouterr().err
    if status:
        (line,) = [line for line in err.splitlines() if "error" in line]
        assert f"cannot train with: {next(iter(fields))} (stored by another version" in line
        assert "a bug" not in err and "Traceback" not in err


def test_from_config_names_every_field_it_does_not_know(tmp_path):
    stored = TrainConfig(data=tmp_path, output=tmp_path / "m.safetensors").to_config()
    with pytest.raises(ValueError, match="cannot train with: a, b "):
        TrainConfig.from_config({**stored, "b": 1, "a": 2})
