"""Every input of a batch gets its own output: UID file names, one name in many folders."""

from pathlib import Path

import numpy as np
import pydicom
import pytest
import tifffile
from PIL import Image

from core.cli import main
from core.image import Window
from core.io import read_image, write_new_dicom
from core.io.output_names import output_stems
from core.noise import phantom_image

UID = "1.2.826.0.1.3680043.8.498"


def _dicom(path: Path, seed: int) -> Path:
    stored = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_new_dicom(
        stored,
        path,
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=(0.5, 0.5),
        patient_name="DOE^JANE",
        patient_id="P1",
        description=f"phantom {seed}",
        window=Window(2048, 4096),
    )
    return path


def _names(*paths: str, one_folder: bool = True) -> dict[str, str]:
    stems = output_stems([Path(p) for p in paths], one_folder=one_folder)
    return {str(path): stem for path, stem in stems.items()}


def test_a_name_without_an_image_suffix_is_kept_whole():
    names = _names(f"uid/{UID}.101", f"uid/{UID}.102", "uid/IM0001", "a.DCM", "b.v2.tiff")
    assert names == {
        f"uid/{UID}.101": f"{UID}.101",
        f"uid/{UID}.102": f"{UID}.102",
        "uid/IM0001": "IM0001",
        "a.DCM": "a",
        "b.v2.tiff": "b.v2",
    }


def test_one_name_in_several_folders_is_prefixed_with_the_folders_that_tell_them_apart():
    assert _names("tree/s1/IM0001", "tree/s2/IM0001", "tree/s2/IM0002") == {
        "tree/s1/IM0001": "s1_IM0001",
        "tree/s2/IM0001": "s2_IM0001",
        "tree/s2/IM0002": "IM0002",
    }
    assert _names("a/x/IM0001", "b/x/IM0001") == {
        "a/x/IM0001": "a_x_IM0001",
        "b/x/IM0001": "b_x_IM0001",
    }


def test_names_still_alike_are_numbered_the_same_way_in_any_order():
    files = ["x", "x.dcm", "x_dcm.dcm", "s1/IM1", "s2/IM1", "s1_IM1.png"]
    names = _names(*files)
    assert names == {
        "x": "x",
        "x.dcm": "x_dcm",  # shares "x" with "x": keeps its suffix
        "x_dcm.dcm": "x_dcm_2",
        "s1/IM1": "s1_IM1_2",  # prefixed, so after the input whose own name it is
        "s2/IM1": "s2_IM1",
        "s1_IM1.png": "s1_IM1",
    }
    assert _names(*files[::-1]) == names
    assert len({name.casefold() for name in names.values()}) == len(files)


def test_outputs_that_keep_their_folders_are_told_apart_only_within_a_folder():
    # The GUI's batch mirrors the input folders: other folders never clash.
    assert _names("a.jpg", "a.png", "sub/a.dcm", one_folder=False) == {
        "a.jpg": "a_jpg",
        "a.png": "a_png",
        "sub/a.dcm": "a",
    }


@pytest.mark.filterwarnings("default:.*lossy-compressed:core.errors.XrayWarning")  # a JPEG
def test_denoise_writes_every_input_of_a_series_exported_by_uid_and_folder(
    tmp_path, tiny_model, capsys
):
    inputs = [
        _dicom(tmp_path / "uid" / f"{UID}.101", 1),
        _dicom(tmp_path / "uid" / f"{UID}.102", 2),
        _dicom(tmp_path / "tree" / "s1" / "IM0001", 3),
        _dicom(tmp_path / "tree" / "s2" / "IM0001", 4),
    ]
    film = np.linspace(0, 255, 64 * 64).reshape(64, 64).astype(np.uint8)
    for suffix in ("png", "jpg"):
        Image.fromarray(film).save(tmp_path / f"a.{suffix}")
        inputs.append(tmp_path / f"a.{suffix}")
    out = tmp_path / "out"
    args = ["--output-dir", str(out), "--model", str(tiny_model), "--device", "cpu"]
    assert main(["denoise", *map(str, inputs), *args, "--views", "1"]) == 0
    assert "error" not in capsys.readouterr().err
    written = {
        f"{UID}.101.dcm": inputs[0],
        f"{UID}.102.dcm": inputs[1],
        "s1_IM0001.dcm": inputs[2],
        "s2_IM0001.dcm": inputs[3],
        "a_png.png": inputs[4],
        "a_jpg.png": inputs[5],
    }
    assert sorted(p.name for p in out.iterdir()) == sorted(written)
    for name, source in list(written.items())[:4]:  # each output is its own input's
        history = pydicom.dcmread(out / name).DerivationDescription
        assert history.startswith(pydicom.dcmread(source).DerivationDescription + "; ")
    assert read_image(out / "a_jpg.png").shape == film.shape


def test_the_gui_batch_numbers_names_that_still_clash_within_a_folder():
    names = _names("d/a.jpg", "d/a.png", "d/a_jpg.png", "e/a.jpg", one_folder=False)
    assert names == {
        "d/a.jpg": "a_jpg",
        "d/a.png": "a_png",
        "d/a_jpg.png": "a_jpg_2",
        "e/a.jpg": "a",
    }
    cases = _names("d/A.png", "d/a.png", "d/a.PNG", one_folder=False)
    assert len({stem.casefold() for stem in cases.values()}) == 3  # a case-blind disk too


def test_a_frame_named_like_another_input_is_numbered_and_every_input_written(tmp_path, tiny_model):
    pages = [
        phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=seed)
        for seed in (1, 2)
    ]
    source = tmp_path / "in"
    source.mkdir()
    tifffile.imwrite(source / "a.tif", np.stack(pages), photometric="minisblack")
    tifffile.imwrite(source / "a_frame001.tif", pages[1], photometric="minisblack")
    out = tmp_path / "out"
    args = ["--output-dir", str(out), "--model", str(tiny_model), "--device", "cpu", "--views", "1"]
    inputs = [str(source / "a.tif"), str(source / "a_frame001.tif")]
    assert main(["denoise", *inputs, "--frame", "all", *args]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "a_frame001.tif",
        "a_frame001_2.tif",
        "a_frame002.tif",
    ]
    assert read_image(out / "a_frame001.tif").source_path.name == "a_frame001.tif"
