import numpy as np
import pydicom
import pytest
import torch
from PIL import Image

from core.cli import main
from core.diffusion.model import DiffusionModel, save_model
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.io import read_image


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    torch.manual_seed(0)
    network = UNet(UNetConfig.tiny())
    with torch.no_grad():
        for p in network.parameters():
            p.normal_(0.0, 0.1)
    path = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    save_model(DiffusionModel(network, NoiseSchedule()), path)
    return path


def _denoise(inputs, out, model_file, *extra):
    return main(
        [
            "denoise",
            *map(str, inputs),
            "--output-dir",
            str(out),
            "--model",
            str(model_file),
            "--device",
            "cpu",
            *extra,
        ]
    )


def test_dicom_gives_a_derived_dicom_with_the_description(ct, tmp_path, model_file, capsys):
    before = ct.read_bytes()
    assert _denoise([ct], tmp_path / "out", model_file, "--steps", "2") == 0
    assert ct.read_bytes() == before
    out = tmp_path / "out" / "ct.dcm"
    derived, source = pydicom.dcmread(out), pydicom.dcmread(ct)
    assert list(derived.ImageType)[:2] == ["DERIVED", "SECONDARY"]
    assert derived.SOPInstanceUID != source.SOPInstanceUID and derived.PatientID == source.PatientID
    notice = "Not for diagnostic use: "
    assert derived.DerivationDescription.startswith(notice)
    description = derived.DerivationDescription.removeprefix(notice)
    name = "tiny (unet8, channel_mult 1-2, blocks_per_level 1, mid_blocks 1, cosine-v1)"
    for part in (name, "sha256", "DDIM, 2 steps, strength 1", "sigma", "t* "):
        assert part in description
    assert description in capsys.readouterr().out
    assert read_image(out).shape == read_image(ct).shape


def test_png16_in_gives_png16_out_on_the_same_scale(png16, tmp_path, model_file):
    args = ["--sampler", "ddpm", "--seed", "3", "--strength", "0.8", "--views", "2"]
    assert _denoise([png16], tmp_path / "out", model_file, *args) == 0
    out = tmp_path / "out" / "film.png"
    with Image.open(out) as written:
        assert written.mode.startswith("I;16") or np.asarray(written).dtype == np.uint16
    noisy, denoised = read_image(png16), read_image(out)
    assert denoised.mapping.bits_stored == 16 and denoised.shape == noisy.shape
    assert abs(denoised.pixels.mean() - noisy.pixels.mean()) < 0.01 * noisy.pixels.mean()


@pytest.mark.filterwarnings("default:.*lossy-compressed:core.errors.XrayWarning")  # a JPEG
def test_jpeg_in_gives_an_8_bit_png_out(tmp_path, model_file):
    yy, xx = np.mgrid[0:96, 0:128]
    film = (128 + 90 * np.sin(xx / 9) * np.cos(yy / 7)).astype(np.uint8)
    Image.fromarray(film).save(tmp_path / "film.jpeg", quality=90)
    assert _denoise([tmp_path / "film.jpeg"], tmp_path / "out", model_file) == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["film.png"]
    denoised = read_image(tmp_path / "out" / "film.png")
    assert denoised.mapping.bits_stored == 8 and denoised.shape == film.shape


@pytest.fixture
def three_page_tiff(tmp_path):
    import tifffile

    rng = np.random.default_rng(4)
    yy, xx = np.mgrid[0:96, 0:128]
    pages = [
        (20000 + 15000 * np.sin(xx / (12 + k)) + rng.normal(0, 300, xx.shape)).astype(np.uint16)
        for k in range(3)
    ]
    path = tmp_path / "series.tif"
    tifffile.imwrite(path, np.stack(pages), photometric="minisblack")
    return path


def test_a_multi_frame_input_gives_frame_1_and_says_so(
    three_page_tiff, tmp_path, model_file, capsys
):
    assert _denoise([three_page_tiff], tmp_path / "out", model_file, "--views", "1") == 0
    assert "has 3 frames; frame 1 of 3 denoised (choose with --frame N" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["series.tif"]


def test_every_frame_or_one_chosen(three_page_tiff, tmp_path, model_file, capsys):
    out = tmp_path / "all"
    assert _denoise([three_page_tiff], out, model_file, "--views", "1", "--frame", "all") == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["series_frame001.tif", "series_frame002.tif", "series_frame003.tif"]
    second = read_image(three_page_tiff, frame=1).pixels
    assert np.corrcoef(read_image(out / names[1]).pixels.ravel(), second.ravel())[0, 1] > 0.99
    assert "frames" not in capsys.readouterr().err
    one = tmp_path / "one"
    assert _denoise([three_page_tiff], one, model_file, "--views", "1", "--frame", "3") == 0
    assert [p.name for p in one.iterdir()] == ["series.tif"]
    assert _denoise([three_page_tiff], tmp_path / "bad", model_file, "--frame", "4") == 2
    assert "frame 4 out of range: the file has 3 frames, numbered from 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _denoise([three_page_tiff], tmp_path / "bad", model_file, "--frame", "-1")


def test_the_frames_of_a_dicom_form_one_derived_series(three_frame_dicom, tmp_path, model_file):
    out = tmp_path / "out"
    assert _denoise([three_frame_dicom], out, model_file, "--views", "1", "--frame", "all") == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["mf_frame001.dcm", "mf_frame002.dcm", "mf_frame003.dcm"]
    written = [pydicom.dcmread(out / name) for name in names]
    source = pydicom.dcmread(three_frame_dicom)
    (series,) = {ds.SeriesInstanceUID for ds in written}
    assert series != source.SeriesInstanceUID
    assert [ds.InstanceNumber for ds in written] == [1, 2, 3]
    assert [ds.SourceImageSequence[0].ReferencedFrameNumber for ds in written] == [1, 2, 3]
    assert all("NumberOfFrames" not in ds for ds in written)
    again = tmp_path / "again"
    assert _denoise([three_frame_dicom], again, model_file, "--views", "1", "--frame", "all") == 0
    assert pydicom.dcmread(again / names[0]).SeriesInstanceUID != series  # a new run, a new series


def test_the_help_names_the_files_written_for_every_frame(capsys):
    with pytest.raises(SystemExit):
        main(["denoise", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "<input stem>_frameNNN.<format>" in help_text and "from 001" in help_text
    assert "_frame<N>" not in help_text


def test_denoising_a_simulated_image_keeps_the_simulation_in_its_history(
    ct, tmp_path, model_file, capsys
):
    low = tmp_path / "low.dcm"
    given = ["--dose", "0.25", "--photons", "20000", "--seed", "1", "--output", str(low)]
    assert main(["simulate", str(ct), *given]) == 0
    simulated = pydicom.dcmread(low).DerivationDescription
    assert _denoise([low], tmp_path / "out", model_file, "--views", "1") == 0
    history = pydicom.dcmread(tmp_path / "out" / "low.dcm").DerivationDescription
    assert history.startswith(simulated + "; ") and "sha256" in history[len(simulated) :]


def test_a_bad_input_is_named_and_the_others_are_written(png16, tmp_path, model_file, capsys):
    bad = tmp_path / "bad.dcm"
    bad.write_bytes(b"not a dicom at all")
    out = tmp_path / "out"
    assert _denoise([bad, png16], out, model_file) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert not any("Traceback" in line for line in lines)
    err = [line for line in lines if ": error: " in line]  # device and summary lines aside
    assert len(err) == 1 and "bad.dcm" in err[0] and "Traceback" not in err[0]
    assert sorted(p.name for p in out.iterdir()) == ["film.png"]


def test_an_unexpected_error_is_one_line_and_the_others_are_written(
    ct, png16, tmp_path, model_file, capsys, monkeypatch
):
    import core.io

    real_write = core.io.write_image

    def write_but_fail_on_dicom(image, path, **kwargs):
        if path.suffix == ".dcm":
            raise RuntimeError("simulated bug\nwith a second line")
        return real_write(image, path, **kwargs)

    monkeypatch.setattr(core.io, "write_image", write_but_fail_on_dicom)  # run() imports it
    out = tmp_path / "out"
    assert _denoise([ct, png16], out, model_file) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert not any("Traceback" in line for line in lines)
    err = [line for line in lines if ": error: " in line]  # device and summary lines aside
    assert len(err) == 1 and str(ct) in err[0]
    assert "unexpected RuntimeError at test_denoise_cli.py:" in err[0]
    assert "simulated bug with a second line" in err[0]
    assert sorted(p.name for p in out.iterdir()) == ["film.png"]


def test_an_unexpected_error_of_a_command_is_one_line(png16, capsys, monkeypatch):
    import core.cli.info

    def broken(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(core.cli.info, "describe", broken)
    assert main(["info", str(png16)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "xray-denoise: error: unexpected ZeroDivisionError at test_denoise_cli.py:"
        f"{broken.__code__.co_firstlineno + 1}: float division by zero (a bug; please report it)"
    ]


def test_an_output_folder_in_the_way_of_a_file_is_one_line(png16, tmp_path, model_file, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    assert _denoise([png16], blocker, model_file) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"xray-denoise: error: {blocker} is a file, not a folder; choose another --output-dir"
    ]


def test_an_input_that_fails_leaves_no_output_folder(tmp_path, model_file, capsys):
    assert _denoise([tmp_path / "missing.dcm"], tmp_path / "out", model_file) == 2
    assert not (tmp_path / "out").exists()


def test_a_missing_model_is_one_line(png16, tmp_path, capsys):
    assert _denoise([png16], tmp_path / "out", tmp_path / "none.safetensors") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none.safetensors" in err[0] and "missing" in err[0]
    assert not (tmp_path / "out").exists()


def test_an_input_is_never_overwritten(png16, tmp_path, model_file, capsys):
    before = png16.read_bytes()
    assert _denoise([png16], png16.parent, model_file, "--overwrite") == 2
    assert png16.read_bytes() == before
    assert "film.png" in capsys.readouterr().err


def test_existing_outputs_are_kept_without_overwrite(
    png16, tmp_path, model_file, capsys, monkeypatch
):
    import core.denoise

    out = tmp_path / "out"
    out.mkdir()
    (out / "film.png").write_bytes(b"keep")
    runs = []
    real = core.denoise.denoise_steps
    monkeypatch.setattr(
        core.denoise, "denoise_steps", lambda *a, **k: runs.append(1) or real(*a, **k)
    )
    assert _denoise([png16], out, model_file) == 2
    assert (out / "film.png").read_bytes() == b"keep"
    assert runs == []  # refused before the time denoising takes
    assert (
        capsys.readouterr().err.strip().endswith("film.png: file exists (--overwrite replaces it)")
    )
    assert _denoise([png16], out, model_file, "--overwrite") == 0
    assert read_image(out / "film.png").shape == (96, 128)


@pytest.mark.parametrize(
    "bad", [["--device", "tpu"], ["--steps", "0"], ["--strength", "-1"], ["--views", "3"]]
)
def test_bad_settings_exit_2(png16, tmp_path, model_file, capsys, bad):
    assert _denoise([png16], tmp_path / "out", model_file, *bad) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_train_delegates_to_core_training(tmp_path, capsys, restore_logging):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--help"])
    assert exit_.value.code == 0
    help_text = capsys.readouterr().out
    assert "usage: xray-denoise train" in help_text
    for option in ("--output", "--minutes", "--resume", "--device"):
        assert option in help_text
    folder = tmp_path / "films"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, (40, 40), dtype=np.uint8)).save(folder / f"{i}.png")
    output = tmp_path / "m.safetensors"
    args = ["--output", str(output), "--device", "cpu", "--no-progress", "--steps", "1"]
    args += ["--batch-size", "1", "--patch-size", "16", "--val-every", "0"]
    assert main(["train", str(folder), *args]) == 0
    assert output.is_file()


def test_a_seed_out_of_range_is_refused_before_the_model_loads(
    png16, tmp_path, model_file, capsys, monkeypatch
):
    import core.denoise

    loaded = []
    real = core.denoise.open_model
    monkeypatch.setattr(
        core.denoise, "open_model", lambda *a, **k: loaded.append(1) or real(*a, **k)
    )
    assert _denoise([png16], tmp_path / "out", model_file, "--seed", str(2**64)) == 2
    assert capsys.readouterr().err == (
        "xray-denoise: error: seed must be an integer from 0 to 2**64 - 1, "
        "got 18446744073709551616\n"
    )
    assert loaded == [] and not (tmp_path / "out").exists()


def test_the_largest_seed_denoises(png16, tmp_path, model_file, capsys):
    seed = str(2**64 - 1)
    args = ["--sampler", "ddpm", "--steps", "2", "--seed", seed]  # 1 step draws no noise
    assert _denoise([png16], tmp_path / "out", model_file, *args) == 0
    assert f"seed {seed}" in capsys.readouterr().out
