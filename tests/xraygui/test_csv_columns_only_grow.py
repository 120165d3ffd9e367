"""The report and batch tables keep every earlier column in its place: new ones go at the end.

Scripts read these tables by position and append new tables to old ones; the lists below are
the columns of version 0.1.0 as released (commit fd187b5).
"""

import pytest

from xraygui.jobs import BATCH_COLUMNS
from xraygui.reports import CSV_COLUMNS, IDENTIFYING_KEYS

pytestmark = pytest.mark.gui

REPORT_COLUMNS_0_1_0 = (
    *("source", "frame"),
    *(f"patient_{key}" for key in IDENTIFYING_KEYS),
    *("comparison", "scope", "mse", "psnr_db", "ssim", "data_range", "data_range_source"),
    *("noise_before", "noise_after", "noise_reference", "noise_free_psnr_db"),
    *("padding_pixels_left_out", "simulation", "model", "model_sha256", "sampler", "steps"),
    *("seed", "strength", "views", "uncertainty_samples", "device", "t_start", "seconds"),
    *("software", "created", "disclaimer", "schema_version", "source_sha256"),
    *("source_sop_instance_uid", "reference", "reference_kind", "reference_frame"),
    *("reference_sha256", "reference_sop_instance_uid", "scale_warning", "ssim_problem"),
    *("noise_free_psnr_problem", "simulation_dose", "simulation_photons_per_pixel"),
    *("simulation_electronic_noise", "simulation_seed", "simulation_max_attenuation"),
    "simulation_quanta",
)

BATCH_COLUMNS_0_1_0 = (
    *("source", "output", "rows", "columns", "frame", "noise_before", "noise_after"),
    *("t_start", "model", "model_sha256", "settings", "device", "seconds", "error"),
    *("software", "created", "disclaimer"),
)


@pytest.mark.parametrize(
    ("columns", "released"),
    [(CSV_COLUMNS, REPORT_COLUMNS_0_1_0), (BATCH_COLUMNS, BATCH_COLUMNS_0_1_0)],
    ids=["report", "batch"],
)
def test_the_released_columns_come_first_in_their_order(columns, released):
    assert columns[: len(released)] == released
    assert "precision" in columns[len(released) :]
