"""A thread collects (or silences) the XrayWarnings of its own reads and writes, never another's.

Python (before 3.14) keeps one warnings state for the whole process: a
``warnings.catch_warnings`` in one worker thread took, or silenced, another thread's
warnings, and could leave the process's warnings pointing at a dead list. The readers and
writers issue their warnings through :func:`core.errors.issue_warning`, which a thread's
:func:`core.errors.collecting_warnings` takes, in a context variable: per thread.
"""

import threading
import warnings

import numpy as np
import pytest
from PIL import Image

from core.errors import XrayWarning, collecting_warnings, issue_warning
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image, write_image
from core.io.color import warn_converted


@pytest.fixture
def colour_png(tmp_path):
    path = tmp_path / "colour.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path)
    return path


def test_outside_a_collection_a_warning_is_issued_where_it_was_before(colour_png):
    with pytest.warns(XrayWarning) as caught:
        issue_warning("x.png: said", stacklevel=1)
    assert str(caught[0].message) == "x.png: said" and caught[0].filename == __file__
    with pytest.warns(XrayWarning, match="colour.png: RGB image converted") as caught:
        read_image(colour_png)
    assert caught[0].filename.endswith("core/io/__init__.py")  # the reader's caller, as before


def test_a_collection_takes_every_warning_of_reads_and_writes_and_warns_of_none(
    colour_png, tmp_path
):
    mono1 = XrayImage(
        np.zeros((8, 8), np.float32), StoredMapping(8), Window(128, 256), photometric="MONOCHROME1"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning issued would raise here
        with collecting_warnings() as notes:
            read_image(colour_png)
            read_image(colour_png)  # again: said again
            write_image(mono1, tmp_path / "out.png", description="test")
    said = f"{colour_png}: RGB image converted to grayscale (BT.601 luma)"
    assert notes == [
        said,
        said,
        f"{tmp_path / 'out.png'}: PNG has no MONOCHROME1; "
        + ("other viewers will show this image inverted"),
    ]


def test_collections_nest_and_end_even_on_an_error(tmp_path):
    with collecting_warnings() as outer:
        with pytest.raises(RuntimeError), collecting_warnings() as inner:
            warn_converted(tmp_path / "a.png", "inner")
            raise RuntimeError
        warn_converted(tmp_path / "b.png", "outer")
    assert inner == [f"{tmp_path / 'a.png'}: inner"] and outer == [f"{tmp_path / 'b.png'}: outer"]
    with pytest.warns(XrayWarning, match="after"):
        warn_converted(tmp_path / "c.png", "after")


def test_a_threads_collection_has_none_of_another_threads_warnings(tmp_path):
    """A collects; B, in its own collection, warns; A has nothing of B's, nor B of A's."""
    a_in, b_warned, a_warned = (threading.Event() for _ in range(3))
    collected = {}

    def thread_a():
        with collecting_warnings() as notes:
            a_in.set()
            assert b_warned.wait(5)
            collected["a before"] = list(notes)
            warn_converted(tmp_path / "a.png", "A's")
            a_warned.set()
        collected["a"] = notes

    def thread_b():
        assert a_in.wait(5)
        with collecting_warnings() as notes:
            warn_converted(tmp_path / "b.png", "B's")
            b_warned.set()
            assert a_warned.wait(5)
        collected["b"] = notes

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert collected == {
        "a before": [],
        "a": [f"{tmp_path / 'a.png'}: A's"],
        "b": [f"{tmp_path / 'b.png'}: B's"],
    }
