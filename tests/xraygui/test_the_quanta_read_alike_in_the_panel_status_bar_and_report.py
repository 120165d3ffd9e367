"""A simulation's quanta read alike in the status bar, the Denoise panel and the report.

The status bar grouped them ("19,916") while the Denoise panel and the PDF did not
("19916/pixel at full dose"). The JSON report's numbers stay numbers.
"""

import pytest
from PySide6.QtCore import QLocale

from core.io import read_image
from core.noise import LowDoseSettings
from xraygui.analysis import comparisons

pytestmark = pytest.mark.gui


def test_the_panel_and_status_bar_group_the_quanta(window, qtbot, small_dicom):
    window.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    window.open_file(small_dicom)
    worker = window.simulate_low_dose(LowDoseSettings(dose=0.25, photons_per_pixel=20000))
    assert worker is not None
    with qtbot.waitSignal(worker.finished, timeout=20000):
        pass
    qtbot.waitUntil(lambda: window.dose is not None, timeout=5000)
    assert "(20,000 assumed quanta per pixel" in window.statusBar().currentMessage()
    assert "(20,000 quanta/pixel at full dose," in window.controls.status.text()


def test_the_report_groups_them_in_text_and_keeps_the_number(qapp, written_report, small_dicom):
    source = read_image(small_dicom)
    noisy = source.with_pixels(source.pixels + 5.0)
    dose = LowDoseSettings(dose=0.25, seed=3, photons_per_pixel=1760.2631583090076)
    js, table, pdf = written_report(
        source=source,
        image=noisy,
        reference=source,
        dose=dose,
        rows=comparisons(source, noisy, None),
    )
    assert "(1,760.3 quanta/pixel at full dose," in pdf
    assert "(1,760.3 quanta/pixel at full dose," in js["simulation"]
    assert js["simulation_settings"]["photons_per_pixel"] == 1760.2631583090076
    assert float(table[0]["simulation_photons_per_pixel"]) == 1760.2631583090076
