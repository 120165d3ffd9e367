import json
import math
import subprocess
import sys

import numpy as np
import pydicom
import pytest
from PIL import Image

from core.cli import main
from core.io import read_image


def test_info_describes_several_files(ct, png16, capsys):
    assert main(["info", str(ct), str(png16), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["format"] for line in lines] == ["dicom", "png"]
    assert lines[0]["rows"] == 128 and lines[0]["modality"] == "CT"
    assert lines[0]["transfer_syntax"]
    assert lines[1]["bits_stored"] == 16
    assert all(line["noise_sigma"] > 0 for line in lines)
    # Not on a terminal (as here): no progress bar on stderr.
    assert main(["info", str(ct), str(png16)]) == 0
    assert capsys.readouterr().err == ""


def test_info_text_names_the_fields(ct, capsys):
    assert main(["info", str(ct)]) == 0
    out = capsys.readouterr().out
    for field in ("size", "bits stored", "photometric", "modality", "transfer syntax", "window"):
        assert field in out
    assert "noise (est.)" in out and "noise model" in out


def test_info_names_the_log_detector_of_a_low_dose_radiograph(tmp_path, png16, capsys):
    from PIL import Image

    from core.noise import DetectorModel, phantom_image, simulate_low_dose

    detector = DetectorModel.from_range(0.0, 4095.0)
    clean = phantom_image((384, 384), seed=0).astype(np.float64)
    noisy = simulate_low_dose(
        clean, dose=0.05, detector=detector, rng=np.random.default_rng(0), input_is_noisy=False
    )
    film = tmp_path / "low.png"
    Image.fromarray(np.round(noisy * 16).astype(np.uint16)).save(film)  # 16-bit PNG
    assert main(["info", str(film), str(png16), "--json"]) == 0
    low, gaussian = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert low["noise_model"].startswith("log detector")
    # The small textured film leaves one noise-level bin: no detector is fitted to it.
    assert gaussian["noise_model"] is None


def test_info_reports_a_bad_file_by_name_and_goes_on(ct, tmp_path, capsys):
    bad = tmp_path / "bad.dcm"
    bad.write_bytes(b"not a dicom at all")
    assert main(["info", str(bad), str(ct), "--json"]) == 2
    captured = capsys.readouterr()
    assert "bad.dcm" in captured.err
    assert "Traceback" not in captured.err
    failed, described = (json.loads(line) for line in captured.out.splitlines())
    assert failed["file"] == str(bad) and failed["error"].startswith(str(bad))
    assert "error" not in described and described["file"] == str(ct)


def test_info_describes_an_image_whose_noise_cannot_be_measured(ct, tmp_path, capsys):
    from PIL import Image

    flat, tiny = tmp_path / "flat.png", tmp_path / "tiny.png"
    Image.fromarray(np.full((64, 64), 100, np.uint8)).save(flat)
    Image.fromarray(np.zeros((5, 5), np.uint8)).save(tiny)
    assert main(["info", str(flat), str(tiny), str(ct), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["rows"] for line in lines] == [64, 5, 128]
    assert lines[0]["noise_sigma"] is None and "smooth unclipped" in lines[0]["noise_problem"]
    assert lines[1]["noise_sigma"] is None and "at least 9 x 9" in lines[1]["noise_problem"]
    assert lines[2]["noise_sigma"] > 0 and lines[2]["noise_problem"] is None
    assert main(["info", str(flat)]) == 0
    assert "noise (est.)    not measurable: cannot estimate" in capsys.readouterr().out


def test_simulate_dicom_gives_a_derived_dicom(ct, tmp_path, capsys):
    out = tmp_path / "low.dcm"
    before = ct.read_bytes()
    given = ["--dose", "0.25", "--photons", "20000", "--seed", "1", "--output", str(out)]
    assert main(["simulate", str(ct), *given]) == 0
    assert ct.read_bytes() == before
    derived = pydicom.dcmread(out)
    source = pydicom.dcmread(ct)
    assert derived.SOPInstanceUID != source.SOPInstanceUID
    assert list(derived.ImageType)[:2] == ["DERIVED", "SECONDARY"]
    assert "25 % dose" in derived.DerivationDescription
    assert "seed 1" in derived.DerivationDescription
    assert derived.PatientID == source.PatientID
    original, low = read_image(ct), read_image(out)
    assert low.shape == original.shape
    assert not np.array_equal(low.pixels, original.pixels)


def test_simulate_measures_the_quanta_from_the_images_noise(tmp_path, capsys):
    full = tmp_path / "full.dcm"
    assert main(["phantom", str(full), "--size", "512", "--photons", "20000", "--seed", "1"]) == 0
    capsys.readouterr()
    assert main(["simulate", str(full), "--dose", "0.25", "--output", str(tmp_path / "a.dcm")]) == 0
    said = capsys.readouterr().out
    assert "quanta measured from the image's noise" in said
    photons = float(said.split("noise: ")[1].split("/pixel")[0])
    assert photons == pytest.approx(20_000, rel=0.15)
    assert "quanta measured" in pydicom.dcmread(tmp_path / "a.dcm").DerivationDescription
    given = ["--photons", "20000", "--output", str(tmp_path / "b.dcm")]
    assert main(["simulate", str(full), "--dose", "0.25", *given]) == 0
    assert "(20000 quanta/pixel at full dose" in capsys.readouterr().out
    span_only = ["--max-attenuation", "6", "--output", str(tmp_path / "c.dcm")]
    assert main(["simulate", str(full), "--dose", "0.25", *span_only]) == 2
    assert "--max-attenuation goes with --photons" in capsys.readouterr().err
    assert not (tmp_path / "c.dcm").exists()


def test_simulate_assumes_the_default_quanta_where_they_cannot_be_measured(tmp_path, capsys):
    # Gaussian noise of one level: no log detector, so the documented default is used (on an
    # image large enough to tell that it has noise of its own: png16's 96 x 128 is refused).
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:192, 0:256]
    values = 20000 + 15000 * np.sin(xx / 15) * np.cos(yy / 11) + rng.normal(0, 300, xx.shape)
    film = tmp_path / "film.png"
    Image.fromarray(values.astype(np.uint16)).save(film)
    assert main(["simulate", str(film), "--dose", "0.5", "--output", str(tmp_path / "a.png")]) == 0
    captured = capsys.readouterr()
    assert "film.png: warning: cannot measure the quanta from its noise" in captured.err
    assert "(50000 quanta/pixel at full dose" in captured.out


def test_simulate_is_reproducible_by_seed(png16, tmp_path):
    outputs = [tmp_path / f"low{i}.png" for i in range(3)]
    for out, seed in zip(outputs, (7, 7, 8), strict=True):
        assert (
            main(
                ["simulate", str(png16), "--dose", "0.1", "--photons", "20000"]
                + ["--seed", str(seed), "--output", str(out)]
            )
            == 0
        )
    a, b, c = (read_image(o).pixels for o in outputs)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert read_image(outputs[0]).mapping.bits_stored == 16


@pytest.mark.parametrize("dose", ["0", "1.5", "-0.2"])
def test_simulate_refuses_a_bad_dose_and_writes_nothing(ct, tmp_path, capsys, dose):
    out = tmp_path / "low.dcm"
    assert main(["simulate", str(ct), "--dose", dose, "--output", str(out)]) == 2
    assert "dose" in capsys.readouterr().err
    assert sorted(tmp_path.iterdir()) == [ct.parent]
    assert sorted(ct.parent.iterdir()) == [ct]


def test_simulate_usage_errors_exit_2(ct, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", str(ct), "--dose", "half", "--output", str(tmp_path / "x.dcm")])
    assert exit_info.value.code == 2


def test_simulate_refuses_a_format_change(ct, tmp_path, capsys):
    out = tmp_path / "low.png"
    assert main(["simulate", str(ct), "--dose", "0.5", "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "low.png" in err and ".dcm" in err
    assert not out.exists()


def test_simulate_writes_a_jpeg_as_png(tmp_path, capsys):
    yy, xx = np.mgrid[0:96, 0:128]
    film = (128 + 90 * np.sin(xx / 9) * np.cos(yy / 7)).astype(np.uint8)
    Image.fromarray(film).save(tmp_path / "film.jpg", quality=95)
    args = ["simulate", str(tmp_path / "film.jpg"), "--dose", "0.5", "--photons", "1000"]
    assert main([*args, "--output", str(tmp_path / "low.jpg")]) == 2
    assert "a JPEG input is written as .png" in capsys.readouterr().err
    assert main([*args, "--output", str(tmp_path / "low.png")]) == 0
    low = read_image(tmp_path / "low.png")
    assert low.mapping.bits_stored == 8 and low.shape == film.shape


def test_simulate_never_overwrites_the_input(png16, capsys):
    before = png16.read_bytes()
    args = ["simulate", str(png16), "--dose", "0.5", "--output", str(png16)]
    assert main(args) == 2
    assert main([*args, "--overwrite"]) == 2
    assert png16.read_bytes() == before
    assert "film.png" in capsys.readouterr().err


def test_metrics_json_has_the_documented_keys(png16, tmp_path, capsys):
    low = tmp_path / "low.png"
    given = ["--dose", "0.3", "--photons", "20000", "--output", str(low)]
    assert main(["simulate", str(png16), *given]) == 0
    capsys.readouterr()
    assert main(["metrics", str(png16), str(low), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"mse", "psnr", "ssim", "data_range", "reference_noise", "noise_free_psnr"} <= set(
        result
    )
    assert result["data_range"] == 65535
    assert 0 < result["ssim"] < 1
    assert main(["metrics", str(png16), str(low), "--json", "--data-range", "4095"]) == 0
    assert json.loads(capsys.readouterr().out)["data_range"] == 4095


def test_metrics_tell_what_the_noise_free_image_would_score(tmp_path, capsys):
    noisy, clean = tmp_path / "noisy.dcm", tmp_path / "clean.dcm"
    assert main(["phantom", str(noisy), "--size", "384", "--photons", "20000", "--seed", "2"]) == 0
    assert main(["phantom", str(clean), "--size", "384", "--seed", "2"]) == 0
    capsys.readouterr()
    assert main(["metrics", str(noisy), str(clean), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["noise_free_psnr"] == pytest.approx(result["psnr"], abs=0.4)
    assert main(["metrics", str(noisy), str(clean)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "against it the noise-free image would score about" in line
    # The rms it names is the noise that gives that PSNR over the image's data range.
    rms = float(line.split("rms ")[1].split()[0])
    floor = float(line.split("about ")[1].split()[0])
    assert 20 * math.log10(result["data_range"] / rms) == pytest.approx(floor, abs=0.01)


def test_metrics_on_a_region(png16, capsys):
    assert main(["metrics", str(png16), str(png16), "--region", "0,0,32,32"]) == 0
    out = capsys.readouterr().out
    assert "inf dB" in out and "region 0,0,32,32" in out


def test_metrics_of_an_image_too_small_for_ssim_say_why_it_is_missing(tmp_path, capsys):
    a, b = tmp_path / "a.npy", tmp_path / "b.npy"
    np.save(a, np.linspace(0, 1, 100, dtype=np.float32).reshape(10, 10))
    np.save(b, np.linspace(0, 1, 100, dtype=np.float32).reshape(10, 10) ** 2)
    assert main(["metrics", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "SSIM  - (SSIM needs at least 11 x 11 pixels; the image is 10 x 10)" in out
    assert "PSNR  " in out and "nan" not in out


def test_metrics_of_different_sizes_is_a_one_line_error(ct, png16, capsys):
    assert main(["metrics", str(ct), str(png16)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "film.png" in err


@pytest.mark.parametrize("make_bad", ["directory", "missing", "truncated"])
def test_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path, ct, make_bad):
    if make_bad == "directory":
        bad = tmp_path / "folder.dcm"
        bad.mkdir()
    elif make_bad == "missing":
        bad = tmp_path / "missing.dcm"
    else:
        bad = tmp_path / "truncated.dcm"
        bad.write_bytes(ct.read_bytes()[:2000])
    out = tmp_path / "out.dcm"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli",
            "simulate",
            str(bad),
            "--dose",
            "0.5",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert bad.name in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("photometric", ["MONOCHROME1", "MONOCHROME2"])
def test_phantom_writes_a_synthetic_compressed_dicom(tmp_path, photometric, capsys):
    out = tmp_path / "phantom.dcm"
    args = ["phantom", str(out), "--size", "64", "--photons", "2000", "--seed", "4"]
    assert main([*args, "--photometric", photometric, "--compression", "rle"]) == 0
    ds = pydicom.dcmread(out)
    assert ds.PatientName == "SYNTHETIC^PHANTOM"
    assert "SYNTHETIC" in ds.SeriesDescription
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.RLELossless
    image = read_image(out)
    assert image.photometric == photometric
    assert image.shape == (64, 64)
    # Lungs (centre of the left half) are less attenuating than the spine (centre column).
    lung, spine = image.pixels[28:36, 14:20].mean(), image.pixels[28:36, 30:34].mean()
    assert (lung < spine) if photometric == "MONOCHROME2" else (lung > spine)
    assert main(args + ["--compression", "rle"]) == 2  # exists: not overwritten
    assert "exists" in capsys.readouterr().err


def test_bundled_sample_is_a_readable_synthetic_cr():
    from core.resources import sample_image_path

    image = read_image(sample_image_path())
    assert image.metadata["Modality"] == "CR"
    assert image.shape == (1024, 1024)
    assert image.dataset.PatientName == "SYNTHETIC^PHANTOM"


def test_a_damaged_header_gives_only_the_error_line(ct, tmp_path):
    truncated = tmp_path / "cut.dcm"
    truncated.write_bytes(ct.read_bytes()[:3000])
    result = subprocess.run(
        [sys.executable, "-W", "always", "-m", "core.cli", "info", str(truncated)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"xray-denoise: error: {truncated}: ")
    assert "truncated" in lines[0]


def test_a_damaged_tiff_gives_only_the_error_line(tmp_path):
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"II*\x00\x54\x18\x08\x00" + bytes(200))
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "info", str(bad)], capture_output=True, text=True
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"xray-denoise: error: {bad}: ")


def _padded_phantom(path, size, **attributes):
    """A 12-bit phantom whose first 16 columns are PixelPaddingValue 4095; its stored values."""
    assert main(["phantom", str(path), "--size", str(size), "--photons", "20000"]) == 0
    ds = pydicom.dcmread(path)
    stored = ds.pixel_array.copy()
    stored[:, :16] = 4095
    ds.PixelData = stored.tobytes()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.add_new(0x00280120, "US", 4095)  # PixelPaddingValue
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    ds.save_as(path)
    return stored


def test_metrics_leave_the_references_padding_out(tmp_path, capsys):
    reference, low = tmp_path / "reference.dcm", tmp_path / "low.dcm"
    stored = _padded_phantom(reference, 128)
    given = ["--dose", "0.2", "--photons", "20000", "--output", str(low)]
    assert main(["simulate", str(reference), *given]) == 0
    capsys.readouterr()
    assert main(["metrics", str(reference), str(low), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["excluded"] == 128 * 16
    kept = np.ones(stored.shape, bool)
    kept[:, :16] = False
    error = read_image(low).pixels[kept] - read_image(reference).pixels[kept]
    assert result["mse"] == pytest.approx(np.mean(error.astype(np.float64) ** 2))
    assert main(["metrics", str(reference), str(low)]) == 0
    assert "(2048 padding pixels of the reference left out)" in capsys.readouterr().out


def test_the_help_of_every_subcommand_answers_without_torch():
    code = (
        "import sys\n"
        "from core.cli import main\n"
        "for command in ('info', 'simulate', 'metrics', 'phantom', 'denoise', 'train'):\n"
        "    try:\n"
        "        main([command, '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_ctrl_c_is_one_line_and_status_130(monkeypatch, capsys):
    import core.cli.info

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(core.cli.info, "run", interrupted)
    assert main(["info", "anything.dcm"]) == 130
    assert capsys.readouterr().err == "xray-denoise: interrupted (no file is left half-written)\n"


def test_a_dose_too_low_for_the_image_names_the_file(tmp_path, capsys):
    source = tmp_path / "p.dcm"
    assert main(["phantom", str(source), "--size", "64", "--photons", "1000"]) == 0
    capsys.readouterr()
    status = main(["simulate", str(source), "--dose", "0.0001", "--photons", "1000",
                   "--output", str(tmp_path / "low.dcm")])  # fmt: skip
    assert status == 2 and not (tmp_path / "low.dcm").exists()
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"xray-denoise: error: {source}: a 0.0001 dose (0.01 %) of 1000 quanta")
    assert error.endswith("choose a dose of at least 0.1 %")


def test_info_names_every_window_its_function_and_the_padding(tmp_path, capsys):
    path = tmp_path / "windows.dcm"
    _padded_phantom(
        path,
        64,
        WindowCenter=[2048, 1200],
        WindowWidth=[4096, 800],
        WindowCenterWidthExplanation=["FULL", "LUNG"],
        VOILUTFunction="SIGMOID",
    )
    capsys.readouterr()
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert "window          center 2048, width 4096 (SIGMOID); also LUNG 1200/800" in text
    assert "padding         stored value 4095, 25.0 % of the pixels" in text
    assert main(["info", "--json", str(path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["padding"] == {"stored_values": [4095, 4095], "pixels": 1024, "share": 0.25}
    assert [w["explanation"] for w in summary["file_windows"]] == ["FULL", "LUNG"]


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    source = tmp_path / "p.dcm"
    assert main(["phantom", str(source), "--size", "64", "--photons", "1000"]) == 0
    command = [sys.executable, "-m", "core.cli", "info", *[str(source)] * 300]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout.readline().strip() == str(source).encode()
        process.stdout.close()  # as `| head -1` does
        status = process.wait(timeout=120)
        error = process.stderr.read().decode()
    assert (status, error) == (141, "")


def test_info_and_metrics_estimate_the_noise_without_the_padding(tmp_path, capsys):
    from core.noise import NoiseEstimate

    path = tmp_path / "padded.dcm"
    _padded_phantom(path, 256)
    image = read_image(path)
    anatomy = NoiseEstimate.from_pixels(image.pixels, exclude=image.padding_mask).sigma
    assert NoiseEstimate.from_pixels(image.pixels).sigma != anatomy  # the padding matters
    capsys.readouterr()
    assert main(["info", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["noise_sigma"] == pytest.approx(anatomy)
    assert main(["metrics", str(path), str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reference_noise"] == pytest.approx(anatomy)
