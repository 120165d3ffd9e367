"""``info`` marks the log detector's numbers as a fit because the model is one, not by its text.

The note "a fit to the noise, not a detector calibration" follows the noise model where
it is a :class:`core.noise.LogDetectorFit` of a radiograph's span, however that fit's
description is worded; the JSON keeps the description as it is and says what the model is
in ``noise_model_kind``, so that a program reading it need not parse the text either.
"""

import json

import pytest

from core.cli import main
from core.noise import LogDetectorFit

FIT = "(a fit to the noise, not a detector calibration)"


@pytest.fixture(scope="module")
def radiograph(tmp_path_factory):
    """A phantom of 20,000 quanta, whose noise a log detector fits."""
    path = tmp_path_factory.mktemp("info-fit") / "p.dcm"
    argv = ["phantom", str(path), "--size", "512", "--photons", "20000", "--compression", "raw"]
    assert main(argv) == 0
    return path


def _model_line(text):
    return next(line for line in text.splitlines() if line.startswith("  noise model "))


def test_the_fit_is_marked_however_its_description_reads(radiograph, capsys, monkeypatch):
    capsys.readouterr()
    # Reworded so that it no longer starts "log detector ": still the fit, still marked.
    monkeypatch.setattr(LogDetectorFit, "describe", lambda self: "curve fitted to the noise")
    assert main(["info", str(radiograph)]) == 0
    assert _model_line(capsys.readouterr().out) == (
        f"  noise model     curve fitted to the noise {FIT}"
    )
    assert main(["info", "--json", str(radiograph)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["noise_model"] == "curve fitted to the noise"
    assert summary["noise_model_kind"] == "log detector fit"


def test_a_model_that_is_no_fit_is_not_marked_whatever_its_text(png16, capsys, monkeypatch):
    import core.cli.info

    # A model text that reads like the fit's, from a model that is none.
    monkeypatch.setattr(
        core.cli.info,
        "_model",
        lambda noise, values: ("signal-independent", "log detector lookalike"),
    )
    assert main(["info", str(png16)]) == 0
    assert _model_line(capsys.readouterr().out) == "  noise model     log detector lookalike"


def test_the_json_says_what_kind_of_model_each_is(radiograph, png16, capsys):
    kinds = []
    for path in (radiograph, png16):
        assert main(["info", "--json", str(path)]) == 0
        summary = json.loads(capsys.readouterr().out)
        kinds.append(summary["noise_model_kind"])
        if summary["noise_model"] is None:
            assert summary["noise_model_kind"] is None
        else:
            assert summary["noise_model"].startswith(summary["noise_model_kind"]) or (
                summary["noise_model_kind"] == "log detector fit"
            )
    assert kinds[0] == "log detector fit"
    assert kinds[1] in (None, "signal-independent", "no radiograph's log detector")
