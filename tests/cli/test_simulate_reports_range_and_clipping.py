"""simulate names the range of values it spans and the pixels clipped at each end."""

import numpy as np
from PIL import Image

from core.cli import main
from core.io import read_image
from core.noise import phantom_image


def test_simulate_names_the_range_and_counts_clipped_pixels(tmp_path, capsys):
    path = tmp_path / "twelve.png"
    full = phantom_image((128, 128), photons_per_pixel=20_000.0, seed=0)
    Image.fromarray(full).save(path)
    out = tmp_path / "low.png"
    given = ["--dose", "0.1", "--photons", "20000", "--output", str(out)]
    assert main(["simulate", str(path), *given]) == 0
    said = capsys.readouterr()
    assert said.err == ""
    assert "over the range 0 to 4095 in 12 of its 16 bits" in said.out
    low = read_image(out).pixels
    # Clipped by the simulation: the phantom's background already at 0 is counted apart.
    at_zero, at_top = int(np.sum((low <= 0) & (full > 0))), int(np.sum(low >= 4095))
    already = int(np.sum(full == 0))
    assert at_zero > 0 and already > 0
    share = f"{100 * at_zero / low.size:.2g} %"
    assert f"clipped at 0: {at_zero} pixels ({share}), at 4095: {at_top} (" in said.out
    assert (
        "already at an end in the input, simulated as holding exactly that end's quanta: "
        f"at 0: {already} pixels (" in said.out
    )


def test_simulate_warns_where_a_handful_of_pixels_set_the_bits(tmp_path, capsys):
    pixels = phantom_image((128, 128), photons_per_pixel=20_000.0, seed=0)
    pixels[0, 0] = 4096
    path = tmp_path / "stray.png"
    Image.fromarray(pixels).save(path)
    given = ["--dose", "0.25", "--photons", "20000", "--output", str(tmp_path / "low.png")]
    assert main(["simulate", str(path), *given]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"{path}: warning: its range of values, 0 to 8191 in 13 of its 16 bits")
    assert "rests on 1 of its 16384 pixels" in err
