"""``denoise --skip-existing`` keeps an output only if it was made from the same input and frame.

Names depend on which inputs share a batch, so a resumed run with another set of files can
map another input to an existing output: that output is an error for the input, left as it is,
never a ``skipped`` record that claims it.
"""

import json
import shutil

import numpy as np
import pydicom
import pytest
import tifffile
from PIL import Image

from core.cli import main
from core.errors import ImageReadError
from core.image import Window
from core.io import read_image, write_new_dicom
from core.io.source_record import source_record
from core.noise import phantom_image
from core.resources import file_sha256

PROG = "xray-denoise"
ANOTHER = "exists, made from another input: "
HINT = "use --overwrite or another --output-dir"


def _denoise(model, out, *arguments):
    options = ["--output-dir", str(out), "--model", str(model), "--device", "cpu", "--views", "1"]
    return main(["denoise", *map(str, arguments), *options, "--threads", "1"])


def _phantom(path, seed):
    """A 64 x 64 DICOM phantom with a SOP instance of its own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=seed)
    write_new_dicom(stored, path, bits_stored=12, window=Window(2048, 4096))
    return path


def _film(path, seed):
    """A 64 x 64 16-bit PNG of noise around a level."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.normal(30000, 800, (64, 64)).astype(np.uint16)).save(path)
    return path


def _one_error(err, source, output):
    """The one error line of `source`, which names `output`."""
    lines = [line for line in err.splitlines() if line.startswith(f"{PROG}: error: {source}: ")]
    assert len(lines) == 1, err
    assert f"{output} " in lines[0] and lines[0].endswith(HINT)
    return lines[0]


def test_another_sites_dicom_of_the_same_name_is_an_error_not_a_skip(tiny_model, tmp_path, capsys):
    a = _phantom(tmp_path / "siteA" / "IM0001.dcm", 1)
    b = _phantom(tmp_path / "siteB" / "IM0001.dcm", 7)
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, a) == 0
    before = (out / "IM0001.dcm").read_bytes()
    capsys.readouterr()
    assert _denoise(tiny_model, out, b, "--skip-existing", "--json") == 2
    captured = capsys.readouterr()
    line = _one_error(captured.err, b, out / "IM0001.dcm")
    uid_a, uid_b = (str(pydicom.dcmread(p).SOPInstanceUID) for p in (a, b))
    assert ANOTHER in line and uid_a in line and uid_b in line
    assert "skipped" not in captured.err
    [record] = [json.loads(text) for text in captured.out.splitlines()]
    assert record["status"] == "error" and record["input"] == str(b)
    assert (out / "IM0001.dcm").read_bytes() == before  # neither kept as b's nor replaced
    assert _denoise(tiny_model, out, a, "--skip-existing") == 0  # its own input: kept
    assert f"{PROG}: {a}: skipped (exists): {out / 'IM0001.dcm'}" in capsys.readouterr().err


def test_a_dicom_is_kept_from_its_header_before_its_pixels_are_read(tiny_model, tmp_path, capsys):
    a = _phantom(tmp_path / "in" / "a.dcm", 1)
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, a) == 0
    before = (out / "a.dcm").read_bytes()
    a.write_bytes(a.read_bytes()[:-2000])  # the pixel data cut short: decoding would fail
    with pytest.raises(ImageReadError, match="the pixel data is truncated"):
        read_image(a)
    assert _denoise(tiny_model, out, a, "--skip-existing") == 0
    assert f"{PROG}: {a}: skipped (exists): {out / 'a.dcm'}" in capsys.readouterr().err
    assert (out / "a.dcm").read_bytes() == before


def test_a_png_records_its_input_and_another_inputs_png_is_an_error(tiny_model, tmp_path, capsys):
    a = _film(tmp_path / "d1" / "x.png", 1)
    b = _film(tmp_path / "d2" / "x.png", 2)
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, a) == 0
    with Image.open(out / "x.png") as png:
        assert source_record(file_sha256(a), 0) in png.info["Description"]
    before = (out / "x.png").read_bytes()
    capsys.readouterr()
    assert _denoise(tiny_model, out, b, "--skip-existing") == 2
    line = _one_error(capsys.readouterr().err, b, out / "x.png")
    assert ANOTHER in line and file_sha256(a)[:16] in line and file_sha256(b)[:16] in line
    assert (out / "x.png").read_bytes() == before
    shutil.copy(a, b)  # the same bytes elsewhere: the same input
    assert _denoise(tiny_model, out, b, "--skip-existing") == 0
    assert f"{PROG}: {b}: skipped (exists): {out / 'x.png'}" in capsys.readouterr().err


def test_another_page_of_the_same_tiff_is_an_error(tiny_model, tmp_path, capsys):
    rng = np.random.default_rng(4)
    pages = tmp_path / "in" / "multi.tif"
    pages.parent.mkdir()
    tifffile.imwrite(pages, rng.normal(30000, 800, (2, 64, 64)).astype(np.uint16))
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, pages, "--frame", "2") == 0
    assert (
        source_record(file_sha256(pages), 1)
        in tifffile.TiffFile(out / "multi.tif").pages[0].description
    )
    capsys.readouterr()
    assert _denoise(tiny_model, out, pages, "--frame", "1", "--skip-existing") == 2
    line = _one_error(capsys.readouterr().err, pages, out / "multi.tif")
    assert "exists, made from frame 2 of this input, not frame 1" in line


def _in_and_out(tmp_path, name):
    """An input and an output of the same name written by another program."""
    source = tmp_path / "in" / name
    source.parent.mkdir()
    pixels = np.random.default_rng(5).normal(30000, 800, (64, 64)).astype(np.uint16)
    out = tmp_path / "out"
    out.mkdir()
    for path in (source, out / name):
        if name.endswith(".png"):
            Image.fromarray(pixels).save(path)
        else:
            np.save(path, pixels.astype(np.float32))
    return source, out


def test_an_output_that_records_no_source_is_an_error(tiny_model, tmp_path, capsys):
    source, out = _in_and_out(tmp_path, "x.png")
    before = (out / "x.png").read_bytes()
    assert _denoise(tiny_model, out, source, "--skip-existing") == 2
    line = _one_error(capsys.readouterr().err, source, out / "x.png")
    assert "records no source" in line
    assert (out / "x.png").read_bytes() == before


def test_a_npy_which_records_nothing_is_kept_by_its_name_with_a_warning(
    tiny_model, tmp_path, capsys
):
    source, out = _in_and_out(tmp_path, "x.npy")
    before = (out / "x.npy").read_bytes()
    assert _denoise(tiny_model, out, source, "--skip-existing") == 0
    err = capsys.readouterr().err
    assert f"{source}: warning: {out / 'x.npy'} kept by its name alone" in err
    assert "skipped (exists)" in err
    assert (out / "x.npy").read_bytes() == before
