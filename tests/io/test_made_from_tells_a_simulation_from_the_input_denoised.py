"""``--skip-existing``'s reader does not take an output of a simulated dose for its input denoised.

The app exports a denoised simulation with the record of the file it was simulated from,
and ``xray-denoise simulate`` writes its output so too; both record that a lower dose was
simulated in between: a PNG's or TIFF's record ends :data:`SIMULATED`, a DICOM has a
ContributingEquipmentSequence item for the simulation.
"""

import hashlib

import numpy as np
from PIL import Image

from core.io import read_image, write_image, write_new_dicom
from core.io.source_record import (
    SOURCE_RECORD,
    described_history,
    made_from,
    raster_description,
    source_record,
)
from core.noise import phantom_image

SIMULATION = "simulated 25 % dose (2000 quanta/pixel at full dose, seed 0)"
SIMULATED_OPERATION = "simulated 25 % dose, denoised"


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dicom(tmp_path):
    stored = phantom_image((48, 48), bits_stored=12, photons_per_pixel=2000, seed=1)
    return write_new_dicom(stored, tmp_path / "in.dcm", bits_stored=12)


def test_a_png_of_a_denoised_simulation_is_not_its_input_denoised(tmp_path):
    source = tmp_path / "in.png"
    Image.fromarray(np.full((16, 16), 1000, np.uint16)).save(source)
    image, digest = read_image(source), _sha256(source)
    outputs = {}
    for name, simulated in (("sim.png", True), ("plain.png", False)):
        record = source_record(digest, 0, simulated=simulated)
        outputs[name] = write_image(image, tmp_path / name, description=f"denoised; {record}")
    problem = made_from(outputs["sim.png"], source, 0, lambda: digest)
    assert (
        problem == "exists, made from a lower dose simulated from this input, not from this input"
    )
    assert made_from(outputs["plain.png"], source, 0, lambda: digest) == ""
    # Older readers read the record before the mark; a history drops the mark with it.
    text = raster_description(outputs["sim.png"])
    assert SOURCE_RECORD.findall(text) == [(digest, "number ", "1")]
    assert described_history(text) == "denoised"


def test_a_dicom_of_a_denoised_simulation_is_not_its_input_denoised(tmp_path):
    source = _dicom(tmp_path)
    image = read_image(source)
    exported = write_image(
        image,
        tmp_path / "exported.dcm",
        description="then denoised by a model",
        history=SIMULATION,
        operation=SIMULATED_OPERATION,
        dose=0.25,
    )
    older = write_image(  # as the app wrote it before: one description
        image,
        tmp_path / "older.dcm",
        description=f"{SIMULATION}; then denoised by a model",
        operation=SIMULATED_OPERATION,
        dose=0.25,
    )
    simulated = write_image(  # as xray-denoise simulate writes it
        image,
        tmp_path / "sim.dcm",
        description=SIMULATION,
        operation="simulated 25 % dose",
        dose=0.25,
    )
    denoised = write_image(image, tmp_path / "denoised.dcm", description="denoised by a model")
    for output in (exported, older, simulated):
        problem = made_from(output, source, 0, lambda: "")
        assert problem == (
            "exists, made from a lower dose simulated from this input, not from this input"
        )
    assert made_from(denoised, source, 0, lambda: "") == ""
    # The simulation's own output denoised is that file denoised: the simulation came before.
    again = write_image(
        read_image(simulated), tmp_path / "again.dcm", description="denoised by a model"
    )
    assert made_from(again, simulated, 0, lambda: "") == ""
