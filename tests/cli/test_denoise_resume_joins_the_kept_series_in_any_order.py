"""A batch resumed with --skip-existing joins the derived series of the outputs it keeps,
whatever the order of the inputs.

Before, an output was joined to a kept one's series only once the kept output had been
met in the batch: a new input of the series given before the kept one's (or a file's frame
before the frame kept) began a second derived series.
"""

import numpy as np
import pydicom
from pydicom.uid import generate_uid

from core.cli import main
from core.io.dicom_write import new_dataset, write_dataset


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


def _inputs(tmp_path, count=3):
    (tmp_path / "in").mkdir()
    series = generate_uid()
    return [_series_image(tmp_path / "in" / f"im{i}.dcm", series, i) for i in range(1, count + 1)]


def _denoise(tiny_model, out, *inputs, extra=()):
    args = ["denoise", *map(str, inputs), "--output-dir", str(out), "--model", str(tiny_model)]
    return main([*args, "--device", "cpu", "--views", "1", *extra])


def _series(ds):
    return ds.SeriesInstanceUID, ds.SeriesDate, ds.SeriesTime, ds.SeriesNumber


def test_an_input_before_the_kept_ones_joins_their_series(tmp_path, tiny_model):
    inputs = _inputs(tmp_path)
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, inputs[1]) == 0  # the second image only, so far
    kept = pydicom.dcmread(out / "im2.dcm")
    assert _denoise(tiny_model, out, *inputs, extra=["--skip-existing"]) == 0
    written = [pydicom.dcmread(out / f"im{i}.dcm") for i in (1, 2, 3)]
    assert {_series(ds) for ds in written} == {_series(kept)}
    assert [ds.InstanceNumber for ds in written] == [1, 2, 3]


def test_a_frame_before_the_kept_one_joins_its_series(three_frame_dicom, tmp_path, tiny_model):
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, three_frame_dicom, extra=["--frame", "all"]) == 0
    kept = pydicom.dcmread(out / "mf_frame002.dcm")
    for name in ("mf_frame001.dcm", "mf_frame003.dcm"):
        (out / name).unlink()
    resumed = ["--frame", "all", "--skip-existing"]
    assert _denoise(tiny_model, out, three_frame_dicom, extra=resumed) == 0
    written = [pydicom.dcmread(out / f"mf_frame00{i}.dcm") for i in (1, 2, 3)]
    assert {_series(ds) for ds in written} == {_series(kept)}
    assert [ds.InstanceNumber for ds in written] == [1, 2, 3]


def test_kept_outputs_of_two_runs_give_the_first_kept_ones_series_with_a_warning(
    tmp_path, tiny_model, capsys
):
    inputs = _inputs(tmp_path, 4)
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, inputs[3]) == 0  # two runs, two derived series
    assert _denoise(tiny_model, out, inputs[1]) == 0
    later, earlier = (pydicom.dcmread(out / name) for name in ("im4.dcm", "im2.dcm"))
    assert later.SeriesInstanceUID != earlier.SeriesInstanceUID
    capsys.readouterr()
    assert _denoise(tiny_model, out, *inputs, extra=["--skip-existing"]) == 0
    err = capsys.readouterr().err
    written = [pydicom.dcmread(out / f"im{i}.dcm") for i in (1, 3)]
    assert {_series(ds) for ds in written} == {_series(earlier)}  # im2: kept first in order
    (warning,) = [line for line in err.splitlines() if "derived series" in line]
    assert warning.startswith("xray-denoise: warning: the outputs kept of the source series ")
    assert f"{out / 'im2.dcm'}: {earlier.SeriesInstanceUID}" in warning
    assert f"{out / 'im4.dcm'}: {later.SeriesInstanceUID}" in warning
    assert warning.index("im2.dcm") < warning.index("im4.dcm")  # the one joined first
