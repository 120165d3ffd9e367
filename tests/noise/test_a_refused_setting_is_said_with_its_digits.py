"""A setting just beyond its limit is said with the digits that put it there.

``--dose 1.0000001`` was refused as "in (0, 1], got 1".
"""

import pytest

from core.noise.dose import MAX_PHOTONS_PER_PIXEL, DetectorModel, LowDoseSettings


@pytest.mark.parametrize(
    ("dose", "said"), [(1.0000001, "1.0000001"), (1 + 2**-52, "1.0000000000000002"), (2.0, "2")]
)
def test_a_dose_above_1(dose, said):
    with pytest.raises(ValueError, match=rf"in \(0, 1\], got {said};"):
        LowDoseSettings(dose=dose)


def test_quanta_just_above_the_largest():
    with pytest.raises(ValueError, match=r"got 1000000001000\.0$"):
        DetectorModel(0.0, 1.0, photons_per_pixel=MAX_PHOTONS_PER_PIXEL + 1000)


def test_an_attenuation_span_just_above_the_largest():
    with pytest.raises(ValueError, match=r"at most 20, got 20\.000001:"):
        LowDoseSettings(dose=0.5, max_attenuation=20.000001)
