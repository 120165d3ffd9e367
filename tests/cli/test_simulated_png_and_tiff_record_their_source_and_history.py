"""``simulate`` records its input in a PNG's or TIFF's description; ``denoise`` keeps it.

A simulated PNG or TIFF ends its description with the SHA-256 and frame of its input,
as ``denoise`` does; denoising it keeps the simulation before "denoised by", as a
derived DICOM's DerivationDescription does, and ``--skip-existing`` finds the denoised
file's own record after that history.
"""

import hashlib

import numpy as np
import tifffile
from PIL import Image

from core.cli import main
from core.io.source_record import SOURCE_RECORD, source_record

SIMULATE = ["--dose", "0.5", "--photons", "20000", "--seed", "1"]


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _description(path):
    if path.suffix == ".png":
        with Image.open(path) as png:
            return png.info["Description"]
    with tifffile.TiffFile(path) as tiff:
        return tiff.pages[0].description


def test_a_simulated_png_records_its_input(png16, tmp_path, capsys):
    low = tmp_path / "low.png"
    assert main(["simulate", str(png16), *SIMULATE, "--output", str(low)]) == 0
    printed = capsys.readouterr().out
    description = _description(low)
    assert description.startswith("simulated 50 % dose (20000 quanta/pixel")
    record = source_record(_sha256(png16), 0, simulated=True)
    assert f"; {record}. Not for diagnostic use" in description
    assert "source sha256" not in printed  # the record is the file's, not the line's


def test_a_simulated_page_of_a_tiff_records_the_page(tmp_path, capsys):
    rng = np.random.default_rng(4)
    pages = (2000 + rng.normal(0, 30, (3, 64, 64))).astype(np.uint16)
    source = tmp_path / "pages.tif"
    tifffile.imwrite(source, pages, photometric="minisblack")
    low = tmp_path / "low.tif"
    argv = ["simulate", str(source), *SIMULATE, "--frame", "3", "--output", str(low)]
    assert main(argv) == 0
    capsys.readouterr()
    assert SOURCE_RECORD.findall(_description(low)) == [(_sha256(source), "number ", "3")]


def test_denoising_a_simulated_png_keeps_the_simulation_and_skips_by_its_own_record(
    png16, tiny_model, tmp_path, capsys
):
    low = tmp_path / "low.png"
    assert main(["simulate", str(png16), *SIMULATE, "--output", str(low)]) == 0
    out = tmp_path / "out"
    options = ["--output-dir", str(out), "--model", str(tiny_model), "--device", "cpu"]
    assert main(["denoise", str(low), *options, "--views", "1"]) == 0
    denoised = out / "low.png"
    description = _description(denoised)
    assert description.startswith("simulated 50 % dose (20000 quanta/pixel")
    simulation_end = description.index("; denoised by diffusion model")
    assert "clipped at" in description[:simulation_end]
    # The one record is the denoised file's own: the simulated PNG and its frame.
    assert SOURCE_RECORD.findall(description) == [(_sha256(low), "number ", "1")]
    before = denoised.read_bytes()
    capsys.readouterr()
    assert main(["denoise", str(low), *options, "--views", "1", "--skip-existing"]) == 0
    assert f"skipped (exists): {denoised}" in capsys.readouterr().err
    assert denoised.read_bytes() == before
