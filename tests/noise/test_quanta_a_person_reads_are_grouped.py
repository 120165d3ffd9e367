"""Quanta a person reads group their thousands, as the status bar and the dose dialog do.

The same simulation of the bundled sample read "19,916" in the status bar and the dose
dialog but "19916/pixel at full dose, one standard error 19188-20671" in the Denoise
panel and the report. A file's record (the DICOM DerivationDescription, the CLI's line)
keeps its numbers plain, to be given back as ``--photons``.
"""

import pytest

from core.noise import LowDoseSettings

SAMPLE = LowDoseSettings(
    dose=0.1,
    photons_per_pixel=19915.70484168069,
    electronic_noise=4.0,
    seed=0,
    max_attenuation=7.031021711734023,
    measured=True,
    photons_range=(19188.3, 20670.9),
)
"""The bundled sample's measured settings at a 10 % dose."""


def test_the_readable_line_groups_the_measured_quanta_and_their_error():
    readable = SAMPLE.describe(exact=False)
    assert (
        "quanta measured from the image's noise: 19,916/pixel at full dose, "
        "one standard error 19,188-20,671, electronic noise 4.0 quanta rms" in readable
    )


def test_the_record_keeps_its_numbers_plain():
    exact = SAMPLE.describe()
    assert "19915.70484168069/pixel at full dose, one standard error 19188-20671," in exact
    assert "," not in exact.split("line integral")[1].split(" over ")[0]


@pytest.mark.parametrize(
    ("photons", "text"),
    [
        (20_000.0, "20,000"),
        (1760.2631583090076, "1,760.3"),
        (123_456.789, "123,457"),
        (99_999.7, "100,000"),
        (1e6, "1,000,000"),
        (500.0, "500"),
    ],
)
def test_assumed_quanta_are_grouped_and_rounded(photons, text):
    settings = LowDoseSettings(dose=0.5, photons_per_pixel=photons)
    assert f"dose ({text} quanta/pixel at full dose," in settings.describe(exact=False)
