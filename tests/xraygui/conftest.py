import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from core.diffusion import DiffusionModel, NoiseSchedule, UNet, UNetConfig, save_model  # noqa: E402
from core.image import Window  # noqa: E402
from core.io import write_new_dicom  # noqa: E402
from core.noise import phantom_image  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory):
    import torch

    torch.manual_seed(0)
    network = UNet(UNetConfig.tiny()).eval()
    path = tmp_path_factory.mktemp("models") / "tiny.safetensors"
    save_model(DiffusionModel(network, NoiseSchedule()), path)
    return path


def _dicom(path, *, photometric="MONOCHROME2", size=96):
    stored = phantom_image(
        (size, size), bits_stored=12, photometric=photometric, photons_per_pixel=2000.0, seed=1
    )
    write_new_dicom(
        stored,
        path,
        photometric=photometric,
        bits_stored=12,
        pixel_spacing=(0.5, 0.5),
        patient_name="DOE^JANE",
        patient_id="P123",
        description="test phantom",
        window=Window(2048, 4096),
    )
    return path


@pytest.fixture(scope="session")
def small_dicom(tmp_path_factory):
    return _dicom(tmp_path_factory.mktemp("dicom") / "phantom.dcm")


@pytest.fixture(scope="session")
def measurable_dicom(tmp_path_factory):
    """Large enough for its noise to tell the quanta behind it (320 px is not)."""
    return _dicom(tmp_path_factory.mktemp("dicom384") / "phantom384.dcm", size=384)


@pytest.fixture(scope="session")
def monochrome1_dicom(tmp_path_factory):
    return _dicom(tmp_path_factory.mktemp("dicom1") / "mono1.dcm", photometric="MONOCHROME1")


@pytest.fixture
def settings(tmp_path, tiny_model_path):
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    store.setValue("loaded_models", [str(tiny_model_path)])
    store.setValue("denoise/model", str(tiny_model_path))
    return store


@pytest.fixture(autouse=True)
def no_installed_models(tmp_path, monkeypatch):
    """Keep the shipped model and the user's model folder out of the tests (fast, hermetic)."""
    import xraygui.models

    monkeypatch.setattr(xraygui.models, "default_model_path", lambda: tmp_path / "none.st")
    monkeypatch.setattr(xraygui.models, "user_model_dir", lambda: tmp_path / "user-models")


@pytest.fixture(autouse=True)
def fresh_quanta_fits(monkeypatch):
    """Give each test the dose dialog's fit cache empty, as a new session has it."""
    from xraygui.dialogs import QuantaFits, SimulateDoseDialog

    monkeypatch.setattr(SimulateDoseDialog, "fits", QuantaFits())


@pytest.fixture
def dialogs(monkeypatch):
    """Record message boxes instead of blocking on them."""
    shown = []

    def record(kind):
        return lambda parent, title, text, *a, **k: shown.append((kind, title, text))

    for kind in ("critical", "information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return shown


@pytest.fixture
def model_settings(tmp_path):
    """Return a function making settings that list ``loaded`` models and chose ``chosen``.

    ``chosen`` None writes no choice, as a fresh install has none.
    """

    def store(loaded=(), chosen=None):
        settings = QSettings(str(tmp_path / "models.ini"), QSettings.Format.IniFormat)
        settings.setValue("loaded_models", [str(path) for path in loaded])
        if chosen is not None:
            settings.setValue("denoise/model", str(chosen))
        return settings

    return store


@pytest.fixture
def window_on(qtbot):
    """Return a function that opens a main window (not shown) on the given settings."""
    from xraygui.main_window import MainWindow

    def open_window(settings):
        window = MainWindow(settings=settings)
        qtbot.addWidget(window)
        return window

    return open_window


@pytest.fixture
def no_cached_model():
    """Release the models the test loaded, so none is reused by the next test."""
    from xraygui import jobs

    yield
    jobs.release_models()


@pytest.fixture
def window(qtbot, settings, dialogs):
    from xraygui.main_window import MainWindow

    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def ramp(tmp_path):
    path = tmp_path / "ramp.npy"
    np.save(path, np.tile(np.linspace(0, 1, 50, dtype=np.float32), (40, 1)))
    return path


@pytest.fixture
def noise_window(window, tmp_path):
    """Return a function that opens a 1200 x 1600 12-bit noise image of a seed in the window.

    Any shift of a pixel shows in such an image; the window is 900 x 700, so it is shown
    smaller than the image at 1:1.
    """

    def open_noise(seed):
        pixels = np.random.default_rng(seed).integers(0, 4096, (1200, 1600)).astype(np.uint16)
        np.save(tmp_path / "noise.npy", pixels)
        window.resize(900, 700)
        assert window.open_file(tmp_path / "noise.npy")
        return window

    return open_noise


@pytest.fixture
def settle(qtbot):
    """Wait until a window's job (denoise, simulation), its metrics and noise estimate end."""

    def wait(window, timeout=30000):
        qtbot.waitUntil(
            lambda: (
                window.worker is None
                and not window.computing_metrics
                and not window.estimating_noise
            ),
            timeout=timeout,
        )

    return wait


@pytest.fixture
def denoise_quickly(qtbot):
    """Denoise a window's image in one step, one view, and wait for the result."""

    def run(window):
        window.controls.steps.setValue(1)
        window.controls.views.setCurrentIndex(window.controls.views.findData(1))
        worker = window.start_denoise()
        with qtbot.waitSignals([worker.returned, worker.finished], order="strict", timeout=30000):
            pass

    return run


@pytest.fixture
def answer_next_box(qtbot):
    """Press a button of the next message box that opens (it is modal: exec blocks)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def answer(button):
        def press():
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                box.button(button).click()
            else:
                QTimer.singleShot(20, press)

        QTimer.singleShot(20, press)

    return answer


@pytest.fixture
def new_run_spec(tmp_path):
    """A run in a new folder ``tmp_path / "runs" / name``: 1000 steps of 2 patches of 16 px.

    Keyword arguments change the other ``RunSpec`` fields (``steps=20``...).
    """
    from xraygui.wizard.runs import RunSpec

    def make(name="run", **changes):
        folder = tmp_path / "runs" / name
        folder.mkdir(parents=True)
        fields = {"steps": 1000, "minutes": None, "batch_size": 2, "patch_size": 16}
        return RunSpec(data=tmp_path, folder=folder, **{**fields, **changes})

    return make


@pytest.fixture
def write_checkpoint():
    """Write a run's training checkpoint at a step, of tiny stand-in networks (fast)."""
    import torch

    from core.training.checkpoint import Checkpoint, save_checkpoint

    def write(spec, step):
        network = torch.nn.Linear(2, 2)
        save_checkpoint(
            spec.config.checkpoint_path,
            network=network,
            ema=torch.nn.Linear(2, 2),
            optimizer=torch.optim.AdamW(network.parameters()),
            checkpoint=Checkpoint(step, {}, {"elapsed_s": 1.0}),
        )

    return write


@pytest.fixture
def written_report(tmp_path, monkeypatch):
    """Write the report of a session.

    Unless given: no dose, result, reference or comparison rows; the noise before is
    the result's estimate (1.0 without a result) and none after.

    Returns a function of ``ReportContent.from_session``'s arguments that returns the
    report's JSON, its CSV rows and the text its PDF drew.
    """
    import csv
    import json

    from PySide6.QtGui import QPainter

    from xraygui.reports import ReportContent, write_report

    def write(**session):
        drawn = []
        real = QPainter.drawText
        for name, value in (("dose", None), ("result", None), ("reference", None), ("rows", [])):
            session.setdefault(name, value)
        result = session["result"]
        session.setdefault("noise", (1.0 if result is None else result.noise_before.sigma, None))
        with monkeypatch.context() as patch:
            patch.setattr(
                QPainter,
                "drawText",
                lambda painter, *args: (
                    drawn.append(next(a for a in args if isinstance(a, str)))  # any overload
                    or real(painter, *args)
                ),
            )
            _, js, table = write_report(ReportContent.from_session(**session), tmp_path / "report")
        with table.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.DictReader(file))
        return json.loads(js.read_text(encoding="utf-8")), rows, "\n".join(drawn)

    return write
