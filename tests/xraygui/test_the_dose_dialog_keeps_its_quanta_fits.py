"""Simulate Low Dose fits an image's quanta once per electronic noise, across openings.

Each opening, and each electronic noise entered again, fitted the quanta anew in the GUI
thread (0.4 s on a 3000 x 3000 image). A kept fit is the one a fresh fit gives, and only
for the image, noise estimate and electronic noise it was made from.
"""

import math
from dataclasses import replace

import numpy as np
import pytest

import xraygui.dialogs
from core.image import StoredMapping, Window, XrayImage
from core.noise import LowDoseSettings, NoiseEstimate, phantom_image
from core.noise.electronic import electronic_noise_problem
from xraygui.dialogs import QuantaFit, QuantaFits, SimulateDoseDialog

pytestmark = pytest.mark.gui

MEASURED_FROM = LowDoseSettings.measured_from  # not counted: what a fresh fit gives


def _image(photons: float, seed: int = 1) -> XrayImage:
    stored = phantom_image((512, 512), photons_per_pixel=photons, seed=seed)
    return XrayImage(
        pixels=stored.astype(np.float32),
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
        photometric="MONOCHROME2",
    )


@pytest.fixture(scope="module")
def taken():
    """A phantom taken at 20,000 quanta, and its noise."""
    image = _image(20000.0)
    return image, NoiseEstimate.of_image(image)


@pytest.fixture(scope="module")
def other():
    """Another phantom, taken at 5,000 quanta, and its noise."""
    image = _image(5000.0, seed=2)
    return image, NoiseEstimate.of_image(image)


@pytest.fixture
def fitted(monkeypatch):
    """Start with no fits kept; count the fits made (the electronic noise of each)."""
    monkeypatch.setattr(SimulateDoseDialog, "fits", QuantaFits())
    made = []
    measured_from = LowDoseSettings.measured_from.__func__

    def counted(cls, image, dose, **options):
        made.append(options["electronic_noise"])
        return measured_from(cls, image, dose, **options)

    monkeypatch.setattr(LowDoseSettings, "measured_from", classmethod(counted))
    return made


def _fresh(image, noise, electronic_noise):
    """What the dialog showed before fits were kept: measured now, and the warning."""
    measured = MEASURED_FROM(image, 1.0, electronic_noise=electronic_noise, noise=noise)
    return measured, electronic_noise_problem(image, measured, noise=noise)


def _open(qtbot, image, noise, last=None):
    dialog = SimulateDoseDialog(image, last=last, noise=noise)
    qtbot.addWidget(dialog)
    return dialog


def test_reopening_fits_nothing_anew(qtbot, taken, fitted, monkeypatch):
    image, noise = taken
    warned = []
    monkeypatch.setattr(
        xraygui.dialogs,
        "electronic_noise_problem",
        lambda *args, **kwargs: warned.append(1) or electronic_noise_problem(*args, **kwargs),
    )
    first = _open(qtbot, image, noise)
    assert fitted == [4.0] and len(warned) == 1
    last = replace(first.settings(), dose=0.25, seed=3)
    for _ in range(2):
        again = _open(qtbot, image, noise, last=last)
        assert fitted == [4.0] and len(warned) == 1
        assert again.measured_label.text() == first.measured_label.text()
        assert again.measured_label.text().startswith("Measured: ")
    measured, _ = _fresh(image, noise, 4.0)
    assert again.settings() == replace(measured, dose=0.25, seed=3)


def test_an_electronic_noise_entered_again_is_not_refitted(qtbot, taken, fitted):
    image, noise = taken
    dialog = _open(qtbot, image, noise)
    shown = dialog.measured_label.text()
    dialog.electronic.setValue(8.0)
    assert fitted == [4.0, 8.0]
    at_eight = dialog.measured_label.text()
    assert at_eight != shown
    dialog.electronic.setValue(4.0)
    assert fitted == [4.0, 8.0] and dialog.measured_label.text() == shown
    reopened = _open(qtbot, image, noise, last=replace(dialog.settings(), electronic_noise=8.0))
    assert fitted == [4.0, 8.0] and reopened.measured_label.text() == at_eight
    measured, _ = _fresh(image, noise, 8.0)
    assert reopened.settings() == replace(measured, dose=0.25)


@pytest.mark.parametrize("same_id", [False, True])
def test_a_fit_is_kept_only_for_its_image_estimate_and_noise(
    same_id, taken, other, fitted, monkeypatch
):
    if same_id:  # as if each object were made where a freed one was: identity still decides
        monkeypatch.setattr(xraygui.dialogs, "id", lambda _: 1, raising=False)
    (image, noise), (image2, noise2) = taken, other
    again = NoiseEstimate.of_image(image)  # the same noise, another estimate object
    fits = QuantaFits()
    asked = [
        (image, noise, 4.0),
        (image2, noise2, 4.0),  # another image
        (image, again, 4.0),  # another estimate
        (image, noise, 8.0),  # another electronic noise
        (image, noise, 4.000000000000001),  # another one by a bit
    ]
    for number, (picture, estimate, electronic) in enumerate(asked, start=1):
        fit = fits.fit(picture, estimate, electronic)
        assert len(fitted) == number
        measured, depends = _fresh(picture, estimate, electronic)
        assert fit == QuantaFit(measured, depends=depends)
        assert fit.measured.electronic_noise == electronic
    assert fits.fit(image2, noise2, 4.0).measured.photons_per_pixel < 10000
    assert fits.fit(image, noise, 4.0).measured.photons_per_pixel > 10000


def test_zero_and_minus_zero_electronic_noise_are_fitted_apart(taken, fitted):
    image, noise = taken
    fits = QuantaFits()
    for electronic in (0.0, -0.0):
        fit = fits.fit(image, noise, electronic)
        assert math.copysign(1.0, fit.measured.electronic_noise) == math.copysign(1.0, electronic)
    assert len(fitted) == 2


def test_a_refused_fit_is_kept_with_its_reason(qtbot, fitted):
    flat = XrayImage(
        pixels=np.random.default_rng(0).normal(2000.0, 20.0, (64, 64)).astype(np.float32),
        mapping=StoredMapping(bits_stored=12),
        window=Window(2048.0, 4096.0),
    )
    noise = NoiseEstimate.of_image(flat)
    first = _open(qtbot, flat, noise)
    assert first.measured_label.text().startswith("Cannot measure the quanta: ")
    again = _open(qtbot, flat, noise)
    assert len(fitted) == 1
    assert again.measured_label.text() == first.measured_label.text()
    assert not again.measure.isEnabled()


def test_only_the_last_fits_used_are_kept(taken, fitted):
    image, noise = taken
    fits = QuantaFits(kept=2)
    for electronic in (1.0, 2.0, 1.0, 3.0):  # 1 used again: 2 is the oldest
        fits.fit(image, noise, electronic)
    assert fitted == [1.0, 2.0, 3.0]
    fits.fit(image, noise, 1.0)
    fits.fit(image, noise, 2.0)
    assert fitted == [1.0, 2.0, 3.0, 2.0]
