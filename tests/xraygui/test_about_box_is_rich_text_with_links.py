"""The About box renders as rich text: code, links and aligned lists, not raw Markdown."""

import json

import pytest
from PySide6.QtGui import Qt

from xraygui.about import about_text

pytestmark = pytest.mark.gui

ATTRIBUTION = "The images in `png/` come from a hospital. See https://example.org/data."


def _about(tmp_path) -> str:
    model = tmp_path / "m.safetensors"
    data = {"name": "mine", "n_images": 4, "n_patients": 2, "attribution": ATTRIBUTION,
            "license": "Attribution 3.0 Unported"}  # fmt: skip
    model.with_suffix(".json").write_text(json.dumps({"weights_sha256": "ab" * 32, "data": data}))
    return about_text(model)


def test_the_about_text_is_rich_text_with_code_and_links(tmp_path):
    text = _about(tmp_path)
    assert Qt.mightBeRichText(text)  # the message box renders it, it does not show the tags
    assert "`" not in text and "<code>png/</code>" in text
    uri = "https://creativecommons.org/licenses/by/3.0/"
    assert f'<a href="{uri}">({uri})</a>' in text
    assert '<a href="https://example.org/data">https://example.org/data</a>.' in text
    assert "<li>Licence of that data: Attribution 3.0 Unported" in text  # a list: aligned
    assert "<li>Attribution: The images in" in text
    assert text.endswith("Not for diagnostic use.")


def test_the_about_box_names_the_app_it_is_about(tmp_path):
    first = _about(tmp_path).split("</p>")[0]
    assert "xraygui" in first and "xray-denoise" in first


def test_text_that_looks_like_markup_is_shown_as_text(tmp_path):
    model = tmp_path / "m.safetensors"
    data = {"name": "a<b>&c", "n_images": 4, "n_patients": 2}
    model.with_suffix(".json").write_text(json.dumps({"weights_sha256": "ab" * 32, "data": data}))
    assert "Trained on: a&lt;b&gt;&amp;c" in about_text(model)
