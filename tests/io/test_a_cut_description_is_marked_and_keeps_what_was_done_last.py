"""A description cut to its limit says so (``...``) and keeps what was done last.

The app's export of a denoised simulation gave the simulation and the denoising as one
description; over 1024 characters, DerivationDescription and ContributionDescription lost
their ends (t*, the noise estimate, the noise left) with no mark. The simulation is now
passed as history: it has a ContributingEquipmentSequence item of its own, and is what a
DerivationDescription leaves out first. A description too long on its own keeps its
beginning (a warning leads it), its cut end marked.
"""

import numpy as np
import pydicom
from PIL import Image

from core.io import read_image, write_image, write_new_dicom
from core.io.dicom_write import NOTICE_PREFIX, ST_MAX
from core.io.source_record import ELLIPSIS, joined_history
from core.noise import phantom_image

SIMULATION = "simulated 10 % dose (" + "measured quanta, " * 40 + "seed 3)"
DENOISING = "then denoised by a model (" + "settings, " * 60 + "), t* 46.9; noise left 0.83"


def _source(tmp_path):
    stored = phantom_image((48, 48), bits_stored=12, photons_per_pixel=2000, seed=1)
    return read_image(write_new_dicom(stored, tmp_path / "in.dcm", bits_stored=12))


def test_a_text_too_long_is_cut_at_its_end_marked():
    assert joined_history("", "0123456789", 8) == "01234..."
    assert joined_history("before", "0123456789", 8) == "01234..."
    assert joined_history("before", "0123", 9) == "...; 0123"  # the oldest goes first


def test_a_simulation_given_as_history_is_left_out_first_and_has_its_own_item(tmp_path):
    assert len(NOTICE_PREFIX + SIMULATION + "; " + DENOISING) > ST_MAX
    path = write_image(
        _source(tmp_path),
        tmp_path / "out.dcm",
        description=DENOISING,
        history=SIMULATION,
        operation="simulated 10 % dose, denoised",
        dose=0.1,
    )
    ds = pydicom.dcmread(path)
    derivation = ds.DerivationDescription
    assert len(derivation) <= ST_MAX
    assert derivation.startswith(NOTICE_PREFIX + ELLIPSIS)
    assert derivation.endswith("; " + DENOISING)  # t* and the noise left kept whole
    simulation, denoising = ds.ContributingEquipmentSequence
    assert simulation.ContributionDescription == SIMULATION
    assert denoising.ContributionDescription == DENOISING


def test_a_description_too_long_on_its_own_is_cut_at_its_end_marked(tmp_path):
    long = "WARNING: few quanta; denoised by a model (" + "settings, " * 120 + "), t* 46.9"
    ds = pydicom.dcmread(write_image(_source(tmp_path), tmp_path / "d.dcm", description=long))
    kept = ST_MAX - len(NOTICE_PREFIX) - len(ELLIPSIS)
    assert ds.DerivationDescription == NOTICE_PREFIX + long[:kept] + ELLIPSIS
    (item,) = ds.ContributingEquipmentSequence
    assert item.ContributionDescription == long[: ST_MAX - len(ELLIPSIS)] + ELLIPSIS


def test_a_secondary_capture_cut_is_marked(tmp_path):
    png = tmp_path / "in.png"
    Image.fromarray(np.full((16, 16), 1000, np.uint16)).save(png)
    path = write_image(
        read_image(png), tmp_path / "sc.dcm", description=DENOISING, history=SIMULATION
    )
    derivation = pydicom.dcmread(path).DerivationDescription
    assert derivation.startswith(NOTICE_PREFIX + ELLIPSIS)
    assert derivation.endswith(DENOISING)
    assert len(derivation) <= ST_MAX
