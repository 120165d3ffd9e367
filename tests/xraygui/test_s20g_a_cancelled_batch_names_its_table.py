"""A cancelled batch says where its table of the files done was written (the next free
name, batch_metrics_2.csv, where an earlier batch's table is there)."""

import numpy as np
import pytest
from PIL import Image

from xraygui.jobs import PROGRESS_UNITS, Progress, batch_job

pytestmark = pytest.mark.gui


def test_a_cancelled_batch_names_its_table(window, qtbot, tmp_path, settle):
    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    target.mkdir()
    (target / "batch_metrics.csv").write_text("an earlier batch's table\n")
    for index in range(3):
        pixels = np.random.default_rng(index).integers(1000, 3000, (128, 128)).astype(np.uint16)
        Image.fromarray(pixels).save(source / f"p{index}.png")
    window.controls.steps.setValue(5)
    worker = window.start_batch(source, target)
    worker.yielded.connect(lambda event: "file 2/3" in event.text and window.cancel())
    settle(window, 60000)
    table = target / "batch_metrics_2.csv"
    assert table.is_file()
    assert window.batch_label.isVisible()
    assert window.batch_label.text() == f"Batch cancelled: the files done are listed in {table}"


def test_the_event_that_starts_each_file_names_the_table(tmp_path, tiny_model_path):
    from xraygui.controls import DenoiseOptions

    (tmp_path / "in").mkdir()
    Image.fromarray(np.zeros((64, 64), np.uint16)).save(tmp_path / "in" / "p.png")
    options = DenoiseOptions(model=tiny_model_path, views=1, n_steps=1, device="cpu")
    first = next(batch_job(tmp_path / "in", tmp_path / "out", options))
    assert first == Progress(
        0, PROGRESS_UNITS, "file 1/1 p.png: reading", table=tmp_path / "out" / "batch_metrics.csv"
    )
