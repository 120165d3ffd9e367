"""A PNG's or TIFF's description keeps what was done to its source, as a DICOM's does.

What was done before comes first, then what was done now, joined by "; "; the source's
notice and source record are left out (the record is the new file's own to add), and a
history too long loses its oldest part first.
"""

import numpy as np
import tifffile
from PIL import Image, PngImagePlugin

from core.cli import main
from core.io import read_image, write_image
from core.io.notice import not_for_diagnosis
from core.io.raster_write import DESCRIPTION_MAX
from core.io.source_record import joined_history, made_from, source_record

SHA, OTHER = "ab" * 32, "cd" * 32


def _png(path, description=None):
    """A 16-bit PNG of another program: with a Description of its own, if given."""
    pixels = np.tile(np.arange(0, 4096, 64, dtype=np.uint16), (64, 1))
    info = PngImagePlugin.PngInfo()
    if description is not None:
        info.add_itxt("Description", description)
    Image.fromarray(pixels).save(path, pnginfo=info)
    return path


def _described(path):
    if path.suffix == ".png":
        with Image.open(path) as png:
            return png.info["Description"]
    with tifffile.TiffFile(path) as tiff:
        return tiff.pages[0].description


def test_a_png_written_from_one_of_ours_keeps_its_history_without_its_record(tmp_path):
    first = tmp_path / "first.png"
    write_image(
        read_image(_png(tmp_path / "in.png")),
        first,
        description=f"simulated 25 % dose (...); {source_record(SHA, 0)}",
    )
    second = write_image(
        read_image(first), tmp_path / "second.png", description="denoised by a model"
    )
    assert _described(second) == (
        f"simulated 25 % dose (...); denoised by a model. {not_for_diagnosis()}"
    )


def test_a_tiff_keeps_the_history_of_a_png_and_of_a_tiff(tmp_path):
    first = tmp_path / "first.tif"
    source = read_image(_png(tmp_path / "in.png"))
    write_image(source, first, description=f"simulated 10 % dose; {source_record(SHA, 2)}")
    second = write_image(read_image(first), tmp_path / "second.tif", description="denoised")
    assert _described(second) == f"simulated 10 % dose; denoised. {not_for_diagnosis()}"


def test_another_programs_description_is_no_history(tmp_path):
    foreign = _png(tmp_path / "in.png", description="ImageJ=1.54f\nunit=mm")
    written = write_image(read_image(foreign), tmp_path / "out.png", description="denoised")
    assert _described(written) == f"denoised. {not_for_diagnosis()}"


def test_a_dicoms_derivation_is_the_history_of_its_png(tmp_path, capsys):
    phantom = tmp_path / "phantom.dcm"
    assert main(["phantom", str(phantom), "--size", "32", "--photons", "1000"]) == 0
    capsys.readouterr()
    written = write_image(read_image(phantom), tmp_path / "out.png", description="denoised")
    assert _described(written) == (
        "SYNTHETIC chest phantom (Beer-Lambert), 1000 quanta/pixel, electronic noise 4 "
        f"quanta rms, seed 0; denoised. {not_for_diagnosis()}"
    )


def test_a_history_too_long_loses_its_oldest_part_and_keeps_the_newest_whole(tmp_path):
    first = tmp_path / "first.png"
    oldest = "simulated 5 % dose " + "x" * DESCRIPTION_MAX
    write_image(read_image(_png(tmp_path / "in.png")), first, description=oldest)
    newest = f"denoised by a model; {source_record(OTHER, 0)}"
    second = write_image(read_image(first), tmp_path / "second.png", description=newest)
    history = _described(second).removesuffix(f". {not_for_diagnosis()}")
    assert len(history) == DESCRIPTION_MAX
    assert history.startswith("...x") and history.endswith(f"x; {newest}")


def test_the_joined_history_trims_from_the_front_or_cuts_a_description_too_long():
    assert joined_history("", "now", 10) == "now"
    assert joined_history("before", "now", 20) == "before; now"
    assert joined_history("0123456789", "now", 12) == "...6789; now"
    assert joined_history("before", "a description too long", 10) == "a descr..."


def test_a_tiff_description_beyond_ascii_is_escaped_rather_than_refused(tmp_path):
    source = read_image(_png(tmp_path / "in.png"))
    written = write_image(source, tmp_path / "out.tif", description="model \u00b5-net")
    assert _described(written) == f"model \\xb5-net. {not_for_diagnosis()}"


def test_the_last_source_record_of_a_history_is_the_files_own(tmp_path):
    output = tmp_path / "out.tif"
    tifffile.imwrite(
        output,
        np.zeros((8, 8), np.uint16),
        description=f"{source_record(OTHER, 0)}; simulated; {source_record(SHA, 0)}",
    )
    assert made_from(output, tmp_path / "in.png", 0, lambda: SHA) == ""
    assert made_from(output, tmp_path / "in.png", 0, lambda: OTHER).startswith(
        "exists, made from another input"
    )


def test_the_history_is_the_sources_as_read_not_as_the_file_holds_it_later(tmp_path):
    first = tmp_path / "first.png"
    original = read_image(_png(tmp_path / "in.png"))
    write_image(original, first, description="simulated 25 % dose")
    source = read_image(first)
    write_image(original, first, description="simulated 50 % dose", overwrite=True)
    second = write_image(source, tmp_path / "second.png", description="denoised")
    assert _described(second).startswith("simulated 25 % dose; denoised. ")
