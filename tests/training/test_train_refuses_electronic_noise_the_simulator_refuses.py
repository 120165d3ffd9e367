"""A validation electronic noise the simulator refuses is refused before training starts.

Above :data:`core.noise.dose.MAX_ELECTRONIC_NOISE` the dose validation could only fail
after the images are read (after a warning blaming the image's noise), so the run
configuration refuses it, and the command line writes nothing.
"""

from pathlib import Path

import pytest

from core.noise.dose import MAX_ELECTRONIC_NOISE
from core.training.__main__ import main
from core.training.config import TrainConfig

pytestmark = pytest.mark.usefixtures("restore_logging")


def _config(noise: float) -> TrainConfig:
    return TrainConfig(data=Path("data"), output=Path("m.safetensors"), val_electronic_noise=noise)


@pytest.mark.parametrize("noise", [5000.0, MAX_ELECTRONIC_NOISE * (1 + 1e-12), float("nan")])
def test_more_than_the_simulator_takes_is_refused(noise):
    with pytest.raises(ValueError, match=r"^val_electronic_noise must lie in \[0, 1000\]"):
        _config(noise)


def test_the_simulators_limit_is_taken():
    assert _config(MAX_ELECTRONIC_NOISE).val_electronic_noise == MAX_ELECTRONIC_NOISE


def test_the_command_line_refuses_it_in_one_line_writing_nothing(image_folder, tmp_path, capsys):
    out = tmp_path / "new" / "m.safetensors"
    args = [str(image_folder), "--output", str(out), "--architecture", "tiny", "--steps", "1"]
    args += ["--device", "cpu", "--val-doses", "0.25", "--val-electronic-noise", "5000"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "python -m core.training: error: --val-electronic-noise 5000: give a number of quanta "
        "from 0 to 1000"
    ]
    assert not (tmp_path / "new").exists()
