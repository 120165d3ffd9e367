"""Qt's own options (``-style fusion``, ``-platform offscreen``...) go to QApplication.

Before, the app's parser refused them ("unrecognized arguments: -style") and QApplication
was made with the program's name only; any other unknown option is still refused.
"""

import os
import subprocess
import sys

import pytest

import xraygui.__main__ as app_main
from xraygui.__main__ import parse_args, qt_environment, qt_start_problem, split_qt_arguments


@pytest.mark.parametrize(
    ("argv", "files", "qt"),
    [
        (["-style", "fusion"], [], ["-style", "fusion"]),
        (["a.dcm", "-style", "fusion", "b.png"], ["a.dcm", "b.png"], ["-style", "fusion"]),
        (["-style=windows", "-reverse", "a.dcm"], ["a.dcm"], ["-style=windows", "-reverse"]),
        (
            ["-stylesheet", "x.qss", "-platform", "offscreen", "-platformtheme", "gtk3"],
            [],
            ["-stylesheet", "x.qss", "-platform", "offscreen", "-platformtheme", "gtk3"],
        ),
        (["-qwindowtitle", "-reverse", "a.dcm"], ["a.dcm"], ["-qwindowtitle", "-reverse"]),
        (["-widgetcount", "--", "-reverse"], ["-reverse"], ["-widgetcount"]),  # a file after --
    ],
)
def test_qts_options_and_their_values_are_taken_out(argv, files, qt):
    args = parse_args(argv)
    assert args.files == files
    assert args.qt_arguments == qt


@pytest.mark.parametrize(
    ("argv", "refused"),
    [
        (["--bogus"], "--bogus"),
        (["-bogus", "a.dcm"], "-bogus"),
        (["a.dcm", "-style"], "-style"),  # Qt's, but without its value
        (["--style", "fusion"], "--style"),  # Qt documents one dash
    ],
)
def test_any_other_option_is_refused_as_before(argv, refused, capsys):
    with pytest.raises(SystemExit) as stop:
        parse_args(argv)
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"xraygui: error: unrecognized arguments: {refused}"
    )


def test_the_apps_own_options_keep_their_errors(tmp_path, capsys):
    with pytest.raises(SystemExit):
        parse_args(["-style", "fusion", "--report-dir", str(tmp_path)])
    assert "--report-dir is where --smoke-test writes" in capsys.readouterr().err


def test_split_keeps_the_order_of_both():
    assert split_qt_arguments(["a", "-reverse", "--model", "m", "-session", "s", "b"]) == (
        ["a", "--model", "m", "b"],
        ["-reverse", "-session", "s"],
    )


def test_main_hands_them_to_qapplication(monkeypatch):
    made = []

    class Made(Exception):
        """Stops main where the application is made."""

    class Application:
        @staticmethod
        def instance():
            return None

        def __init__(self, argv):
            made.append(argv)
            raise Made

    monkeypatch.setattr(app_main, "QApplication", Application)
    monkeypatch.setattr(app_main, "qt_start_problem", lambda environ: None)
    with pytest.raises(Made):
        app_main.main(["-style", "fusion", "a.dcm", "-platform", "offscreen"])
    assert made == [[sys.argv[0], "-style", "fusion", "-platform", "offscreen"]]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the X11 check is Linux's")
def test_a_platform_given_stands_for_qt_qpa_platform():
    assert "DISPLAY is not set" in qt_start_problem({})
    assert qt_start_problem(qt_environment({}, ["-platform", "offscreen"])) is None
    assert qt_environment({"DISPLAY": ":0"}, ["-qwindowtitle", "-display", "-display", ":1"]) == {
        "DISPLAY": ":1"
    }


def test_qt_takes_the_style_and_platform_given():
    environ = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "from xraygui.__main__ import QApplication, parse_args; "
            "args = parse_args(['-style', 'windows', '-platform', 'offscreen']); "
            "app = QApplication(['xraygui', *args.qt_arguments]); "
            "print(app.style().name(), app.platformName())",
        ],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["windows", "offscreen"]
