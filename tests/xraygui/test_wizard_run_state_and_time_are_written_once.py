"""The wizard's "state could not be recorded" line and its run-folder time are each made in
one place (``xraygui.wizard.runs``): the run page, the training process and the result page
said the first in three hand-written copies; the run folders' time was written by a
``strftime`` in ``runs`` and found again by a regex written apart in ``result_page``."""

import datetime as dt

import pytest

from xraygui.wizard import result_page, runs

pytestmark = pytest.mark.gui


def test_the_line_names_the_state_where_given():
    assert runs.state_not_recorded("/r/run.json: is a folder", "paused") == (
        "the run's state (paused) could not be recorded: /r/run.json: is a folder"
    )
    assert runs.state_not_recorded("/r/run.json: is a folder") == (
        "the run's state could not be recorded: /r/run.json: is a folder"
    )


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2026, 11, 28, 2, 53, 27),
        dt.datetime(1999, 1, 1, 0, 0, 0),
        dt.datetime(2100, 12, 31, 23, 59, 59),
    ],
)
def test_a_time_written_by_the_format_is_found_by_the_pattern(when):
    stamp = when.strftime(runs.RUN_TIME_FORMAT)
    assert runs.RUN_TIME.fullmatch(stamp)
    assert (
        dt.datetime.strptime(runs.RUN_TIME.match(f"{stamp}-2").group(), runs.RUN_TIME_FORMAT)
        == when
    )


def test_a_new_run_folder_s_name_is_found_by_the_pattern_the_result_page_uses(tmp_path):
    assert result_page.RUN_TIME is runs.RUN_TIME
    first, second = runs.new_run_folder(tmp_path), runs.new_run_folder(tmp_path)
    assert runs.RUN_TIME.fullmatch(first.name)
    assert runs.RUN_TIME.match(second.name).group() == second.name[:15]
