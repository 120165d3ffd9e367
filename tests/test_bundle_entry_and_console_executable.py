"""The bundle starts from a Qt-free entry script and ships a console executable beside the app.

Before, build.spec's script was xraygui/__main__.py, which imports PySide6 and the window at
module level: every worker that multiprocessing spawns in the frozen bundle (Windows, macOS)
and every ``--train`` process paid for Qt before freeze_support() ran. And the only
executable was built with ``console=False``: on Windows ``xraygui --version``,
``--smoke-test`` and ``--train`` printed nothing and cmd did not wait for their exit status.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
sys.path.insert(0, str(ROOT / "scripts"))
import third_party_notices as notices  # noqa: E402 (scripts/ is not a package)


def _spec_constant(name: str) -> object:
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"build.spec sets no {name}")


def _entry() -> Path:
    return ROOT / _spec_constant("ENTRY_SCRIPT")


BLOCK_QT = """
import runpy, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"PySide6", "pyqtgraph", "shiboken6"}:
            raise ImportError(f"{name} is blocked by the test")
        return None

sys.meta_path.insert(0, BlockQt())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""

SPAWNED_WORKER = """
import multiprocessing, runpy, sys

def worker():  # what freeze_support() does in a spawned worker: its work, then exit
    print("Qt imported before freeze_support:", "PySide6" in sys.modules)
    sys.exit(0)

multiprocessing.freeze_support = worker
sys.argv = [sys.argv[1], "--multiprocessing-fork", "pipe_handle=3"]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_train_runs_from_the_bundle_entry_without_qt():
    run = _run(BLOCK_QT, str(_entry()), "--train", "--help")
    assert run.returncode == 0, run.stderr
    assert "--resume" in run.stdout  # core.training's own help


def test_a_spawned_worker_is_handed_its_work_before_qt_is_imported():
    run = _run(SPAWNED_WORKER, str(_entry()))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Qt imported before freeze_support: False"


def test_the_bundle_entry_starts_the_app_otherwise(monkeypatch, capsys):
    from xraygui import bundle_entry

    monkeypatch.setattr(sys, "argv", ["xraygui", "--version"])
    with pytest.raises(SystemExit) as exit_info:
        bundle_entry.main()
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("xraygui ")


class _Recorded:
    """Stand-in for a PyInstaller build step: records what it was given."""

    made: list[_Recorded] = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.scripts, self.pure, self.binaries, self.datas = [], [], [], []
        self.name = kwargs.get("name", "")
        _Recorded.made.append(self)


def _run_spec(tmp_path, monkeypatch) -> dict[str, list[_Recorded]]:
    """Execute build.spec with PyInstaller's steps recorded, not run; return them by kind."""
    kinds = {kind: type(kind, (_Recorded,), {}) for kind in ("Analysis", "PYZ", "EXE", "COLLECT")}
    build_main = type(sys)("PyInstaller.building.build_main")
    vars(build_main).update(kinds)
    hooks = type(sys)("PyInstaller.utils.hooks")
    for name in ("collect_data_files", "collect_dynamic_libs", "collect_submodules"):
        setattr(hooks, name, lambda *args, **kwargs: [])
    hooks.copy_metadata = lambda *args, **kwargs: []
    for name, module in {
        "PyInstaller": type(sys)("PyInstaller"),
        "PyInstaller.building": type(sys)("PyInstaller.building"),
        "PyInstaller.building.build_main": build_main,
        "PyInstaller.utils": type(sys)("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("XRAYGUI_BUNDLE_TRIM", raising=False)
    monkeypatch.setattr(notices, "gather_components", lambda *args, **kwargs: [])
    written = []
    monkeypatch.setattr(notices, "write_notices", lambda components, bundle: written.append(bundle))
    monkeypatch.setattr(_Recorded, "made", [])
    namespace = {"SPECPATH": str(ROOT), "workpath": str(tmp_path / "work"), "__name__": "spec"}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)  # noqa: S102
    assert written == [Path("xraygui")]
    return {kind: [s for s in _Recorded.made if type(s).__name__ == kind] for kind in kinds}


def test_the_spec_builds_the_app_and_a_console_executable_from_the_entry(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    steps = _run_spec(tmp_path, monkeypatch)
    (analysis,) = steps["Analysis"]
    assert analysis.args[0] == [str(ROOT / "xraygui" / "bundle_entry.py")]
    app, console = steps["EXE"]
    assert (app.name, app.kwargs["console"]) == ("xraygui", False)
    assert (console.name, console.kwargs["console"]) == ("xraygui-cli", True)
    for exe in (app, console):  # the same program, its libraries left to the shared folder
        assert exe.args[0] is steps["PYZ"][0] and exe.args[1] is analysis.scripts
        assert exe.kwargs["exclude_binaries"] is True
    (collect,) = steps["COLLECT"]
    assert collect.args[0] is app and collect.args[1] is console and collect.name == "xraygui"


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_elsewhere_the_app_alone_is_built_its_terminal_its_console(tmp_path, monkeypatch, platform):
    monkeypatch.setattr(sys, "platform", platform)
    steps = _run_spec(tmp_path, monkeypatch)
    (app,) = steps["EXE"]
    assert (app.name, app.kwargs["console"]) == ("xraygui", False)
    (collect,) = steps["COLLECT"]
    assert collect.args[0] is app and collect.args[1] is not app
