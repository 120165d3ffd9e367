"""``denoise --skip-existing`` decides from the output's name and its record of its source.

A kept output's input is neither decoded nor warned about (no "frame 1 of 2 denoised" for a
multi-page input that was skipped); with ``--frame all`` the frames' own names decide.
"""

import numpy as np
import pytest
import tifffile

from core.cli import main
from core.errors import ImageReadError
from core.io import read_image
from core.io.source_record import source_record
from core.resources import file_sha256

PROG = "xray-denoise"
WARNING = "frames; frame 1 of 2 denoised"


@pytest.fixture
def pages(tmp_path):
    """A two-page 16-bit TIFF of noisy films."""
    rng = np.random.default_rng(4)
    film = rng.normal(30000, 800, (2, 64, 64)).clip(0, 65535).astype(np.uint16)
    path = tmp_path / "in" / "multi.tif"
    path.parent.mkdir()
    tifffile.imwrite(path, film)
    return path


def _denoise(model, out, *arguments):
    options = ["--output-dir", str(out), "--model", str(model), "--device", "cpu", "--views", "1"]
    return main(["denoise", *map(str, arguments), *options, "--threads", "1"])


def _truncate(path):
    """Keep only the TIFF's signature: named as before, but no longer decodable."""
    path.write_bytes(path.read_bytes()[:16])


def _restamp(output, source, frame):
    """Record `source` as it now is in `output`, as if made from it; return the output's bytes."""
    record = source_record(file_sha256(source), frame)
    tifffile.imwrite(output, tifffile.imread(output), description=record)
    return output.read_bytes()


def test_a_skipped_multi_page_input_is_not_said_denoised_nor_decoded(
    pages, tiny_model, tmp_path, capsys
):
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, pages) == 0
    assert WARNING in capsys.readouterr().err  # said where it was denoised
    _truncate(pages)  # decoding it now would fail
    before = _restamp(out / "multi.tif", pages, 0)  # kept only if made from these bytes
    assert _denoise(tiny_model, out, pages, "--skip-existing") == 0
    err = capsys.readouterr().err
    assert WARNING not in err
    assert f"{PROG}: {pages}: skipped (exists): {out / 'multi.tif'}" in err.splitlines()
    assert (out / "multi.tif").read_bytes() == before


def test_with_every_frame_the_frames_names_decide_what_is_skipped(
    pages, tiny_model, tmp_path, capsys
):
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, pages, "--frame", "all") == 0
    first = (out / "multi_frame001.tif").read_bytes()
    (out / "multi_frame002.tif").unlink()
    capsys.readouterr()
    assert _denoise(tiny_model, out, pages, "--frame", "all", "--skip-existing") == 0
    err = capsys.readouterr().err.splitlines()
    assert f"{PROG}: {pages}: skipped (exists): {out / 'multi_frame001.tif'}" in err
    assert sorted(p.name for p in out.iterdir()) == ["multi_frame001.tif", "multi_frame002.tif"]
    assert (out / "multi_frame001.tif").read_bytes() == first
    assert not (out / "multi.tif").exists()


def test_with_every_frame_a_kept_later_frame_is_not_decoded(pages, tiny_model, tmp_path, capsys):
    out = tmp_path / "out"
    assert _denoise(tiny_model, out, pages, "--frame", "all") == 0
    (out / "multi_frame001.tif").unlink()
    # The second page cannot be decoded any more; the first, whose output is gone, still can.
    tifffile.imwrite(pages, tifffile.imread(pages, key=0))
    with tifffile.TiffWriter(pages, append=True) as tif:
        tif.write(np.zeros((64, 64), np.uint16), compression="zlib")
    data = bytearray(pages.read_bytes())
    data[-40:] = b"\xff" * 40  # damages page 1's strip or its tags
    pages.write_bytes(bytes(data))
    with pytest.raises(ImageReadError, match="corrupt TIFF"):
        read_image(pages, frame=1)
    _restamp(out / "multi_frame002.tif", pages, 1)  # kept only if made from these bytes
    capsys.readouterr()
    assert _denoise(tiny_model, out, pages, "--frame", "all", "--skip-existing") == 0
    err = capsys.readouterr().err.splitlines()
    assert f"{PROG}: {pages}: skipped (exists): {out / 'multi_frame002.tif'}" in err
    assert (out / "multi_frame001.tif").is_file()
