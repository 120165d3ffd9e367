import threading

import pytest

from xraygui.worker import GeneratorWorker

pytestmark = pytest.mark.gui


def counting(n):
    yield from range(n)
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


def test_abort_stops_the_work_at_its_next_yield(qtbot):
    produced, closed, quit_called = [], [], threading.Event()

    def work():
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
                if i == 1:  # go on only once the GUI thread has quit on seeing 1
                    assert quit_called.wait(10)
        except GeneratorExit:
            closed.append(len(produced))
            raise
        return "done"

    def on_yielded(i):
        if i == 1:
            worker.quit()
            quit_called.set()

    worker = GeneratorWorker(work)
    returned = []
    worker.returned.connect(returned.append)
    worker.yielded.connect(on_yielded)
    with qtbot.waitSignals([worker.aborted, worker.finished], order="strict", timeout=5000):
        worker.start()
    assert worker.wait()
    assert returned == []
    assert worker.abort_requested
    # The work is closed at the yield it waits at: the one of 1 where the worker saw the
    # quit before resuming it, else the next one (2); never run on to its end.
    assert produced in ([0, 1], [0, 1, 2]) and closed == [len(produced)]


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
