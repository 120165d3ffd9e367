"""``--minutes`` and ``--focus-sigma`` take finite values in the schedule, refused in one line."""

import pytest

from core.diffusion.schedule import NoiseSchedule
from core.training.__main__ import main

pytestmark = pytest.mark.usefixtures("restore_logging")


def _run(image_folder, tmp_path, *extra):
    out = tmp_path / "run" / "m.safetensors"
    given = [str(image_folder), "--output", str(out), "--device", "cpu", "--no-progress"]
    given += ["--batch-size", "2", "--patch-size", "16", "--steps", "1", "--architecture", "tiny"]
    return main([*given, *extra])


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--minutes", "nan"], "minutes must be a finite number above 0, got nan"),
        (["--minutes", "inf"], "minutes must be a finite number above 0, got inf"),
        (["--focus-sigma", "0.005", "inf"], "both finite"),
        (["--focus-sigma", "nan", "0.3"], "both finite"),
        (["--focus-sigma", "30000", "40000"], "largest noise level"),
    ],
)
def test_a_value_out_of_range_is_refused_before_anything_is_written(
    image_folder, tmp_path, capsys, extra, said
):
    assert _run(image_folder, tmp_path, *extra) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0]
    assert not (tmp_path / "run").exists()


def test_the_refusal_names_the_largest_noise_level(image_folder, tmp_path, capsys):
    assert _run(image_folder, tmp_path, "--focus-sigma", "30000", "40000") == 2
    assert f"{NoiseSchedule().sigma_max:.4g}" in capsys.readouterr().err


def test_a_range_up_to_the_largest_noise_level_is_taken(image_folder, tmp_path):
    top = NoiseSchedule().sigma_max
    assert _run(image_folder, tmp_path, "--focus-sigma", "0.005", repr(top)) == 0
