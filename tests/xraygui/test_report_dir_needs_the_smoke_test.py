"""``xraygui --report-dir DIR`` without ``--smoke-test`` is refused, not silently ignored.

Before, the window opened and nothing was ever written to DIR: someone scripting an install
check who forgot ``--smoke-test`` was left with a running window and no report.
"""

import pytest

from xraygui.__main__ import parse_args


def test_report_dir_alone_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        parse_args(["--report-dir", str(tmp_path)])
    assert stop.value.code == 2
    assert "--report-dir is where --smoke-test writes" in capsys.readouterr().err


def test_report_dir_with_the_smoke_test_is_taken(tmp_path):
    args = parse_args(["--smoke-test", "--report-dir", str(tmp_path)])
    assert args.smoke_test and args.report_dir == tmp_path
