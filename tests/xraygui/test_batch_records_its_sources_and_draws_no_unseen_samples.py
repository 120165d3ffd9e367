"""Batch Denoise Folder records each source as the command line does, and runs what it says.

A PNG's or TIFF's description ends with the source's record (``source sha256 ..., frame
number N``), the table has the source's SHA-256 in a last column, and the panel's
uncertainty samples are not drawn: the batch writes no maps, so each file would run them
for nothing (and the settings column would not say so).
"""

import csv
import hashlib

import numpy as np
import pytest
import tifffile
from PIL import Image

import xraygui.jobs
from core.io.source_record import made_from, raster_description, source_record
from xraygui.controls import DenoiseOptions
from xraygui.jobs import BATCH_COLUMNS, batch_job

pytestmark = pytest.mark.gui


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_batch_records_its_sources_and_draws_no_uncertainty_sample(
    tmp_path, tiny_model_path, drain, monkeypatch
):
    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(1000, 3000, (48, 64)).astype(np.uint16)).save(source / "a.png")
    pages = rng.integers(1000, 3000, (2, 48, 64)).astype(np.uint16)
    tifffile.imwrite(source / "b.tif", pages, photometric="minisblack")
    samples = []
    denoise_steps = xraygui.jobs.denoise_steps

    def counting(image, model, settings, **options):
        samples.append(settings.n_uncertainty_samples)
        return denoise_steps(image, model, settings, **options)

    monkeypatch.setattr(xraygui.jobs, "denoise_steps", counting)
    options = DenoiseOptions(model=tiny_model_path, views=1, device="cpu", n_uncertainty_samples=3)
    summary = drain(batch_job(source, target, options))
    assert samples == [0, 0]
    assert "no uncertainty samples drawn" in summary
    for name, suffix in (("a", ".png"), ("b", ".tif")):
        output, digest = target / f"{name}_denoised{suffix}", _sha256(source / f"{name}{suffix}")
        record = source_record(digest, 0)
        assert f"; {record}. Not for diagnostic use" in raster_description(output)
        # As the command line's: --skip-existing finds it made from this file's frame.
        assert made_from(output, source / f"{name}{suffix}", 0, lambda d=digest: d) == ""
    with (target / "batch_metrics.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == list(BATCH_COLUMNS)
    assert BATCH_COLUMNS[-4:-1] == ("source_sha256", "tile_sizes", "tile_overlap")
    # The tile changes the result: recorded as the report's CSV records it.
    assert [(row["tile_sizes"], row["tile_overlap"]) for row in rows] == [("512", "64")] * 2
    assert [row["source_sha256"] for row in rows] == [
        _sha256(source / "a.png"),
        _sha256(source / "b.tif"),
    ]
