"""scripts/build_bundle.py smoke-tests a Windows bundle as it does a Linux one.

Before, it looked for ``dist/xraygui/xraygui`` without ``.exe``, ran each smoke test
through ``env -i`` (no such program on Windows) and looked only for Linux's GNU readline.
Here its OS is stood in for (``on_windows``) and ``subprocess.run`` records, runs nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_bundle  # noqa: E402 (scripts/ is not a package)

WINDOWS_ENVIRON = {
    "SYSTEMROOT": r"C:\Windows",
    "TEMP": r"C:\Users\ana\AppData\Local\Temp",
    "TMP": r"C:\Users\ana\AppData\Local\Temp",
    "USERPROFILE": r"C:\Users\ana",
    "LOCALAPPDATA": r"C:\Users\ana\AppData\Local",
    "APPDATA": r"C:\Users\ana\AppData\Roaming",
    "PATH": r"C:\work\.venv\Scripts;C:\Windows\System32",
    "VIRTUAL_ENV": r"C:\work\.venv",
    "PYTHONPATH": r"C:\work",
}


@pytest.fixture(params=[True, False], ids=["nt", "posix"])
def windows(request, monkeypatch):
    monkeypatch.setattr(build_bundle, "on_windows", lambda: request.param)
    return request.param


def test_the_clean_environment_on_windows_keeps_what_windows_needs(monkeypatch, tmp_path):
    monkeypatch.setattr(build_bundle, "on_windows", lambda: True)
    env = build_bundle.clean_environment(tmp_path / "home", WINDOWS_ENVIRON)
    kept = ["SYSTEMROOT", "TEMP", "TMP", "USERPROFILE", "LOCALAPPDATA", "APPDATA"]
    assert env == {
        **{name: WINDOWS_ENVIRON[name] for name in kept},
        "PATH": r"C:\Windows\System32;C:\Windows",
        "QT_QPA_PLATFORM": "offscreen",
    }


def test_the_clean_environment_elsewhere_is_the_one_env_i_gave(monkeypatch, tmp_path):
    monkeypatch.setattr(build_bundle, "on_windows", lambda: False)
    env = build_bundle.clean_environment(tmp_path / "home", WINDOWS_ENVIRON)
    assert env == {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "QT_QPA_PLATFORM": "offscreen",
    }


def _bundle(tmp_path: Path, names: list[str]) -> Path:
    bundle = tmp_path / "dist" / "xraygui"
    (bundle / "_internal").mkdir(parents=True)
    for name in names:
        (bundle / name).write_bytes(b"")
    return bundle


def test_windows_smoke_tests_the_console_executable_elsewhere_the_app(windows, tmp_path):
    bundle = tmp_path / "dist" / "xraygui"
    expected = (
        (bundle / "xraygui.exe", bundle / "xraygui-cli.exe")
        if windows
        else (
            bundle / "xraygui",
            bundle / "xraygui",
        )
    )
    assert build_bundle.executables(bundle) == expected


def test_a_windows_bundle_without_its_console_executable_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build_bundle, "on_windows", lambda: True)
    _bundle(tmp_path, ["xraygui.exe"])
    status = build_bundle.main(["--skip-build", "--dist-dir", str(tmp_path / "dist")])
    assert status == 1
    assert "xraygui-cli.exe; build it first" in capsys.readouterr().err


def test_main_smoke_tests_the_console_executable_without_env_i(windows, tmp_path, monkeypatch):
    bundle = _bundle(tmp_path, ["xraygui.exe", "xraygui-cli.exe"] if windows else ["xraygui"])
    monkeypatch.setattr(build_bundle, "notice_problems", lambda bundle: [])
    monkeypatch.setattr(
        build_bundle, "make_inputs", lambda *args: [build_bundle.SmokeCase("s", None)]
    )
    monkeypatch.setattr(build_bundle.os, "environ", dict(WINDOWS_ENVIRON))
    runs = []

    def run(command, **kwargs):
        runs.append((command, kwargs.get("env")))
        return subprocess.CompletedProcess(command, 0, "xraygui 0.1.0\n", "")

    monkeypatch.setattr(build_bundle.subprocess, "run", run)
    # The smoke tests fail, having written no report: only what was run is checked here.
    assert build_bundle.main(["--skip-build", "--dist-dir", str(tmp_path / "dist")]) == 1
    bundled = [(command, env) for command, env in runs if command[0].startswith(str(bundle))]
    tested = "xraygui-cli.exe" if windows else "xraygui"  # the app prints in a terminal
    expected = [("xraygui.exe", "--version")] if windows else []
    expected += [(tested, "--version"), (tested, "--smoke-test"), (tested, "--train")]
    assert [(Path(command[0]).name, command[1]) for command, _ in bundled] == expected
    for _command, env in bundled:
        assert env is not None and env["QT_QPA_PLATFORM"] == "offscreen"
        assert ("HOME" in env) is not windows and "VIRTUAL_ENV" not in env
        assert ("SYSTEMROOT" in env) is windows
    assert not [command for command, _ in runs if command[0] == "env"]


def test_the_windows_app_may_say_nothing_to_version_but_must_exit_0(monkeypatch, tmp_path):
    monkeypatch.setattr(build_bundle, "on_windows", lambda: True)
    status = {"code": 0}
    monkeypatch.setattr(
        build_bundle.subprocess,
        "run",
        lambda command, **kwargs: subprocess.CompletedProcess(command, status["code"], "", ""),
    )
    app, console = Path("xraygui.exe"), Path("xraygui-cli.exe")
    assert build_bundle.version_test(app, tmp_path / "a")[0]
    assert not build_bundle.version_test(console, tmp_path / "b")[0]  # a console says it
    status["code"] = 1
    assert not build_bundle.version_test(app, tmp_path / "c")[0]


@pytest.mark.parametrize(
    ("platform", "library", "flagged"),
    [
        ("linux", "libreadline.so.8", True),
        ("darwin", "libreadline.8.dylib", True),
        ("win32", "libreadline.so.8", False),
    ],
)
def test_gnu_readline_is_looked_for_as_each_system_names_it(tmp_path, platform, library, flagged):
    bundle = _bundle(tmp_path, [])
    (bundle / "_internal" / library).write_bytes(b"")
    problems = build_bundle.notice_problems(bundle, platform)
    assert (f"bundled: {library}" in problems) is flagged
