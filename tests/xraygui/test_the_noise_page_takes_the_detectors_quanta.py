"""The Noise page takes the detector's full-dose quanta for the validation at doses.

Where an image's quanta cannot be measured, the validation took 50,000: on images of far
fewer, its low doses added less noise than they already had. The quanta given are the
run's (run.json, ``--val-photons``) and the preview's; left "measured", they are measured.
"""

import pytest
from PIL import Image

from core.noise import phantom_image
from core.training.__main__ import build_config
from core.training.arguments import training_parser
from xraygui.wizard import process as process_module
from xraygui.wizard.noise_page import MEASURED, NoisePage
from xraygui.wizard.runs import RunSpec
from xraygui.wizard.wizard import TrainWizard

pytestmark = pytest.mark.gui


def _small(tmp_path):
    path = tmp_path / "small.png"
    Image.fromarray(phantom_image((64, 64), photons_per_pixel=3_000.0, seed=1)).save(path)
    return path


def test_the_quanta_given_reach_the_training_and_measured_gives_none(qtbot, tmp_path):
    wizard = TrainWizard(None, runs=tmp_path / "runs", model_dir=tmp_path / "models")
    qtbot.addWidget(wizard)
    page = wizard.noise_page
    assert page.quanta.text() == MEASURED and page.val_photons() is None
    for typed, expected in ((3000.0, 3000.0), (0.0, None)):
        page.quanta.setValue(typed)
        spec = wizard.spec(tmp_path / "run")
        assert spec.val_photons == expected
        assert RunSpec.from_json(spec.to_json()) == spec
        for resume in (False, True):
            _program, args = process_module.training_command(spec, resume=resume)
            config = build_config(training_parser("train").parse_args(args[2:]))
            assert config.val_photons == expected


def test_a_run_file_written_before_the_setting_reads_as_measured(tmp_path):
    spec = RunSpec(data=tmp_path, folder=tmp_path, steps=4, minutes=None, batch_size=2,
                   patch_size=16, val_photons=3000.0)  # fmt: skip
    old = spec.to_json()
    del old["val_photons"]
    assert RunSpec.from_json(old).val_photons is None


def test_the_preview_uses_the_quanta_given_and_points_to_the_field(qtbot, tmp_path):
    page = NoisePage()
    qtbot.addWidget(page)
    page.set_image(_small(tmp_path))
    assert "cannot be measured" in page.caption.text()
    assert "give your detector's full-dose quanta above" in page.caption.text()
    page.quanta.setValue(3000.0)
    assert "full-dose quanta given: 3,000 per unattenuated pixel" in page.caption.text()
    assert page.isComplete()
    page.quanta.setValue(5.0)  # under 1 quantum a pixel at the lowest dose, 10 %
    assert not page.isComplete()
