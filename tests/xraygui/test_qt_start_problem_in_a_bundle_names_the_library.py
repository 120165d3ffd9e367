"""In a PyInstaller bundle, the missing library Qt's X11 plugin needs is still named.

PyInstaller's ctypes hook replaces the dynamic loader's error with its own "Failed to load
dynlib/dll '<plugin>'. Most likely this dynlib/dll was not found when the application was
frozen.", raised from the loader's error. The bundle then printed "needs dll was not found
when the application was frozen., which does not load (...)". The line now names the library
from the loader's error behind it.
"""

import ctypes
import sys

import pytest

import xraygui.__main__ as app_main
from xraygui.__main__ import SYSTEM_LIBRARIES, qt_start_problem

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="Qt's X11 platform (xcb) is Linux's"
)


class _FrozenLoadError(OSError):
    """What PyInstaller's ctypes hook raises (PyInstallerImportError, an OSError)."""


def test_the_loaders_error_behind_pyinstallers_is_the_one_named(tmp_path, monkeypatch):
    plugin = tmp_path / "platforms" / "libqxcb.so"
    plugin.parent.mkdir()
    plugin.write_bytes(b"")
    loader = OSError("libxcb-icccm.so.4: cannot open shared object file: No such file or directory")

    def frozen_cdll(name, *args, **kwargs):
        message = (
            f"Failed to load dynlib/dll {name!r}. Most likely this dynlib/dll was not found "
            "when the application was frozen."
        )
        raise _FrozenLoadError(message) from loader

    monkeypatch.setattr(ctypes, "CDLL", frozen_cdll)
    monkeypatch.setattr(app_main, "_xcb_plugin", lambda environ: plugin)
    problem = qt_start_problem({"DISPLAY": ":0"})
    assert problem == (
        "xraygui: Qt cannot start: its X11 platform (libqxcb.so) needs libxcb-icccm.so.4, which "
        "does not load (cannot open shared object file: No such file or directory). "
        f"{SYSTEM_LIBRARIES}"
    )
