"""The shipped sample is what the command that docs/development.md gives makes today.

The app and the bundle's smoke test open it by default: it must carry the notices that
``xray-denoise phantom`` writes now (the burned-in "Not for diagnostic use" overlay and
the descriptions' prefix), not an older phantom's.
"""

import re
from pathlib import Path

import numpy as np
import pydicom

from core.cli import main
from core.resources import sample_image_path

ROOT = Path(__file__).resolve().parents[1]


def test_the_sample_is_what_the_documented_command_makes(tmp_path):
    guide = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    command = re.search(r"`xray-denoise (phantom [^`]*)` rebuilds it", guide.replace("\n  ", " "))
    assert command is not None, "docs/development.md no longer says how the sample is made"
    arguments = command.group(1).split()
    made = tmp_path / "sample.dcm"
    arguments[arguments.index("resources/sample/synthetic_chest.dcm")] = str(made)
    assert main(arguments) == 0
    shipped, fresh = pydicom.dcmread(sample_image_path()), pydicom.dcmread(made)
    np.testing.assert_array_equal(shipped.pixel_array, fresh.pixel_array)
    for keyword in ("SeriesDescription", "DerivationDescription", "ImageComments"):
        assert _unversioned(shipped.get(keyword)) == _unversioned(fresh.get(keyword)), keyword
    assert shipped.get((0x6000, 0x3000)) is not None  # the burned-in notice
    assert shipped[0x6000, 0x3000].value == fresh[0x6000, 0x3000].value


def _unversioned(text: str | None) -> str | None:
    """The text less the version it names: the sample was made by an earlier commit."""
    return None if text is None else re.sub(r"(xray-denoise) \S+", r"\1 VERSION", str(text))
