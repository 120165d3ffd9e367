"""A simulation's description for a person rounds its numbers; a file's record keeps them all.

The Denoise panel and the reports showed "1760.2631583090076/pixel ... line integral
0-2.2351256953545597" while the status bar said "1,760".
"""

import numpy as np

from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, describe_simulation, phantom_image, simulate_low_dose_image

MEASURED = LowDoseSettings(
    dose=0.25,
    photons_per_pixel=1760.2631583090076,
    electronic_noise=4.0,
    seed=1,
    max_attenuation=2.2351256953545597,
    measured=True,
    photons_range=(1700.4, 1822.9),
)


def test_the_exact_record_reads_back_every_decimal():
    exact = MEASURED.describe()
    assert "1760.2631583090076/pixel" in exact and "line integral 0-2.2351256953545597" in exact
    assert exact == MEASURED.describe(exact=True)


def test_the_readable_line_has_five_significant_digits():
    readable = MEASURED.describe(exact=False)
    assert "quanta measured from the image's noise: 1,760.3/pixel at full dose" in readable
    assert "line integral 0-2.2351 over the stored range" in readable
    assert (
        "electronic noise 4.0 quanta rms" in readable
        and "one standard error 1,700-1,823" in readable
    )
    many = LowDoseSettings(dose=0.5, photons_per_pixel=123456.789, electronic_noise=4.25)
    assert (
        "(123,457 quanta/pixel at full dose, electronic noise 4.25 quanta rms, line integral 0-7"
        in (many.describe(exact=False))
    )
    plain = LowDoseSettings(dose=0.5, photons_per_pixel=20_000.0)
    assert plain.describe(exact=False) == plain.describe().replace("20000", "20,000")  # grouped


def test_describe_simulation_passes_the_choice_on():
    stored = phantom_image((64, 64), photons_per_pixel=2000.0, seed=0).astype(np.float32)
    source = XrayImage(stored, StoredMapping(bits_stored=12), Window(2048, 4096))
    low = simulate_low_dose_image(source, MEASURED)
    readable = describe_simulation(source, low, MEASURED, exact=False)
    assert "1,760.3/pixel" in readable and "; clipped at 0: " in readable
    assert "1760.2631583090076/pixel" in describe_simulation(source, low, MEASURED)
