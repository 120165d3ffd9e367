"""The model card takes the licence and attribution texts of every site folder, says when
there are none, and the log does not count the texts it took as files left out."""

import logging

import numpy as np
from PIL import Image

from core.training.data import describe_source, find_images, sort_files


def _site_folder(root):
    """A top-level LICENSE, a site folder with its own attribution and licence, a note."""
    (root / "site2").mkdir(parents=True)
    for path in (root / "a.png", root / "site2" / "b.png"):
        Image.fromarray(np.full((8, 8), 1000, np.uint16)).save(path)
    (root / "LICENSE").write_text("Proprietary - internal research only\n\nDo not distribute.")
    (root / "site2" / "ATTRIBUTION.md").write_text("Images from site 2, CC BY 4.0, cite X.")
    (root / "site2" / "LICENSE.txt").write_text("Creative Commons\nAttribution 4.0\nmore\n")
    (root / "notes.txt").write_text("hello")
    return root


def test_a_site_folders_texts_are_kept_by_folder_beside_the_top_level_fields(tmp_path):
    info = describe_source(_site_folder(tmp_path))
    assert info["license"] == "Proprietary - internal research only Do not distribute."
    assert "attribution" not in info and "no_terms" not in info
    assert info["sources"] == {
        "site2": {
            "attribution": "Images from site 2, CC BY 4.0, cite X.",
            "license": "Creative Commons Attribution 4.0",
        }
    }


def test_a_site_folder_alone_gives_the_card_its_terms(tmp_path):
    (tmp_path / "site1").mkdir()
    (tmp_path / "site1" / "ATTRIBUTION").write_text("Site 1 images.")
    assert describe_source(tmp_path) == {"sources": {"site1": {"attribution": "Site 1 images."}}}


def test_a_folder_without_licence_or_attribution_is_warned_of_and_the_card_says_so(
    tmp_path, caplog
):
    data = tmp_path / "chest"
    (data / "sub").mkdir(parents=True)
    with caplog.at_level(logging.WARNING, logger="core.training.data"):
        info = describe_source(data)
    assert info == {
        "no_terms": "no licence or attribution found in chest: the model card cannot say "
        "under what terms the data may be used"
    }
    assert f"no licence or attribution found in {data}" in caplog.text


def test_the_texts_taken_are_not_counted_among_the_files_left_out(tmp_path, caplog):
    data = _site_folder(tmp_path)
    (data / "LICENSE.md").write_text("a second licence, not taken: LICENSE comes first")
    with caplog.at_level(logging.WARNING, logger="core.training.data"):
        images = find_images(data)
    assert [p.name for p in images] == ["a.png", "b.png"]
    _, others = sort_files(data)
    assert sorted(p.name for p in others) == ["LICENSE.md", "notes.txt"]
    assert "2 file(s) here are not taken as images" in caplog.text
