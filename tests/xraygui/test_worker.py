import time

import pytest

from xraygui.worker import GeneratorWorker

pytestmark = pytest.mark.gui


def counting(n, pause=0.0):
    for i in range(n):
        yield i
        time.sleep(pause)
    return "done"


def failing():
    yield 1
    raise ValueError("bad input")


def test_yields_then_returns_in_order(qtbot):
    worker = GeneratorWorker(counting, 3)
    seen, returned = [], []
    worker.yielded.connect(seen.append)
    worker.returned.connect(returned.append)
    with qtbot.waitSignals(
        [worker.started, worker.returned, worker.finished], order="strict", timeout=5000
    ):
        worker.start()
    assert worker.wait()
    assert returned == ["done"]
    assert seen == [0, 1, 2]


def test_abort_emits_aborted_and_never_returned(qtbot):
    worker = GeneratorWorker(counting, 100, 0.05)
    returned = []
    worker.returned.connect(returned.append)
    worker.yielded.connect(lambda i: worker.quit() if i == 1 else None)
    with qtbot.waitSignals([worker.aborted, worker.finished], order="strict", timeout=5000):
        worker.start()
    assert worker.wait()
    assert returned == []
    assert worker.abort_requested


def test_errors_arrive_as_a_signal(qtbot):
    worker = GeneratorWorker(failing)
    errors = []
    worker.errored.connect(errors.append)
    with qtbot.waitSignals([worker.errored, worker.finished], order="strict", timeout=5000):
        worker.start()
    (error,) = errors
    assert isinstance(error, ValueError) and str(error) == "bad input"
    assert worker.wait()


def test_quit_after_the_work_ended_still_gives_no_result(qtbot):
    worker = GeneratorWorker(counting, 2)
    returned = []
    worker.returned.connect(returned.append)
    worker.start()
    assert worker.wait()  # the thread is done, its signals still queued for the GUI thread
    worker.quit()
    with qtbot.waitSignals([worker.aborted, worker.finished], order="strict", timeout=5000):
        pass
    assert returned == []
