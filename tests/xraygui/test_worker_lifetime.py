"""A worker lives as long as its thread, whoever drops it, and no longer."""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.gui

PRELUDE = """
import gc, os, threading, time, weakref
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])

def pump(until, seconds=20):
    end = time.monotonic() + seconds
    while not until():
        app.processEvents()
        time.sleep(0.005)
        assert time.monotonic() < end, "timed out"
"""


def run_script(body: str) -> str:
    """Run Qt code in a child process: Qt aborts the whole process on a destroyed thread."""
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(body)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_worker_dropped_while_running_finishes_then_is_freed():
    out = run_script(
        """
        from xraygui.worker import GeneratorWorker

        entered, go, got = threading.Event(), threading.Event(), []

        def job():
            entered.set()
            go.wait(10)
            return "result"
            yield

        def start():
            worker = GeneratorWorker(job)
            worker.returned.connect(got.append)
            # A slot that holds the worker: a cycle through Qt that gc cannot see.
            worker.finished.connect(lambda: got.append(worker.abort_requested))
            worker.start()
            return weakref.ref(worker)

        gone = start()  # the caller keeps no reference to the running worker
        entered.wait(10)
        gc.collect()
        go.set()
        pump(lambda: len(got) == 2)
        app.processEvents()
        gc.collect()
        print(*got, "freed" if gone() is None else "kept")
        """
    )
    assert out.split() == ["result", "False", "freed"]


@pytest.mark.slow
def test_choosing_another_folder_during_a_scan_abandons_it_safely(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    out = run_script(
        f"""
        from xraygui.wizard import data_page
        from xraygui.worker import GeneratorWorker

        entered = {{"a": threading.Event(), "b": threading.Event()}}
        go = {{"a": threading.Event(), "b": threading.Event()}}
        real_scan = data_page.scan_folder

        def slow_scan(folder):  # as if reading a large first file
            entered[folder.name].set()
            go[folder.name].wait(10)
            return (yield from real_scan(folder))

        data_page.scan_folder = slow_scan
        page = data_page.DataPage([])
        page.show()
        first = page.set_folder({str(tmp_path / "a")!r})
        entered["a"].wait(10)
        del first
        page.set_folder({str(tmp_path / "b")!r})
        gc.collect()  # the abandoned scan is still reading
        entered["b"].wait(10)
        go["a"].set()
        pump(lambda: not GeneratorWorker._started - {{page.worker}})  # the first has ended
        print("scanning" if page.progress.isVisible() else "idle", page.summary.text())
        go["b"].set()
        pump(lambda: page.report is not None)
        print(page.report.folder.name)
        """
    )
    assert out.splitlines() == ["scanning Scanning...", "b"]
