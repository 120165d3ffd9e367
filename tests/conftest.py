"""Test-wide set-up: Qt runs offscreen, whoever starts pytest."""

import errno
import hashlib
import logging
import os
from pathlib import Path

import numpy as np
import pytest
from pydicom.fileset import FileSet

import core.io
from core.io import write_new_dicom
from core.io.dicom_write import new_dataset, write_dataset
from core.noise import phantom_image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def fifo(tmp_path):
    """Make a FIFO at a name in `tmp_path` (or a path) and return its path.

    At teardown, any reader still waiting on one is let go.
    """
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    made = []

    def make(name: str | Path) -> Path:
        path = tmp_path / name
        os.mkfifo(path)
        made.append(path)
        return path

    yield make
    for path in made:
        try:  # succeeds only while a reader waits: it then reads an end of file
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass


@pytest.fixture
def refuse_listing(monkeypatch):
    """Make ``os.scandir`` refuse a folder as it does another user without r or x permission.

    Root, as these tests often run, lists any folder; ``os.walk`` lists with ``os.scandir``
    and hands its PermissionError to ``onerror``, as for a real unreadable folder. Call the
    fixture with the folder to refuse.
    """

    def refuse(folder):
        real = os.scandir

        def scandir(path="."):
            if os.fspath(path) == os.fspath(folder):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)

    return refuse


def _frames_dataset(
    frames: np.ndarray, *, patient_id: str, description: str = "", modality: str = "CR"
):
    """A 12-bit MONOCHROME2 multi-frame data set of `frames` (frames x rows x cols)."""
    frames = np.asarray(frames).astype(np.uint16)
    ds = new_dataset(
        frames[0],
        photometric="MONOCHROME2",
        bits_stored=12,
        pixel_spacing=None,
        patient_name="",
        patient_id=patient_id,
        description=description,
        modality=modality,
        window=None,
    )
    ds.set_pixel_data(frames, "MONOCHROME2", 12)
    return ds


@pytest.fixture
def frames_dataset():
    """Return a function making a 12-bit multi-frame data set of an array of frames."""
    return _frames_dataset


@pytest.fixture
def three_frame_dicom(tmp_path):
    """A 3-frame 12-bit DICOM with a smooth, noisy film in each frame."""
    rng = np.random.default_rng(6)
    _, xx = np.mgrid[0:64, 0:64]
    frames = np.stack(
        [2000 + 900 * np.sin(xx / (9 + k)) + rng.normal(0, 40, xx.shape) for k in range(3)]
    )
    ds = _frames_dataset(frames, patient_id="SYN-3", description="three frames")
    path = tmp_path / "in" / "mf.dcm"
    path.parent.mkdir()
    return write_dataset(ds, path)


@pytest.fixture
def drain():
    """Return a function that runs a generator to its end and returns its value."""

    def run_to_end(generator):
        while True:
            try:
                next(generator)
            except StopIteration as stop:
                return stop.value

    return run_to_end


@pytest.fixture
def restore_logging():
    """Put the root logger back as it was: a training run adds its log file's handler."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[len(handlers) :]:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def uid_named_folder():
    """Make a folder of DICOMs named by their UID, as a storage SCP writes them.

    Called as ``uid_named_folder(folder, names, copy_as)``: a DICOM per name (the last
    in ``sub/``, patient ``P1``, ``P2``...), a copy of the first also written as
    ``copy_as`` (a plain ``.dcm``, or a name without suffix), and ``notes.txt`` and
    ``data.101`` (random bytes), the files that are not images.
    """

    def make(folder: Path, names: list[str], copy_as: str) -> Path:
        (folder / "sub").mkdir(parents=True)
        for i, name in enumerate(names, 1):
            stored = phantom_image((48, 48), bits_stored=12, photons_per_pixel=2000.0, seed=i)
            where = folder / "sub" if i == len(names) else folder
            write_new_dicom(stored, where / name, bits_stored=12, patient_id=f"P{i}")
        (folder / copy_as).write_bytes((folder / names[0]).read_bytes())
        (folder / "notes.txt").write_text("acquired 2024\n")
        rng = np.random.default_rng(0)
        (folder / "data.101").write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
        return folder

    return make


class _WithFileAttributes:
    """An ``os.lstat`` result with Windows file attributes (``st_file_attributes``)."""

    def __init__(self, real: os.stat_result, attributes: int) -> None:
        self._real, self.st_file_attributes = real, attributes

    def __getattr__(self, name: str):
        return getattr(self._real, name)


@pytest.fixture
def file_attributes(monkeypatch):
    """Emulate Windows' file attributes: call it with ``{entry name: attributes}``.

    ``os.lstat`` then gives the entries of those names (any folder) those
    ``st_file_attributes``, and :mod:`core.training.data` looks them up, as on Windows;
    other systems have none.
    """

    from core.training import data

    def mark(attributes: dict[str, int]) -> None:
        real = os.lstat

        def lstat(path, *args, **kwargs):
            result = real(path, *args, **kwargs)
            marked = attributes.get(Path(path).name)
            return result if marked is None else _WithFileAttributes(result, marked)

        monkeypatch.setattr(os, "lstat", lstat)
        monkeypatch.setattr(data, "HAS_FILE_ATTRIBUTES", True)

    return mark


@pytest.fixture
def hashed(monkeypatch):
    """The names of the files hashed from now on, none hashed before."""
    names = []
    real = hashlib.file_digest

    def counting(file, digest):
        names.append(file.name)
        return real(file, digest)

    monkeypatch.setattr(hashlib, "file_digest", counting)
    monkeypatch.setattr(core.io, "_DIGESTS", {})
    return names


@pytest.fixture
def write_file_set():
    """Return ``write(folder)``: a File-set as on a patient CD, one DX image and its DICOMDIR."""

    def write(folder: Path) -> Path:
        ds = new_dataset(
            np.arange(32 * 32, dtype=np.uint16).reshape(32, 32),
            photometric="MONOCHROME2",
            bits_stored=12,
            pixel_spacing=None,
            patient_name="CD^Patient",
            patient_id="CD1",
            description="on a CD",
            modality="DX",
            window=None,
        )
        ds.StudyDate, ds.StudyTime, ds.StudyID, ds.AccessionNumber = "20240101", "120000", "1", ""
        ds.SeriesNumber = ds.InstanceNumber = 1
        file_set = FileSet()
        file_set.add(ds)
        file_set.write(folder)
        return folder

    return write
