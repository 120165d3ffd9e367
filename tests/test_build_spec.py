"""Fast checks of build.spec and scripts/build_bundle.py: no PyInstaller, no build.

The bundle itself is built and smoke-tested by ``scripts/build_bundle.py`` (minutes), not here.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
SCRIPT = ROOT / "scripts" / "build_bundle.py"


def _constants(path: Path) -> dict[str, object]:
    """Module-level NAME = <literal> assignments of a Python file."""
    constants = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    constants[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return constants


@pytest.fixture(scope="module")
def spec() -> dict[str, object]:
    return _constants(SPEC)


def test_spec_compiles():
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")


def test_spec_builds_the_one_folder_app_from_the_gui_entry_point():
    text = SPEC.read_text(encoding="utf-8")
    assert '"xraygui" / "__main__.py"' in text
    assert text.count('name="xraygui"') == 2  # EXE and COLLECT: dist/xraygui/xraygui
    assert "exclude_binaries=True" in text  # one-folder, not one-file


def test_bundled_resources_exist(spec):
    assert set(spec["REQUIRED_RESOURCE_DIRS"]) == {"models", "sample"}
    assert "icons" in spec["OPTIONAL_RESOURCE_DIRS"]
    for name in spec["REQUIRED_RESOURCE_FILES"]:
        assert (ROOT / "resources" / name).is_file(), name
    files = set(spec["REQUIRED_RESOURCE_FILES"])
    assert "models/xray-diffusion.safetensors" in files
    assert "models/xray-diffusion.json" in files  # the model card travels with the weights
    assert "sample/synthetic_chest.dcm" in files


def test_no_test_data_or_training_runs_ship(spec):
    shipped = spec["REQUIRED_RESOURCE_DIRS"] + spec["OPTIONAL_RESOURCE_DIRS"]
    assert not {"tests", "runs", ".venv", "benchmarks"} & set(shipped)
    assert not any(prefix.startswith("resources") for prefix in spec["TRIMMED_PREFIXES"])


@pytest.mark.parametrize("module", ["pylibjpeg", "openjpeg", "libjpeg", "rle"])
def test_decoder_plugins_are_collected_and_installed(spec, module):
    assert module in spec["DECODER_PACKAGES"]
    assert importlib.util.find_spec(module) is not None


@pytest.mark.parametrize(
    "distribution", ["pylibjpeg", "pylibjpeg-openjpeg", "pylibjpeg-libjpeg", "pylibjpeg-rle"]
)
def test_plugin_metadata_is_copied(spec, distribution):
    # pylibjpeg finds its decoders through entry points, which live in the dist-info.
    assert distribution in spec["METADATA_DISTRIBUTIONS"]
    importlib.metadata.distribution(distribution)


def test_plugin_entry_points_come_from_the_copied_distributions(spec):
    groups = {"pylibjpeg.jpeg_2000_decoders", "pylibjpeg.jpeg_decoders", "pylibjpeg.rle_decoders"}
    providers = {
        entry.dist.name.lower()
        for group in groups
        for entry in importlib.metadata.entry_points(group=group)
    }
    assert providers, "no pylibjpeg decoder entry points installed"
    assert providers <= {name.lower() for name in spec["METADATA_DISTRIBUTIONS"]}


def test_lazy_skimage_metrics_and_pydicom_pixels_are_collected(spec):
    assert "skimage.metrics" in spec["LAZY_PACKAGES"]
    assert "pydicom.pixels" in spec["LAZY_PACKAGES"]


def test_no_used_module_is_excluded(spec):
    excluded = set(spec["EXCLUDED_MODULES"])
    used = set()
    for source in [*ROOT.glob("core/**/*.py"), *ROOT.glob("xraygui/**/*.py")]:
        used |= set(re.findall(r"\b(PySide6\.Qt\w+)", source.read_text(encoding="utf-8")))
    # pyqtgraph 0.14 imports these at import time.
    used |= {"PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtSvg", "PySide6.QtTest"}
    used |= {"torch", "pydicom", "skimage", "scipy", "PIL", "tifffile", "safetensors", "tqdm"}
    # torch._dynamo (imported by the optimiser in `xraygui --train`) needs sympy.
    used |= {"sympy", "mpmath", "torch._dynamo", "torch.fx", "core.training"}
    assert not used & excluded
    assert {"tkinter", "IPython", "matplotlib", "PySide6.QtQml", "PySide6.QtQuick"} <= excluded


def test_build_script_pins_pyinstaller():
    constants = _constants(SCRIPT)
    assert re.fullmatch(r"\d+\.\d+\.\d+", constants["PYINSTALLER_VERSION"])
    compile(SCRIPT.read_text(encoding="utf-8"), str(SCRIPT), "exec")


def test_trimming_keeps_what_import_torch_needs(spec):
    # torch/bin holds C++ test programs (trimmed) and torch_shm_manager, without which
    # `import torch` raises "Unable to find torch_shm_manager" in the bundle.
    assert "torch/bin/" in spec["TRIMMED_PREFIXES"]
    assert "torch/bin/torch_shm_manager" in spec["KEPT_FILES"]


def test_the_imagecodecs_codecs_tifffile_decodes_with_are_collected(spec):
    # imagecodecs imports a codec's module on first use; the spec must name each one.
    import inspect

    import imagecodecs.imagecodecs as codecs
    import tifffile

    modules = spec["IMAGECODECS_MODULES"]
    for module in modules:
        importlib.import_module(module)
    asked = set(re.findall(r"imagecodecs\.(\w+_decode)\b", inspect.getsource(tifffile.tifffile)))
    assert "lzw_decode" in asked and "jpeg8_decode" in asked
    # Codecs in imagecodecs' own module ("") are always there; Jetraw needs a vendor's SDK.
    homes = {codecs._ATTRIBUTES.get(name) for name in asked - {"jetraw_decode"}}
    assert {f"imagecodecs.{home}" for home in homes - {""}} <= set(modules)
