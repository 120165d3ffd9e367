"""A file name that is not valid UTF-8 keeps its undecodable byte in the window's text.

Linux hands such a name (Latin-1 ``M\\xfcller.dcm``) to Python with the byte as a lone
surrogate, which Qt drops from a title or message (``Mller.dcm``) while the report writes
it as ``\\xfc``; :func:`xraygui.session.image_name` names it as the report does.
"""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from xraygui.session import image_name

pytestmark = pytest.mark.gui


def test_an_undecodable_byte_is_named_as_the_report_names_it():
    image = SimpleNamespace(source_path=Path("/data") / os.fsdecode(b"M\xfcller.dcm"))
    name = image_name(image)
    assert name == "M\\xfcller.dcm"
    assert name.encode("utf-8").decode("utf-8") == name  # no lone surrogate for Qt to drop


def test_a_valid_name_and_an_image_not_from_a_file_are_unchanged():
    assert image_name(SimpleNamespace(source_path=Path("/d/Müller_東京.dcm"))) == "Müller_東京.dcm"
    assert image_name(SimpleNamespace(source_path=None)) == "the image"
