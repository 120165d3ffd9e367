"""A data licence is found as LICENSE, LICENCE or COPYING in any case, as it is named."""

import pytest

from core.training.data import describe_source, sort_files

TITLE = "Creative Commons Attribution 4.0 International"


@pytest.mark.parametrize(
    "name", ["license.txt", "LICENCE", "License.md", "LICENSE.TXT", "COPYING", "licence.md"]
)
def test_a_licence_of_a_usual_name_goes_into_the_card_and_is_no_image(tmp_path, name):
    (tmp_path / "site").mkdir()
    for folder in (tmp_path, tmp_path / "site"):
        (folder / name).write_text(f"{TITLE}\n\nDataset by X\n")
    card = describe_source(tmp_path)
    assert card["license"] == f"{TITLE} Dataset by X" and "no_terms" not in card
    assert card["sources"] == {"site": {"license": f"{TITLE} Dataset by X"}}
    _, others = sort_files(tmp_path)
    assert not others  # the texts taken are not files not taken as images


def test_the_first_name_in_order_is_taken(tmp_path):
    (tmp_path / "COPYING").write_text("GPL\n")
    (tmp_path / "licence.txt").write_text("CC BY\n")
    assert describe_source(tmp_path)["license"] == "CC BY"
    _, others = sort_files(tmp_path)
    assert [path.name for path in others] == ["COPYING"]
