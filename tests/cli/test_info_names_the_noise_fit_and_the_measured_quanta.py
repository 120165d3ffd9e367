"""``info`` says its noise model's numbers are a fit, and gives the quanta as simulate does.

The slope, quanta and electronic noise of the log detector fitted to the noise trade
against one another: they are the fit's, not a detector calibration. The quanta behind
the image are given where ``simulate`` measures them, with their standard error, and
where it refuses, with its reason.
"""

import json

import pytest

from core.cli import main
from core.io import read_image
from core.noise import LowDoseSettings

FIT = "(a fit to the noise, not a detector calibration)"


@pytest.fixture(scope="module")
def radiograph(tmp_path_factory):
    """A 512-pixel phantom of 20,000 quanta: large enough to measure its quanta."""
    path = tmp_path_factory.mktemp("info") / "p.dcm"
    argv = ["phantom", str(path), "--size", "512", "--photons", "20000", "--compression", "raw"]
    assert main(argv) == 0
    return path


def test_info_gives_the_quanta_simulate_measures_with_their_standard_error(radiograph, capsys):
    capsys.readouterr()
    settings = LowDoseSettings.measured_from(read_image(radiograph), 1.0)
    low, high = settings.photons_range
    assert main(["info", str(radiograph)]) == 0
    text = capsys.readouterr().out
    model = next(line for line in text.splitlines() if line.startswith("  noise model "))
    assert model.startswith("  noise model     log detector ") and model.endswith(FIT)
    assert (
        f"  quanta          {settings.photons_per_pixel:.0f}/pixel behind no attenuation, "
        f"one standard error {low:.0f}-{high:.0f} (measured from the noise as simulate does, "
        "electronic noise 4.0 quanta rms assumed)"
    ) in text
    assert main(["info", "--json", str(radiograph)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["measured_quanta"] == {
        "per_pixel": settings.photons_per_pixel,
        "standard_error": [low, high],
        "electronic_noise_assumed": 4.0,
    }
    assert summary["measured_quanta_problem"] is None
    assert summary["noise_model"].startswith("log detector")  # the fit, as before


def test_info_says_why_the_quanta_are_not_measured(png16, capsys):
    with pytest.raises(ValueError) as refused:
        LowDoseSettings.measured_from(read_image(png16), 1.0)
    assert main(["info", str(png16)]) == 0
    assert f"  quanta          not measured: {refused.value}\n" in capsys.readouterr().out
    assert main(["info", "--json", str(png16)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["measured_quanta"] is None
    assert summary["measured_quanta_problem"] == str(refused.value)


def test_simulate_json_records_the_measured_quanta_info_gives(radiograph, tmp_path, capsys):
    capsys.readouterr()
    assert main(["info", "--json", str(radiograph)]) == 0
    quanta = json.loads(capsys.readouterr().out)["measured_quanta"]
    low = tmp_path / "low.dcm"
    assert main(["simulate", str(radiograph), "--dose", "0.5", "--output", str(low), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["photons_measured"] is True
    assert record["photons_per_pixel"] == quanta["per_pixel"]
    assert record["photons_standard_error"] == quanta["standard_error"]
