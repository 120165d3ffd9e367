"""Where Qt's X11 platform cannot start, the app says why in one line and exits 1.

Qt itself aborts (SIGABRT, exit 134) with eight lines when there is no display or when a
system library its X11 plugin (libqxcb.so) needs is missing: xraygui.__main__ checks first.
"""

import ctypes
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLibraryInfo

from xraygui.__main__ import SYSTEM_LIBRARIES, qt_start_problem

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="Qt's X11 platform (xcb) is Linux's"
)

QT_LIBRARIES = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath))
XCB_PLUGIN = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms/libqxcb.so"
DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_QPA_PLATFORM")


def _x11_plugin_loads() -> bool:
    """Whether this system has every library the X11 plugin needs (a bare server may not)."""
    try:
        ctypes.CDLL(str(XCB_PLUGIN))
    except OSError:
        return False
    return True


X11_PLUGIN_LOADS = XCB_PLUGIN.is_file() and _x11_plugin_loads()
needs_x11_libraries = pytest.mark.skipif(
    not X11_PLUGIN_LOADS,
    reason="the X11 plugin's system libraries are not all here: the app names the missing one",
)
BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libzstd1"}
"""Debian packages every system has (essential, or what apt and Python need)."""


def _environment(**variables: str) -> dict[str, str]:
    """This environment without a display (nor a Qt platform), plus `variables`."""
    environ = {k: v for k, v in os.environ.items() if k not in DISPLAY_VARIABLES}
    return environ | variables


def _app(environ: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xraygui"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _free_display() -> str:
    """A display number no X server here listens on."""
    for number in range(987, 1100):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            return f":{number}"
    pytest.skip("no free display number")


@pytest.mark.slow
def test_without_a_display_the_app_says_so_in_one_line_and_exits_1():
    done = _app(_environment())
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("xraygui: no display: DISPLAY is not set; ")
    assert "QT_QPA_PLATFORM=offscreen for --smoke-test" in line


@needs_x11_libraries
def test_a_display_without_an_x_server_is_said_in_one_line():
    display = _free_display()
    done = _app(_environment(DISPLAY=display))
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"xraygui: no display: cannot connect to DISPLAY={display} (no X ")


@pytest.mark.skipif(
    not XCB_PLUGIN.is_file() or X11_PLUGIN_LOADS,
    reason="the X11 plugin's libraries all load here (the case above)",
)
def test_where_a_library_of_the_x11_plugin_is_missing_the_app_names_it_before_the_display():
    done = _app(_environment(DISPLAY=_free_display()))
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("xraygui: Qt cannot start: its X11 platform (libqxcb.so) needs lib")
    assert line.endswith(SYSTEM_LIBRARIES)


@needs_x11_libraries
def test_a_library_the_x11_plugin_needs_that_does_not_load_is_named(tmp_path):
    # An empty file found first on LD_LIBRARY_PATH stands for the system library: the
    # dynamic loader fails on it as on a missing one (the reviewer's workstation lacked
    # libxcb-cursor0, which the README's list of packages did not name).
    library = "libxcb-cursor.so.0"
    (tmp_path / library).write_bytes(b"")
    done = _app(_environment(DISPLAY=_free_display(), LD_LIBRARY_PATH=str(tmp_path)))
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(
        f"xraygui: Qt cannot start: its X11 platform (libqxcb.so) needs {library}"
    )
    assert line.endswith(SYSTEM_LIBRARIES)


def test_the_plugin_checked_is_the_one_qt_plugin_path_names(tmp_path):
    # A PyInstaller bundle's runtime hook points QT_PLUGIN_PATH at the bundle's own plugins.
    platforms = tmp_path / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (platforms / "libqxcb.so").write_bytes(b"")
    environ = {"DISPLAY": ":0", "QT_PLUGIN_PATH": str(tmp_path / "plugins")}
    problem = qt_start_problem(environ)
    plugin = platforms / "libqxcb.so"
    assert problem.startswith(
        f"xraygui: Qt cannot start: its X11 platform plugin {plugin} does not load (file too short)"
    )


@pytest.mark.parametrize(
    "environ",
    [
        {"QT_QPA_PLATFORM": "offscreen"},  # --smoke-test, the tests
        {"QT_QPA_PLATFORM": "wayland;xcb"},
        {"WAYLAND_DISPLAY": "wayland-0"},  # a Wayland session: Qt tries Wayland first
        {"XDG_SESSION_TYPE": "wayland"},
    ],
)
def test_platforms_other_than_x11_are_not_checked(environ):
    assert qt_start_problem(environ) is None


def test_an_x11_platform_asked_for_by_name_needs_a_display():
    problem = qt_start_problem({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"})
    assert problem.startswith("xraygui: no display: DISPLAY is not set; ")


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="no Xvfb")
@needs_x11_libraries
def test_with_a_display_the_check_passes_and_qt_starts_on_x11():
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "640x480x24"],
        pass_fds=[write],
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as answer:
            display = f":{answer.readline().strip()}"
        started = subprocess.run(
            [
                sys.executable,
                "-c",
                "import os; from xraygui.__main__ import QApplication, qt_start_problem; "
                "assert qt_start_problem(os.environ) is None; "
                "print(QApplication([]).platformName())",
            ],
            env=_environment(DISPLAY=display),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["xcb"]


def _needed(path: Path) -> set[str]:
    """The shared libraries an ELF file names as needed (``readelf -d``)."""
    dynamic = subprocess.run(
        ["readelf", "-d", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {
        line.rsplit("[", 1)[1].rstrip("]") for line in dynamic.splitlines() if "(NEEDED)" in line
    }


def _debian_packages(sonames: set[str]) -> dict[str, set[str]]:
    """The Debian packages holding each library, without the 't64' of Debian 13's new names."""
    found = subprocess.run(
        ["dpkg-query", "-S", *(f"*/{soname}" for soname in sonames)],
        capture_output=True,
        text=True,
    )
    packages = {soname: set() for soname in sonames}
    for line in found.stdout.splitlines():
        owners, _, path = line.partition(": ")
        if Path(path).name in packages:
            for owner in owners.split(", "):
                packages[Path(path).name].add(owner.split(":")[0].removesuffix("t64"))
    return packages


@pytest.mark.skipif(
    shutil.which("dpkg-query") is None or shutil.which("readelf") is None,
    reason="not a Debian or Ubuntu system with binutils",
)
@needs_x11_libraries
def test_the_message_names_the_package_of_every_system_library_qt_x11_needs():
    modules = ["Core", "Gui", "Widgets", "OpenGL", "OpenGLWidgets", "Svg", "Test", "XcbQpa"]
    files = [QT_LIBRARIES / f"libQt6{name}.so.6" for name in modules] + [XCB_PLUGIN]
    files += sorted((XCB_PLUGIN.parent.parent / "xcbglintegrations").glob("*.so"))
    bundled = {path.name for path in QT_LIBRARIES.iterdir()}
    sonames = set().union(*(_needed(path) for path in files if path.is_file())) - bundled
    assert {"libxcb-cursor.so.0", "libGL.so.1"} <= sonames
    named = set(SYSTEM_LIBRARIES.split("apt install ", 1)[1].split(";", 1)[0].split())
    for soname, packages in sorted(_debian_packages(sonames).items()):
        assert packages, f"{soname}: no Debian package holds it here"
        assert packages & (named | BASE_PACKAGES), f"{soname} ({', '.join(packages)})"
