"""A dose in percent is read as the command line's ``--dose``, down to the smallest dose.

The dose dialog divided its percent by 100 (0.7 % was 0.006999999999999999, not the
0.007 ``--dose 0.007`` gives) and stopped at 0.5 %. Its limit is now the smallest dose
a simulation runs at.
"""

import math

import numpy as np
import pytest

from core.noise.dose import (
    MAX_PHOTONS_PER_PIXEL,
    MIN_DOSE,
    DetectorModel,
    dose_fraction,
    dose_percent,
    simulate_low_dose,
)


@pytest.mark.parametrize(
    ("percent", "cli"),
    [
        (0.7, "0.007"),
        (0.35, "0.0035"),
        (1.1, "0.011"),
        (25.0, "0.25"),
        (100.0, "1"),
        (1e-5, "1e-7"),
    ],
)
def test_a_percent_is_the_dose_the_command_line_reads(percent, cli):
    assert dose_fraction(percent) == float(cli)


@pytest.mark.parametrize("dose", [0.25, 0.002, 0.00123, 0.0123456789, 1.23456789e-7, MIN_DOSE])
def test_a_percent_written_exactly_reads_back_as_its_dose(dose):
    assert dose_fraction(float(dose_percent(dose, exact=True))) == dose


def test_the_smallest_dose_is_the_smallest_a_simulation_runs_at():
    detector = DetectorModel.from_range(0.0, 4095.0, photons_per_pixel=MAX_PHOTONS_PER_PIXEL)
    pixels = np.full((4, 4), 100.0)
    rng = np.random.default_rng(0)
    assert np.isfinite(simulate_low_dose(pixels, dose=MIN_DOSE, detector=detector, rng=rng)).all()
    with pytest.raises(ValueError, match="less than one quantum"):
        simulate_low_dose(pixels, dose=math.nextafter(MIN_DOSE, 0.0), detector=detector, rng=rng)
