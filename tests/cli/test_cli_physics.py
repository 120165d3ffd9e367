"""The command line's low-dose physics: what simulate, metrics and info say about an image."""

import json
import re

import numpy as np
import pytest
import tifffile
from PIL import Image
from scipy import ndimage

from core.cli import main
from core.display import auto_window
from core.io import read_image, write_new_dicom
from core.metrics import psnr
from core.noise import DetectorModel, chest_phantom, phantom_image


def phantom(tmp_path, name, *options):
    path = tmp_path / name
    assert main(["phantom", str(path), "--size", "512", "--compression", "raw", *options]) == 0
    return path


def test_simulate_warns_of_a_noise_free_input_and_draws_its_full_noise_on_request(tmp_path, capsys):
    clean = phantom(tmp_path, "clean.dcm")
    direct = phantom(tmp_path, "direct5k.dcm", "--photons", "5000")  # a real 25 % of 20,000
    capsys.readouterr()
    given = ["--dose", "0.25", "--photons", "20000", "--seed", "1"]
    assert main(["simulate", str(clean), *given, "--output", str(tmp_path / "thin.dcm")]) == 0
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{clean}: warning: its noise is ")
    assert "looks noise-free" in err and "give --noise-free-input if it is" in err
    assert "\n" not in err

    out = tmp_path / "full.dcm"
    assert main(["simulate", str(clean), *given, "--noise-free-input", "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "from a noise-free input" in captured.out
    reference = read_image(clean).pixels
    real = psnr(reference, read_image(direct).pixels, data_range=4095)
    assert psnr(reference, read_image(out).pixels, data_range=4095) == pytest.approx(real, abs=0.3)
    # Thinning the quanta of a noise-free image leaves a third of a dose's noise out.
    assert psnr(reference, read_image(tmp_path / "thin.dcm").pixels, data_range=4095) > real + 0.7


def test_simulate_with_the_quanta_of_a_noisy_input_does_not_warn(tmp_path, capsys):
    noisy = phantom(tmp_path, "noisy.dcm", "--photons", "20000")
    capsys.readouterr()
    args = ["simulate", str(noisy), "--dose", "0.5", "--photons", "20000"]
    assert main([*args, "--output", str(tmp_path / "low.dcm")]) == 0
    assert capsys.readouterr().err == ""


def test_noise_free_input_goes_with_the_quanta(tmp_path, capsys):
    clean = phantom(tmp_path, "clean.dcm")
    out = tmp_path / "low.dcm"
    assert (
        main(["simulate", str(clean), "--dose", "0.5", "--noise-free-input", "--output", str(out)])
        == 2
    )
    assert "--noise-free-input goes with --photons" in capsys.readouterr().err
    assert not out.exists()


def test_simulate_refuses_to_measure_the_quanta_behind_correlated_noise(tmp_path, capsys):
    detector = DetectorModel.from_range(0, 4095, photons_per_pixel=20_000.0)
    expected = 20_000.0 * np.exp(-chest_phantom((768, 768), seed=0))
    rng = np.random.default_rng(0)
    quanta = ndimage.gaussian_filter(rng.poisson(expected) + rng.normal(0, 4, expected.shape), 0.6)
    stored = np.clip(np.rint(detector.values(-np.log(np.maximum(quanta, 1) / 20_000))), 0, 4095)
    stored = stored.astype(np.uint16)
    path = write_new_dicom(
        stored,
        tmp_path / "blurred.dcm",
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=(0.4, 0.4),
        patient_name="SYNTHETIC^PHANTOM",
        patient_id="SYNTHETIC",
        description="blurred",
        window=auto_window(stored.astype(np.float32)),
    )
    assert main(["simulate", str(path), "--dose", "0.25", "--output", str(tmp_path / "a.dcm")]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith(
        f"{path}: warning: cannot measure the quanta from its noise (its noise is correlated "
        "between neighbouring pixels"
    )
    assert captured.err.rstrip().endswith("assuming 50000 per pixel (give them with --photons)")
    assert "(50000 quanta/pixel at full dose" in captured.out


def test_simulate_measures_12_bit_data_in_a_16_bit_png(tmp_path, capsys):
    path = tmp_path / "twelve.png"
    Image.fromarray(phantom_image((512, 512), photons_per_pixel=20_000.0, seed=0)).save(path)
    assert read_image(path).mapping.bits_stored == 16  # no sBIT says otherwise
    assert main(["simulate", str(path), "--dose", "0.25", "--output", str(tmp_path / "a.png")]) == 0
    said = capsys.readouterr()
    assert said.err == "" and "quanta measured from the image's noise" in said.out
    photons = float(said.out.split("noise: ")[1].split("/pixel")[0])
    assert photons == pytest.approx(20_000, rel=0.15)


def test_a_measured_simulation_is_reproduced_from_what_it_records(tmp_path, capsys):
    source = phantom(tmp_path, "full.dcm", "--photons", "20000", "--seed", "3")
    capsys.readouterr()
    first, second = tmp_path / "first.dcm", tmp_path / "second.dcm"
    assert (
        main(["simulate", str(source), "--dose", "0.25", "--seed", "4", "--output", str(first)])
        == 0
    )
    said = capsys.readouterr().out
    photons = re.search(r"noise: ([0-9.e+-]+)/pixel", said)[1]
    electronic = re.search(r"electronic noise ([0-9.e+-]+) quanta", said)[1]
    span = re.search(r"line integral 0-([0-9.e+-]+) over", said)[1]
    again = ["--photons", photons, "--electronic-noise", electronic, "--max-attenuation", span]
    assert (
        main(
            [
                "simulate",
                str(source),
                "--dose",
                "0.25",
                "--seed",
                "4",
                *again,
                "--output",
                str(second),
            ]
        )
        == 0
    )
    np.testing.assert_array_equal(read_image(first).pixels, read_image(second).pixels)


def test_metrics_of_float_images_outside_the_unit_interval_use_the_references_span(
    tmp_path, capsys
):
    clean = phantom_image((128, 128), seed=0).astype(np.float32)
    noisy = phantom_image((128, 128), photons_per_pixel=5000.0, seed=0).astype(np.float32)
    tifffile.imwrite(tmp_path / "clean.tif", clean)
    tifffile.imwrite(tmp_path / "noisy.tif", noisy)
    files = [str(tmp_path / "clean.tif"), str(tmp_path / "noisy.tif")]
    span = float(clean.max() - clean.min())
    assert main(["metrics", *files, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["data_range"] == span
    assert result["data_range_source"] == (
        "the reference's maximum minus minimum of floating-point values outside [0, 1]"
    )
    assert result["psnr"] == pytest.approx(psnr(clean, noisy, data_range=span))
    assert main(["metrics", *files]) == 0
    assert f"(data range {span:g}, the reference's maximum minus minimum" in capsys.readouterr().out
    assert main(["metrics", *files, "--json", "--data-range", "4095"]) == 0
    assert json.loads(capsys.readouterr().out)["data_range_source"] == "given"


def test_metrics_warn_when_the_images_are_on_different_scales(tmp_path, capsys):
    picture = (phantom_image((64, 64), seed=0) // 16).astype(np.uint8)
    Image.fromarray(picture).save(tmp_path / "eight.png")
    Image.fromarray(picture.astype(np.uint16) * 257).save(tmp_path / "sixteen.png")
    eight, sixteen = str(tmp_path / "eight.png"), str(tmp_path / "sixteen.png")
    assert main(["metrics", eight, sixteen]) == 0
    scale, beyond = capsys.readouterr().err.strip().splitlines()
    assert scale == (
        f"{sixteen}: warning: its values are on another scale than the reference's "
        "(16-bit stored values, MONOCHROME2 against 8-bit stored values, MONOCHROME2); "
        "they are compared as they are"
    )
    assert beyond.startswith(f"{eight}: warning: a compared image's values, 0 to ")  # not 255
    assert main(["metrics", eight, eight]) == 0
    assert capsys.readouterr().err == ""


def test_info_names_signal_independent_noise_as_such(tmp_path, capsys):
    line_integral = chest_phantom((768, 768), seed=0)
    noise = np.random.default_rng(0).normal(0, 5, line_integral.shape)
    stored = np.clip(np.rint(line_integral * 585 + noise), 0, 4095).astype(np.uint16)
    path = tmp_path / "gaussian.png"
    Image.fromarray(stored).save(path)  # 12-bit data in a 16-bit PNG
    assert main(["info", str(path), "--json"]) == 0
    model = json.loads(capsys.readouterr().out)["noise_model"]
    assert model.startswith("signal-independent, std ")
    assert "over its range of values, 0 to 4095 in 12 of its 16 bits, too few" in model
