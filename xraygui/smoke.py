"""``xraygui --smoke-test``: drive the real main window through a whole session, offscreen-capable.

Open a file, simulate a 25 % dose (of the quanta measured from its noise, as the Low
dose dialog does by default, or the assumed detector's where they cannot be measured),
denoise with the default settings, wait for the metrics (each in its worker thread),
scrub every step, export the report and the denoised image. Any failure raises
:class:`SmokeTestFailure` with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QTimer

from core.errors import XrayError
from core.io import read_image
from core.noise import LowDoseSettings
from xraygui.jobs import OUTPUT_SUFFIX
from xraygui.main_window import MainWindow

DENOISE_TIMEOUT_S = 540
SIMULATE_TIMEOUT_S = 120
"""Also the limit for the metrics: each is seconds of work on a 3000 x 3000 image."""
SMOKE_DOSE = 0.25


class SmokeTestFailure(Exception):
    """A step of the smoke test failed; the message says which and why."""


def _wait_for(signal, timeout_s: float) -> bool:
    """Run the event loop until `signal` fires or `timeout_s` passes; True if it fired."""
    loop = QEventLoop()
    fired = []
    signal.connect(lambda *_: (fired.append(True), loop.quit()))
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    return bool(fired)


def run_smoke_test(
    window: MainWindow,
    image_path: Path,
    report_dir: Path,
    *,
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Run the session on `window` and return the files written.

    Parameters
    ----------
    window : MainWindow
        A shown main window with a model selected.
    image_path : Path
        The image to open.
    report_dir : Path
        Where the report and the denoised image go (created if needed).
    log : callable
        Receives one line per step done.

    Returns
    -------
    list of Path
        PDF, JSON, CSV and the denoised image.

    Raises
    ------
    SmokeTestFailure
        At the first step that fails.
    """
    window.interactive = False
    if not window.open_file(image_path):
        raise SmokeTestFailure(_last_error(window, f"cannot open {image_path}"))
    log(f"opened {image_path} ({window.image.shape[1]} x {window.image.shape[0]} px)")
    settings, why_not = LowDoseSettings.measured_or_default(window.image, SMOKE_DOSE)
    detector = (
        f"{settings.photons_per_pixel:.0f} quanta measured from its noise"
        if why_not is None
        else f"the assumed {settings.photons_per_pixel:.0f} quanta ({why_not})"
    )
    simulation = window.simulate_low_dose(settings)
    if simulation is None:
        raise SmokeTestFailure("the simulation could not start")
    if not _wait_for(simulation.finished, SIMULATE_TIMEOUT_S):
        simulation.quit()
        raise SmokeTestFailure(f"simulating took longer than {SIMULATE_TIMEOUT_S} s")
    if window.reference is None:
        raise SmokeTestFailure(_last_error(window, "simulating a 25 % dose failed"))
    log(f"simulated {SMOKE_DOSE:.0%} dose of {detector}")

    if not window.controls.has_model():
        raise SmokeTestFailure("no model installed (give one with --model)")
    worker = window.start_denoise()
    if worker is None:
        raise SmokeTestFailure("Denoise could not start")
    if not _wait_for(worker.finished, DENOISE_TIMEOUT_S):
        worker.quit()
        raise SmokeTestFailure(f"denoising took longer than {DENOISE_TIMEOUT_S} s")
    if window.result is None:
        raise SmokeTestFailure(_last_error(window, "denoising gave no result"))
    result = window.result
    log(
        f"denoised in {result.seconds:.1f} s on {result.device} with {result.model_name}"
        f" (sha256 {result.model_sha256[:16]})"
    )
    if not (window.metrics_current() or _wait_for(window.metricsShown, SIMULATE_TIMEOUT_S)):
        raise SmokeTestFailure(_last_error(window, "the metrics were not shown"))
    table = window.metrics.table
    shown = [table.item(row, 0).text() for row in range(table.rowCount())]
    if shown != ["Noisy", "Denoised (final)"]:
        raise SmokeTestFailure(f"the metrics panel shows rows {shown}, not Noisy and Denoised")
    log("metrics shown for the noisy and the denoised image")

    _scrub(window)
    log(f"scrubbed {len(window.trajectory or ())} step(s); the shown image changed at each")

    try:
        written = window.export_report(report_dir)
        suffix = OUTPUT_SUFFIX[window.source.source_format]
        # Numbered as the report is (p_report_2 and p_denoised_2): never over an earlier one.
        head, _, number = written[0].stem.rpartition("_report")
        image_out = report_dir / f"{head}_denoised{number}{suffix}"
        written.append(window.export_image(image_out))
        read_image(image_out)
    except (OSError, XrayError) as error:
        raise SmokeTestFailure(f"export failed: {error}") from error
    if not written[0].read_bytes().startswith(b"%PDF"):
        raise SmokeTestFailure(f"{written[0]} is not a PDF")
    log("wrote " + ", ".join(str(p) for p in written))
    return written


def _last_error(window: MainWindow, fallback: str) -> str:
    return window.errors[-1] if window.errors else fallback


def _scrub(window: MainWindow) -> None:
    """Move the slider over every step and check the After pane changes each time."""
    after = window.views.panes["after"].image_item
    slider = window.timeline.slider
    steps = slider.maximum() + 1
    if window.trajectory is None or len(window.trajectory) != steps:
        raise SmokeTestFailure("the timeline does not hold every step")
    previous = window.grey(window.image.pixels)  # the noisy image, before any step
    for index in range(steps):
        slider.setValue(index)
        shown = np.array(after.image)
        if np.array_equal(shown, previous):
            raise SmokeTestFailure(f"the shown image did not change at step {index + 1}")
        previous = shown
