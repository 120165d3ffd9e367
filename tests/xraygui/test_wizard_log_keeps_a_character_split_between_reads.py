"""The training log decodes the process's output as a stream: a character split between
two reads is shown whole, not as two U+FFFD; one the process leaves incomplete, as one."""

import pytest
from PySide6.QtCore import QByteArray, QProcess

from xraygui.wizard.process import TrainingProcess

pytestmark = pytest.mark.gui

LINE = "checkpoint modell_Ü_😀/Müller_東京.safetensors\n".encode()


class _Reads:
    """A process stand-in whose output arrives in the given pieces, one a read."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def readAllStandardOutput(self) -> QByteArray:  # noqa: N802 (Qt's name)
        return QByteArray(self.pieces.pop(0) if self.pieces else b"")


def _log(qapp, pieces: list[bytes]) -> str:
    process, shown = TrainingProcess(), []
    process.output.connect(shown.append)
    process._process = _Reads(pieces)
    for _ in pieces[:-1]:
        process._read()
    process._finished(0, QProcess.ExitStatus.NormalExit)  # reads the last piece
    return "".join(shown)


@pytest.mark.parametrize("at", [LINE.index("Ü".encode()) + 1, LINE.index("😀".encode()) + 2,
                                LINE.index("東".encode()) + 1])  # fmt: skip
def test_a_character_split_between_reads_is_shown_whole(qapp, at):
    assert _log(qapp, [LINE[:at], LINE[at:]]) == LINE.decode()


def test_a_character_left_incomplete_at_the_end_is_shown_as_one_replacement(qapp):
    assert _log(qapp, [b"step 1 ", "Ü".encode()[:1]]) == "step 1 \ufffd"
