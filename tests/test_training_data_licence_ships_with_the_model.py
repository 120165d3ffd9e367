"""The CC BY 3.0 text and attribution of the model's training data ship beside the model.

The model card's data attribution says "see `LICENSE`": a pip install and the bundle must
carry that licence, not only the project's own MIT ``LICENSE``.
"""

import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "resources" / "models"
LICENCE = "resources/models/xray-train-LICENSE.txt"
ATTRIBUTION = "resources/models/xray-train-ATTRIBUTION.md"


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_pip_installs_the_licence_and_attribution_beside_the_model(pyproject):
    models = pyproject["tool"]["setuptools"]["data-files"]["share/xray-denoise/models"]
    assert "resources/models/xray-diffusion.safetensors" in models
    assert {LICENCE, ATTRIBUTION} <= set(models)
    assert LICENCE in pyproject["project"]["license-files"]


def test_the_files_hold_the_cc_by_3_licence_and_the_attribution():
    licence = (ROOT / LICENCE).read_text(encoding="utf-8")
    assert licence.startswith("Creative Commons Legal Code\n\nAttribution 3.0 Unported\n")
    assert "Creative Commons may be contacted at https://creativecommons.org/." in licence
    attribution = (ROOT / ATTRIBUTION).read_text(encoding="utf-8")
    assert "xray-train-LICENSE.txt" in attribution
    assert "Creative Commons Attribution\n3.0 Unported (see `LICENSE`)" in attribution
    assert "ml-workgroup/covid-19-image-repository" in attribution
    assert "10.6084/m9.figshare.12275009" in attribution
    assert not any(MODELS.glob("*.png"))  # the text only, never the images


def test_the_bundle_and_its_notices_name_them():
    sys.path.insert(0, str(ROOT / "scripts"))
    import third_party_notices

    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    for path in (LICENCE, ATTRIBUTION):
        name = path.removeprefix("resources/")
        assert f'"{name}"' in spec  # REQUIRED_RESOURCE_FILES: no bundle without it
    project = third_party_notices.project_component(ROOT, "xray-denoise", "0.1.0")
    text = third_party_notices.notices_text([project])
    assert "resources/models/xray-train-LICENSE.txt" in text.replace("\n", " ")
