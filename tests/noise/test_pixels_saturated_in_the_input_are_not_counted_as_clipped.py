"""Pixels already at an end of the range in the input are counted apart from those clipped.

Their quanta are censored (at least ``N0`` at the unattenuated end, at most
``N0 exp(-max_attenuation)`` at the other), and the simulation takes them as exactly the
end's, so about half come off the end: the output's pixels at an end were reported as
"clipped", fewer than the input held there, and not what the simulation clipped.
"""

import json

import numpy as np

from core.cli import main
from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, describe_simulation, phantom_image, simulate_low_dose_image
from core.noise.value_range import pixels_at_ends, value_range


def _saturated_source() -> XrayImage:
    pixels = phantom_image((256, 256), photons_per_pixel=20_000.0, seed=0).astype(np.float32)
    pixels[:, :32] = 0.0  # saturated behind no patient: 12.5 %
    pixels[-16:, 32:] = 4095.0  # a lead shutter at the attenuating end
    return XrayImage(pixels, StoredMapping(12), Window(2048, 4096))


def test_the_description_counts_the_inputs_own_pixels_at_the_ends_apart():
    source = _saturated_source()
    values = value_range(source)
    simulated = simulate_low_dose_image(source, LowDoseSettings(0.25, 20_000.0, seed=1))
    before, after = source.pixels, simulated.pixels
    newly = int(np.sum((after <= 0) & (before > 0))), int(np.sum((after >= 4095) & (before < 4095)))
    already = int(np.sum(before <= 0)), int(np.sum(before >= 4095))
    assert pixels_at_ends(simulated, values, source=source) == newly
    assert pixels_at_ends(source, values) == already
    # About half the censored pixels come off the end: the output holds fewer there.
    assert int(np.sum(after >= 4095)) < 0.6 * already[1]
    text = describe_simulation(source, simulated, LowDoseSettings(0.25, 20_000.0, seed=1))
    assert text.endswith(
        f"; clipped at 0: {newly[0]} pixels ({100 * newly[0] / after.size:.2g} %), "
        f"at 4095: {newly[1]} ({100 * newly[1] / after.size:.2g} %); already at an end in the "
        "input, simulated as holding exactly that end's quanta: "
        f"at 0: {already[0]} pixels ({100 * already[0] / after.size:.2g} %), "
        f"at 4095: {already[1]} ({100 * already[1] / after.size:.2g} %)"
    )


def test_an_input_clear_of_the_ends_says_only_what_was_clipped():
    pixels = phantom_image((128, 128), photons_per_pixel=20_000.0, seed=0).astype(np.float32)
    source = XrayImage(np.clip(pixels, 1.0, None), StoredMapping(12), Window(2048, 4096))
    simulated = simulate_low_dose_image(source, LowDoseSettings(0.1, 20_000.0, seed=1))
    text = describe_simulation(source, simulated, LowDoseSettings(0.1, 20_000.0, seed=1))
    assert "; clipped at 0: " in text and "already at an end" not in text


def test_simulate_records_both_counts(tmp_path, capsys):
    source = tmp_path / "saturated.npy"
    np.save(source, _saturated_source().pixels.astype(np.uint16))
    out = tmp_path / "low.npy"
    given = ["--dose", "0.25", "--photons", "20000", "--seed", "1", "--json"]
    assert main(["simulate", str(source), *given, "--output", str(out)]) == 0
    record = json.loads(capsys.readouterr().out)
    before, after = np.load(source), np.load(out)
    high = record["value_range"]["high"]
    assert record["input_at_ends"] == {
        "low": int(np.sum(before == 0)),
        "high": int(np.sum(before == high)),
    }
    assert record["clipped"] == {
        "low": int(np.sum((after <= 0) & (before > 0))),
        "high": int(np.sum((after >= high) & (before < high))),
    }
