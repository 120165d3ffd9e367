"""Start the xray-denoise desktop application: ``xraygui [FILE...]``.

``xraygui --smoke-test [FILE] --report-dir DIR`` runs a whole session in the
real window instead and exits 0, or prints why and exits 1. ``xraygui --train ...``
is the training wizard's worker process in a frozen bundle (``python -m core.training``).
Qt's own options (``-style fusion``, ``-platform offscreen``...: :data:`QT_OPTIONS`) go to Qt.
Ctrl-C, SIGTERM and SIGHUP close the window as its close button does. Where Qt would
abort for want of a display or of a system library its X11 platform needs, it says so in
one line and exits 1 instead; so it does where the Python package PySide6 is not installed,
with the command that installs it, or another package the window needs (torch, say).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from core import limit_openmp_spinning

limit_openmp_spinning()  # before torch loads, with the window's modules (main)

SYSTEM_LIBRARIES = (
    "The app needs the system's OpenGL, EGL, fontconfig, GLib, D-Bus, X11 and XCB libraries "
    "(Debian/Ubuntu: apt install libgl1 libegl1 libfontconfig1 libfreetype6 libglib2.0-0 "
    "libdbus-1-3 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 "
    "libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 "
    "libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 "
    "libxkbcommon0 libxkbcommon-x11-0; RHEL/Fedora: dnf install libglvnd-glx libglvnd-egl "
    "fontconfig freetype glib2 dbus-libs libX11 libX11-xcb libxcb xcb-util xcb-util-cursor "
    "xcb-util-wm xcb-util-image xcb-util-keysyms xcb-util-renderutil libxkbcommon "
    "libxkbcommon-x11)"
)
"""What a minimal Linux may lack for Qt and its X11 platform, said when Qt cannot start."""
XCB_PLUGIN = "libqxcb.so"
"""Qt's X11 platform plugin, which Qt loads (or aborts on) when the application starts."""
NO_DISPLAY = (
    "start it in a desktop session or set DISPLAY, "
    "or use QT_QPA_PLATFORM=offscreen for --smoke-test"
)

QT_OPTIONS = frozenset(
    {
        "-style",
        "-stylesheet",
        "-platform",
        "-platformpluginpath",
        "-platformtheme",
        "-plugin",
        "-qwindowgeometry",
        "-qwindowicon",
        "-qwindowtitle",
        "-session",
        "-display",
        "-geometry",
    }
)
"""Qt's own command-line options that take the next argument as their value: those
QApplication and QGuiApplication document (``-display`` and ``-geometry``: X11's)."""
QT_FLAGS = frozenset({"-reverse", "-widgetcount"})
"""Qt's own command-line options without a value."""
QT_JOINED = ("-style=", "-stylesheet=", "-qmljsdebugger=")
"""Qt's own command-line options written with their value in the same argument."""
QT_ENVIRONMENT = {
    "-platform": "QT_QPA_PLATFORM",
    "-platformpluginpath": "QT_QPA_PLATFORM_PLUGIN_PATH",
    "-display": "DISPLAY",
}
"""Qt's options that take the place of an environment variable, and the variable."""

PYSIDE6 = "PySide6-Essentials==6.10.3"
"""The Qt binding's package, as pyproject.toml and constraints.txt pin it."""
QT_PACKAGES = ("PySide6", "shiboken6")
"""The binding's top-level modules: what PySide6-Essentials installs, with its dependency."""


def qt_import_problem(error: ImportError) -> str:
    """Say in one line why Qt's binding did not import, and what to do.

    Parameters
    ----------
    error : ImportError
        From importing PySide6.

    Returns
    -------
    str
        Where Python finds no PySide6 or shiboken6 (``No module named ...``: an install
        without its dependencies), that the package :data:`PYSIDE6` is not installed and
        the command that installs it; else (a system library Qt loads is missing) the
        error and :data:`SYSTEM_LIBRARIES`.
    """
    missing = isinstance(error, ModuleNotFoundError) and str(error).startswith("No module named")
    if missing and (error.name or "").partition(".")[0] in QT_PACKAGES:
        return (
            f"xraygui: the Python package PySide6 is not installed ({error}): install it with "
            f'"{sys.executable}" -m pip install {PYSIDE6}, or reinstall xray-denoise with its '
            "dependencies"
        )
    return f"xraygui: Qt cannot start: {error}. {SYSTEM_LIBRARIES}"


try:
    from PySide6.QtCore import QLibraryInfo, QSettings, QTimer
    from PySide6.QtWidgets import QApplication
except ImportError as error:  # not installed, or a system library Qt loads is missing
    sys.exit(qt_import_problem(error))

# After Qt has been found to load (above). The window's modules load PyTorch and SciPy,
# seconds that --help and --version need not wait: main imports them once the arguments
# are parsed.
from core.code_version import software_version  # noqa: E402
from core.resources import sample_image_path, version_line  # noqa: E402
from xraygui.bundle_entry import run_without_qt  # noqa: E402
from xraygui.worker import GeneratorWorker  # noqa: E402

CLOSING_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
"""Signals that close the window as its close button does (Ctrl-C, a kill, a closed terminal)."""
SIGNAL_TICK_MS = 200
"""How often Python gets to run while Qt idles, so that a signal's handler runs at all."""


def _close_on_signals(app: QApplication) -> list[int]:
    """Have Ctrl-C, SIGTERM and SIGHUP close the app's windows the normal way.

    Python runs a signal's handler only between bytecodes, and Qt's event loop runs
    none while it idles, so a timer ticks to let it. The handler closes the windows
    from the event loop, as their close buttons do: a training run pauses with a
    checkpoint and its model, the settings and layout are saved. The same signal
    again (a close that waits on a pausing run, say) stops the app at once. Set up
    before the main window exists, so that no signal finds Python's default handler.

    Parameters
    ----------
    app : QApplication
        The app whose windows close; owner of the timer.

    Returns
    -------
    list of int
        Filled with the number of the first signal received, for the exit status.
    """
    received: list[int] = []

    def close(signum: int, _frame: object) -> None:
        signal.signal(signum, signal.SIG_DFL)  # a second one stops the app at once
        if not received:
            received.append(signum)
            QTimer.singleShot(0, app.closeAllWindows)  # from the event loop, not the handler

    for name in CLOSING_SIGNALS:
        number = getattr(signal, name, None)  # SIGHUP: not on Windows
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, close)  # an ignored one (nohup) stays ignored
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)
    tick.start(SIGNAL_TICK_MS)
    return received


def _first_platform(environ: Mapping[str, str]) -> str:
    """Return the name of the platform plugin Qt tries first on Linux.

    ``QT_QPA_PLATFORM`` (a list such as ``wayland;xcb``, each maybe with ``:options``), or
    else Wayland in a Wayland session and X11 (``xcb``) everywhere else, as Qt chooses.
    """
    requested = environ.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        return requested.split(";", 1)[0].split(":", 1)[0].strip()
    if environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland":
        return "wayland"
    return "xcb"


def _xcb_plugin(environ: Mapping[str, str]) -> Path | None:
    """Return the X11 platform plugin where Qt finds it first, or None if Qt finds none there.

    Qt looks in ``QT_QPA_PLATFORM_PLUGIN_PATH``, then in ``platforms/`` of each folder of
    ``QT_PLUGIN_PATH`` (which a PyInstaller bundle sets to its own copy of PySide6's plugins)
    and of PySide6's plugin folder.
    """
    folders = [environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "")]
    plugin_roots = environ.get("QT_PLUGIN_PATH", "").split(os.pathsep)
    plugin_roots.append(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    folders += [str(Path(root) / "platforms") for root in plugin_roots if root]
    for folder in folders:
        if folder and (Path(folder) / XCB_PLUGIN).is_file():
            return Path(folder) / XCB_PLUGIN
    return None


def _x_server_accepts(display: str) -> bool:
    """Return whether the X server at `display` accepts this process (libxcb, as Qt connects).

    A connection that succeeds stays open, for the life of the process: an X server with
    no other client (Xvfb, say) resets when its last client leaves, and Qt's own connection,
    made next, failed now and then while it did.
    """
    xcb = ctypes.CDLL("libxcb.so.1")  # loaded already, by the X11 platform plugin
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)  # never NULL: an error object at worst
    return xcb.xcb_connection_has_error(connection) == 0


def _loader_error(error: OSError) -> OSError:
    """Return the dynamic loader's own error behind `error`.

    In a PyInstaller bundle, ctypes raises PyInstaller's "Failed to load dynlib/dll ...
    Most likely this dynlib/dll was not found when the application was frozen." instead,
    from the loader's error (``raise ... from``), which names the library missing.
    """
    cause = error.__cause__
    return cause if isinstance(cause, OSError) else error


def qt_start_problem(environ: Mapping[str, str]) -> str | None:
    """Say in one line why Qt's X11 platform cannot start here, or return None.

    Qt aborts the process (SIGABRT, exit 134, eight lines on stderr) when its platform plugin
    cannot load or connect. On Linux, where Qt would start its X11 platform, this checks
    first: that ``DISPLAY`` is set, that the plugin loads (the dynamic loader finds every
    system library it needs) and that the X server accepts a connection.

    Parameters
    ----------
    environ : Mapping of str to str
        The environment Qt starts in (``os.environ``).

    Returns
    -------
    str or None
        The line to print before exiting 1, or None where Qt can start (or is not checked:
        other systems, other platforms, an X11 plugin where Qt would not find it).
    """
    if not sys.platform.startswith("linux") or _first_platform(environ) != "xcb":
        return None
    display = environ.get("DISPLAY", "")
    if not display:
        return f"xraygui: no display: DISPLAY is not set; {NO_DISPLAY}"
    plugin = _xcb_plugin(environ)
    if plugin is None:
        return None
    try:
        ctypes.CDLL(str(plugin))  # the dynamic loader resolves what it needs, as for Qt
    except OSError as error:  # "<library>: cannot open shared object file: ...", say
        library, _, reason = str(_loader_error(error)).partition(": ")
        if Path(library) == plugin:
            cause = f"its X11 platform plugin {plugin} does not load ({reason})"
        else:
            cause = f"its X11 platform ({plugin.name}) needs {Path(library).name}, which does not "
            cause += f"load ({reason or error})"
        return f"xraygui: Qt cannot start: {cause}. {SYSTEM_LIBRARIES}"
    if not _x_server_accepts(display):
        return (
            f"xraygui: no display: cannot connect to DISPLAY={display} (no X server there, "
            f"or one this user may not use); {NO_DISPLAY}"
        )
    return None


def split_qt_arguments(argv: list[str]) -> tuple[list[str], list[str]]:
    """Take Qt's own options, with their values, out of the command line.

    Qt reads them where QApplication is made; the app's parser would refuse them, and take
    the value of one (``-style fusion``) for a file to open.

    Parameters
    ----------
    argv : list of str
        Arguments without the program name.

    Returns
    -------
    own : list of str
        The other arguments, in their order; all of them from ``--`` on (files, then).
    qt : list of str
        Those of :data:`QT_OPTIONS` with the argument after them as their value, of
        :data:`QT_FLAGS` and of :data:`QT_JOINED`, in their order. An option of
        :data:`QT_OPTIONS` last, without its value, is left in `own`.
    """
    own: list[str] = []
    qt: list[str] = []
    index = 0
    while index < len(argv):
        argument = argv[index]
        if argument == "--":
            own += argv[index:]
            break
        if argument in QT_FLAGS or argument.startswith(QT_JOINED):
            qt.append(argument)
        elif argument in QT_OPTIONS and index + 1 < len(argv):
            qt += argv[index : index + 2]
            index += 1
        else:
            own.append(argument)
        index += 1
    return own, qt


def qt_environment(environ: Mapping[str, str], qt_arguments: list[str]) -> dict[str, str]:
    """Return the environment as Qt will read it, its options given taking their variables' place.

    ``-platform offscreen`` stands for ``QT_QPA_PLATFORM=offscreen``, say, for
    :func:`qt_start_problem`.

    Parameters
    ----------
    environ : Mapping of str to str
        The process's environment (``os.environ``).
    qt_arguments : list of str
        Qt's own options and their values (:func:`split_qt_arguments`).

    Returns
    -------
    dict of str to str
        `environ` with the variable of each option of :data:`QT_ENVIRONMENT` set to its value.
    """
    environment = dict(environ)
    index = 0
    while index < len(qt_arguments):
        option = qt_arguments[index]
        if option in QT_ENVIRONMENT:
            environment[QT_ENVIRONMENT[option]] = qt_arguments[index + 1]
        index += 2 if option in QT_OPTIONS else 1  # past the value, which may look like one
    return environment


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line of the app.

    Parameters
    ----------
    argv : list of str
        Arguments without the program name.

    Returns
    -------
    argparse.Namespace
        With ``qt_arguments``, Qt's own options and their values
        (:func:`split_qt_arguments`), for QApplication.
    """
    argv, qt_arguments = split_qt_arguments(argv)
    parser = argparse.ArgumentParser(
        prog="xraygui",
        description="Denoise low-dose X-ray images. Not for diagnostic use.",
        epilog="Qt's own options are passed on to Qt: -style STYLE, -stylesheet FILE, "
        "-platform NAME, -platformtheme NAME, -reverse and the others Qt documents.",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # --version on one line
    )
    parser.add_argument(
        "files",
        nargs="*",
        help="images to open, or folders to list as a drop does (default: the bundled sample)",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="run a whole session on FILE (or the sample) and exit 0 if it works",
    )
    parser.add_argument(
        "--report-dir", type=Path, help="where --smoke-test writes its report and denoised image"
    )
    parser.add_argument("--model", type=Path, help="model file to use (default: the bundled model)")
    parser.add_argument(
        "--version", action="version", version=version_line("xraygui", software_version())
    )
    args = parser.parse_args(argv)
    if args.smoke_test and (args.report_dir is None or len(args.files) > 1):
        parser.error("--smoke-test takes at most one FILE and needs --report-dir DIR")
    if args.report_dir is not None and not args.smoke_test:
        parser.error("--report-dir is where --smoke-test writes: give --smoke-test too")
    args.qt_arguments = qt_arguments
    return args


def _end_jobs(app: QApplication, rounds: int = 100) -> None:
    """Stop every job, and those the events of their ends start, and wait for their threads.

    Every :class:`GeneratorWorker`, the window's and any other (reading a file, say).
    """
    for _ in range(rounds):
        app.processEvents()
        if not GeneratorWorker.stop_all():
            return


def _smoke_test(args: argparse.Namespace, app: QApplication) -> int:
    from xraygui.main_window import MainWindow
    from xraygui.smoke import SmokeTestFailure, run_smoke_test

    with tempfile.TemporaryDirectory() as scratch:  # leave the user's settings alone
        settings = QSettings(str(Path(scratch) / "smoke.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        window.interactive = False  # errors are printed, not shown in dialogs
        if args.model is not None and not window.add_model_file(args.model):
            print(f"smoke test FAILED: {window.errors[-1]}", file=sys.stderr)
            window.close()
            return 1
        window.show()
        try:
            run_smoke_test(
                window, Path(args.files[0]) if args.files else sample_image_path(), args.report_dir
            )
        except SmokeTestFailure as failure:
            print(f"smoke test FAILED: {failure}", file=sys.stderr)
            return 1
        finally:
            window.close()
            _end_jobs(app)  # a job still running would abort the process at exit
    print("smoke test passed")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Open the main window on the given files, or on the bundled synthetic sample.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (``sys.argv[1:]`` by default).

    Returns
    -------
    int
        Exit status: 128 + the signal's number when Ctrl-C (130), SIGTERM (143) or
        SIGHUP (129) closed the window.
    """
    argv = sys.argv[1:] if argv is None else argv
    # A spawned worker or `--train` (`python -m xraygui --train`); the frozen bundle's
    # entry, xraygui/bundle_entry.py, runs them before this module and Qt are imported.
    status = run_without_qt(argv)
    if status is not None:
        return status
    args = parse_args(argv)  # --help and --version exit here, before the window's modules load
    try:
        from core.io import silence_reader_libraries
        from xraygui.bugs import report_bugs
        from xraygui.main_window import MainWindow
    except ImportError as error:  # torch, say, in an install without its dependencies
        from core.cli import dependency_problem

        problem = dependency_problem(error)
        if problem is None:
            raise  # a module of ours: a bug
        print(f"xraygui: {problem}", file=sys.stderr)
        return 1  # as where Qt cannot start

    silence_reader_libraries()
    app = QApplication.instance()
    if app is None:
        problem = qt_start_problem(qt_environment(os.environ, args.qt_arguments))
        if problem is not None:
            print(problem, file=sys.stderr)
            return 1
        app = QApplication([sys.argv[0], *args.qt_arguments])
    app.setApplicationName("xraygui")
    app.setOrganizationName("xray-denoise")
    if args.smoke_test:
        return _smoke_test(args, app)
    received = _close_on_signals(app)
    window = MainWindow()
    stop_reporting_bugs = report_bugs(window)
    if args.model is not None:
        window.add_model_file(args.model)
    window.show()
    window.open_files(args.files or [sample_image_path()])
    if not received or window.isVisible():  # else closed while the files were opening
        app.exec()
    stop_reporting_bugs()
    # Jobs still running after the window's bounded wait, and others' (a wizard's scan), end here,
    # not at interpreter exit, where Qt would abort on a thread still running.
    _end_jobs(app)
    return 128 + received[0] if received else 0  # 130 after Ctrl-C, as shells say


if __name__ == "__main__":
    sys.exit(main())
