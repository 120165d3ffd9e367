"""A simulated dose scales the exposures of ExposureDoseSequence and drops CR Sensitivity.

``simulate --dose 0.25`` scaled the top-level ExposureInuAs and XRayTubeCurrent but left
each ExposureDoseSequence item at the full dose, and kept Sensitivity, a CR reader's
speed on its vendor's scale (inverse to the exposure, for many). The items' exposure
values are now scaled as the top-level ones, Sensitivity removed as RelativeXRayExposure
is, and DerivationDescription names both.
"""

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from core.cli import main
from core.io import read_image, write_derived_dicom


def exposure(kvp, microampere_seconds, microamperes):
    item = Dataset()
    item.KVP = kvp
    item.ExposureTime = 20
    item.ExposureInuAs = microampere_seconds
    item.XRayTubeCurrentInuA = microamperes
    return item


@pytest.fixture
def exposed(write_dx):
    """A CR of two exposures, at 200 speed."""
    rng = np.random.default_rng(6)
    return write_dx(
        rng.integers(1000, 3000, size=(32, 32), dtype=np.uint16),
        ExposureInuAs=5000,
        XRayTubeCurrent=250,
        Sensitivity=200.0,
        RelativeXRayExposure=1000,
        ExposureDoseSequence=[exposure(80, 5000, 250000.0), exposure(70, 2000, 100000.0)],
    )


def test_each_exposure_is_scaled_and_the_sensitivity_removed(tmp_path, exposed):
    image = read_image(exposed)
    out = write_derived_dicom(
        image, tmp_path / "low.dcm", description="simulated", operation="simulated", dose=0.25
    )
    ds = pydicom.dcmread(out)
    assert ds.ExposureInuAs == 1250 and ds.XRayTubeCurrent == 62
    first, second = ds.ExposureDoseSequence
    assert first.ExposureInuAs == 1250 and float(first.XRayTubeCurrentInuA) == 62500
    assert second.ExposureInuAs == 500 and float(second.XRayTubeCurrentInuA) == 25000
    assert float(first.KVP) == 80 and first.ExposureTime == 20  # not dose: kept
    assert "Sensitivity" not in ds and "RelativeXRayExposure" not in ds
    description = ds.DerivationDescription
    assert "ExposureDoseSequence (ExposureInuAs, XRayTubeCurrentInuA)" in description
    assert "removed: RelativeXRayExposure, Sensitivity" in description
    assert image.dataset.ExposureDoseSequence[0].ExposureInuAs == 5000  # the source's kept


def test_a_denoised_image_keeps_every_exposure(tmp_path, exposed):
    ds = pydicom.dcmread(
        write_derived_dicom(read_image(exposed), tmp_path / "d.dcm", description="denoised")
    )
    assert ds.ExposureDoseSequence[0].ExposureInuAs == 5000 and float(ds.Sensitivity) == 200


def test_the_simulate_command_scales_each_exposure(tmp_path, exposed):
    out = tmp_path / "sim.dcm"
    args = ["simulate", str(exposed), "--dose", "0.25", "--photons", "20000", "--output", str(out)]
    assert main(args) == 0
    ds = pydicom.dcmread(out)
    assert [item.ExposureInuAs for item in ds.ExposureDoseSequence] == [1250, 500]
    assert "Sensitivity" not in ds
