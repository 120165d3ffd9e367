"""Output names that differ only in Unicode normal form are one file name on macOS.

``Röntgen`` composed (``ö``, as Windows and Linux write it) and decomposed (``o`` and a
combining diaeresis, as HFS+ stores it) name one file on APFS and HFS+: two inputs so
named wrote one output, the second refused or, with --overwrite, replacing the first.
"""

import unicodedata
from pathlib import Path

from core.io.output_names import frame_stem, output_stems

COMPOSED = unicodedata.normalize("NFC", "Röntgen")
DECOMPOSED = unicodedata.normalize("NFD", "Röntgen")


def _folded(stems):
    return {unicodedata.normalize("NFC", stem).casefold() for stem in stems}


def test_stems_of_two_folders_in_either_form_get_their_folders_names():
    a, b = Path("/data/site1", f"{COMPOSED}.png"), Path("/data/site2", f"{DECOMPOSED}.png")
    stems = output_stems([a, b], one_folder=True)
    assert stems == {a: f"site1_{COMPOSED}", b: f"site2_{DECOMPOSED}"}


def test_stems_of_one_folder_in_either_form_are_numbered():
    a, b = Path("/data", f"{COMPOSED}.png"), Path("/data", f"{DECOMPOSED}.png")
    stems = output_stems([a, b])
    assert len(_folded(stems.values())) == 2
    # As A.png beside a.png: both keep their suffix (rule 2), then all but one are numbered.
    assert stems == {a: f"{COMPOSED}_png_2", b: f"{DECOMPOSED}_png"}


def test_a_frame_name_in_the_other_form_of_an_inputs_stem_is_numbered():
    movie, still = Path("/data", f"{COMPOSED}.tif"), Path("/data", f"{DECOMPOSED}_frame001.tif")
    stems = output_stems([movie, still])
    name = frame_stem(stems, movie, 0)
    assert name == f"{COMPOSED}_frame001_2"
    assert len(_folded([name, stems[still]])) == 2
