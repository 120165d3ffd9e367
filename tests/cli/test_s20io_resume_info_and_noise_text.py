"""A resumed batch joins the derived series it began; `info` names Modality LUT outputs
and the file's bits, and gives a JSON record for a file it cannot read; intensity ranges
read "A to B".

A batch resumed with --skip-existing began a second derived series for the rest of a
source series (or of a file's frames); `info` said "bits stored 16" and "stored values"
for a Modality LUT's outputs, and wrote no JSON line for an unreadable file; the noise
record wrote "-105.25-37.296".
"""

import json

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from core.cli import main
from core.io.dicom_write import new_dataset, write_dataset
from core.noise import NoiseEstimate


def _series_image(path, series_uid, instance):
    rng = np.random.default_rng(instance)
    _, xx = np.mgrid[:32, :32]
    ds = new_dataset(
        np.clip(rng.poisson(1000 + 1500 * xx / 31), 0, 4095).astype(np.uint16),
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id="P1",
        description="Thorax",
        modality="CR",
        window=None,
    )
    ds.SeriesInstanceUID, ds.InstanceNumber, ds.SeriesNumber = series_uid, instance, 2
    return write_dataset(ds, path)


def _denoise(tiny_model, out, *inputs, extra=()):
    args = ["denoise", *map(str, inputs), "--output-dir", str(out), "--model", str(tiny_model)]
    return main([*args, "--device", "cpu", "--views", "1", *extra])


def _series(ds):
    return ds.SeriesInstanceUID, ds.SeriesDate, ds.SeriesTime, ds.SeriesNumber


def test_a_resumed_batch_adds_to_the_derived_series_it_began(tmp_path, tiny_model):
    (tmp_path / "in").mkdir()
    series = generate_uid()
    inputs = [_series_image(tmp_path / "in" / f"im{i}.dcm", series, i) for i in (1, 2, 3)]
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, inputs[0]) == 0  # a batch stopped after one image
    first = pydicom.dcmread(out / "im1.dcm")
    first.SeriesNumber = 4242  # a number the series was given: the rest take it too
    first.save_as(out / "im1.dcm")
    assert _denoise(tiny_model, out, *inputs, extra=["--skip-existing"]) == 0
    written = [pydicom.dcmread(out / f"im{i}.dcm") for i in (1, 2, 3)]
    assert {_series(ds) for ds in written} == {_series(first)}
    assert [ds.InstanceNumber for ds in written] == [1, 2, 3]


def test_a_resumed_batch_adds_the_frames_left_to_the_series_of_the_file(
    three_frame_dicom, tmp_path, tiny_model
):
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, three_frame_dicom, extra=["--frame", "all"]) == 0
    kept = pydicom.dcmread(out / "mf_frame001.dcm")
    for name in ("mf_frame002.dcm", "mf_frame003.dcm"):
        (out / name).unlink()  # as if the batch had stopped after the first frame
    resumed = ["--frame", "all", "--skip-existing"]
    assert _denoise(tiny_model, out, three_frame_dicom, extra=resumed) == 0
    written = [pydicom.dcmread(out / f"mf_frame00{i}.dcm") for i in (1, 2, 3)]
    assert {_series(ds) for ds in written} == {_series(kept)}
    assert [ds.InstanceNumber for ds in written] == [1, 2, 3]


def _modality_lut_dicom(path):
    stored = (np.arange(48 * 64).reshape(48, 64) * 11 % 4096).astype(np.uint16)
    table = (np.arange(4096) * 10 + 100).astype(np.uint16)
    ds = new_dataset(
        stored,
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id="SYN",
        description="lut",
        modality="CR",
        window=None,
    )
    item = Dataset()
    item.LUTDescriptor = [table.size, 0, 16]
    item.ModalityLUTType = "OD"
    item.add_new(0x00283006, "OW", table.astype("<u2").tobytes())  # LUTData
    ds.ModalityLUTSequence = [item]
    return write_dataset(ds, path), table[stored]


def test_info_names_the_files_bits_and_the_modality_lut_outputs(tmp_path, capsys):
    path, outputs = _modality_lut_dicom(tmp_path / "lut.dcm")
    assert main(["info", str(path)]) == 0
    text = capsys.readouterr().out
    assert "  bits stored     12\n" in text
    said = f"{outputs.min():g} .. {outputs.max():g} (Modality LUT output, unit OD)"
    assert f"  values          {said}" in text
    assert main(["info", str(path), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["bits_stored"], record["modality_lut_type"]) == (12, "OD")


def test_info_json_gives_a_record_for_a_file_it_cannot_read(tmp_path, png16, capsys):
    empty = tmp_path / "empty.dcm"
    empty.write_bytes(b"")
    assert main(["info", str(png16), str(empty), "--json"]) == 2
    captured = capsys.readouterr()
    good, bad = (json.loads(line) for line in captured.out.splitlines())
    assert good["file"] == str(png16)
    assert bad["file"] == str(empty)
    assert bad["error"].startswith(str(empty)) and "\n" not in bad["error"]
    assert bad["disclaimer"] == good["disclaimer"] and "schema_version" in bad
    assert f"xray-denoise: error: {bad['error']}" in captured.err


def test_the_noise_record_says_an_intensity_range_of_negative_values_with_to():
    rng = np.random.default_rng(4)
    _, xx = np.mgrid[:96, :96]
    pixels = (-100 + 140 * xx / 95 + rng.normal(0, 2, xx.shape)).astype(np.float32)
    noise = NoiseEstimate.from_pixels(pixels)
    low, high = noise.nlf.intensities[0], noise.nlf.intensities[-1]
    assert low < 0
    assert f"over intensities {low:.5g} to {high:.5g};" in noise.summary()
