import os

import numpy as np
import pytest
from PIL import Image

from core.errors import ImageWriteError
from core.io import dicom_write, read_image, write_image, write_new_dicom
from core.io.atomic import atomic_write


def half_written_then_fail(file, *args, **kwargs):
    """Stand-in encoder: write part of the output, then fail like a full disk would."""
    file.write(b"partial output")
    raise OSError(28, "No space left on device")


def test_dicom_failure_mid_write_leaves_nothing(copy_of, monkeypatch):
    source = copy_of("CT_small.dcm")
    monkeypatch.setattr(dicom_write, "dcmwrite", half_written_then_fail)
    with pytest.raises(ImageWriteError, match="No space left on device"):
        write_image(read_image(source), source.parent / "out.dcm", description="x")
    assert sorted(source.parent.iterdir()) == [source]


def test_png_encoder_failure_leaves_nothing(tmp_path, phantom16, monkeypatch):
    Image.fromarray(phantom16).save(tmp_path / "in.png")
    image = read_image(tmp_path / "in.png")

    def failing_save(self, fp, *args, **kwargs):
        half_written_then_fail(fp)

    monkeypatch.setattr(Image.Image, "save", failing_save)
    with pytest.raises(ImageWriteError):
        write_image(image, tmp_path / "out.png", description="x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


def test_an_interrupt_also_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt), atomic_write(tmp_path / "out.bin") as file:
        file.write(b"some")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_kept_unless_overwrite(tmp_path, phantom16):
    out = tmp_path / "out.dcm"
    out.write_bytes(b"precious")
    with pytest.raises(ImageWriteError, match="exists"):
        write_new_dicom(phantom16, out)
    assert out.read_bytes() == b"precious"
    write_new_dicom(phantom16, out, overwrite=True)
    np.testing.assert_array_equal(read_image(out).pixels, phantom16)
    assert sorted(tmp_path.iterdir()) == [out]


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
def test_never_writes_onto_its_source(copy_of, spelling):
    source = copy_of("CT_small.dcm")
    before = source.read_bytes()
    target = {
        "same": source,
        "dotted": source.parent / "." / ".." / source.parent.name / source.name,
        "symlink": source.parent / "link.dcm",
        "hardlink": source.parent / "hard.dcm",
    }[spelling]
    if spelling == "symlink":
        target.symlink_to(source)
    if spelling == "hardlink":
        os.link(source, target)
    image = read_image(source)
    with pytest.raises(ImageWriteError, match="source"):
        write_image(image, target, description="x", overwrite=True)
    assert source.read_bytes() == before


def test_missing_folder_and_folder_destination(tmp_path, phantom16):
    with pytest.raises(ImageWriteError, match="does not exist"):
        write_new_dicom(phantom16, tmp_path / "no" / "such" / "x.dcm")
    (tmp_path / "folder.dcm").mkdir()
    with pytest.raises(ImageWriteError, match="folder"):
        write_new_dicom(phantom16, tmp_path / "folder.dcm", overwrite=True)
    (tmp_path / "afile").write_bytes(b"x")
    with pytest.raises(ImageWriteError, match="afile is a file, not a folder$"):
        write_new_dicom(phantom16, tmp_path / "afile" / "x.dcm")
    write_new_dicom(phantom16, tmp_path / "x.dcm")
    with pytest.raises(ImageWriteError, match=r"x.dcm: file exists \(--overwrite replaces it\)$"):
        write_new_dicom(phantom16, tmp_path / "x.dcm")


def test_written_files_get_umask_permissions(tmp_path, phantom16):
    umask = os.umask(0o022)
    os.umask(umask)
    out = write_new_dicom(phantom16, tmp_path / "x.dcm")
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_name_as_long_as_the_file_system_allows_is_written(tmp_path):
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    path = tmp_path / ("a" * (longest - 4) + ".bin")
    with atomic_write(path, overwrite=False) as file:
        file.write(b"x")
    assert path.read_bytes() == b"x" and sorted(p.name for p in tmp_path.iterdir()) == [path.name]
