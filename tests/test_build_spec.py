"""Fast checks of build.spec and scripts/build_bundle.py: no PyInstaller, no build.

The bundle itself is built and smoke-tested by ``scripts/build_bundle.py`` (minutes), not here.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import os
import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
SCRIPT = ROOT / "scripts" / "build_bundle.py"
sys.path.insert(0, str(ROOT / "scripts"))
import third_party_notices as notices  # noqa: E402 (scripts/ is not a package)


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


def test_spec_builds_the_one_folder_app_from_the_gui_entry_point(spec):
    text = SPEC.read_text(encoding="utf-8")
    # A Qt-free entry that starts the app (xraygui/__main__.py) after spawned workers.
    assert spec["ENTRY_SCRIPT"] == "xraygui/bundle_entry.py" and "ROOT / ENTRY_SCRIPT" in text
    assert spec["APP_NAME"] == "xraygui"  # EXE and COLLECT: dist/xraygui/xraygui
    assert "name=APP_NAME" in text and spec["CONSOLE_NAME"] == "xraygui-cli"
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


@pytest.mark.parametrize("module", ["pylibjpeg", "openjpeg", "rle"])
def test_decoder_plugins_are_collected_and_installed(spec, module):
    assert module in spec["DECODER_PACKAGES"]
    assert importlib.util.find_spec(module) is not None


@pytest.mark.parametrize("distribution", ["pylibjpeg", "pylibjpeg-openjpeg", "pylibjpeg-rle"])
def test_plugin_metadata_is_copied(spec, distribution):
    # pylibjpeg finds its decoders through entry points, which live in the dist-info.
    assert distribution in spec["METADATA_DISTRIBUTIONS"]
    importlib.metadata.distribution(distribution)


def test_plugin_entry_points_come_from_the_copied_distributions(spec):
    groups = {"pylibjpeg.jpeg_2000_decoders", "pylibjpeg.rle_decoders"}
    providers = {
        entry.dist.name.lower()
        for group in groups
        for entry in importlib.metadata.entry_points(group=group)
    }
    assert providers, "no pylibjpeg decoder entry points installed"
    assert providers <= {name.lower() for name in spec["METADATA_DISTRIBUTIONS"]}


def test_gpl_libjpeg_and_readline_are_not_bundled(spec):
    # pylibjpeg-libjpeg and GNU readline are GPL-3.0; JPEG goes through imagecodecs.
    assert "libjpeg" not in spec["DECODER_PACKAGES"]
    assert "pylibjpeg-libjpeg" not in spec["METADATA_DISTRIBUTIONS"]
    assert set(spec["GPL_MODULES"]) == {"libjpeg", "readline"}
    assert "+ GPL_MODULES," in SPEC.read_text(encoding="utf-8")  # trimmed or not
    assert {"imagecodecs._jpeg8", "imagecodecs._jpegls"} <= set(spec["IMAGECODECS_MODULES"])
    assert {"pylibjpeg-libjpeg", "libreadline8"} <= set(notices.FORBIDDEN)


def _pyproject_list(key: str) -> list[str]:
    """The runtime dependencies (``dependencies``) or an optional extra's, from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return list(project[key] if key == "dependencies" else project["optional-dependencies"][key])


def test_pylibjpeg_libjpeg_is_no_dependency():
    requirements = _pyproject_list("dependencies")
    assert "pydicom>=3.0.1,<4" in requirements and "imagecodecs>=2024.6.1" in requirements
    requirements += (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    assert not [line for line in requirements if "pylibjpeg-libjpeg" in line]


def test_test_only_distributions_are_the_test_and_bench_extras(spec):
    extras = _pyproject_list("test") + _pyproject_list("bench")
    assert set(spec["TEST_ONLY_DISTRIBUTIONS"]) == {re.split(r"[<>=!~; ]", e)[0] for e in extras}
    assert "pyinstaller" in spec["ALWAYS_BUNDLED_DISTRIBUTIONS"]


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


def test_trimming_drops_the_vnc_server_plugin_and_the_editable_install_record(spec):
    # QT_QPA_PLATFORM=vnc would serve the window, unauthenticated, on port 5900.
    assert {"libqvnc.so", "qvnc.dll", "libqvnc.dylib"} <= set(spec["TRIMMED_NAMES"])
    assert "direct_url.json" in spec["TRIMMED_NAMES"]  # it names the build's checkout
    text = SPEC.read_text(encoding="utf-8")
    assert 'dest.rsplit("/", 1)[-1] in TRIMMED_NAMES' in text


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


# The licence notices (scripts/third_party_notices.py), without a build.


def _runtime_distributions() -> list[str]:
    """The names of pyproject's runtime dependencies."""
    return [re.split(r"[<>=!~; ]", line)[0] for line in _pyproject_list("dependencies")]


def test_spec_checks_licences_before_building_and_writes_notices_beside_the_executable():
    text = SPEC.read_text(encoding="utf-8")
    assert text.index("_licence_components(a, ") < text.index("pyz = PYZ(")
    assert text.index("coll = COLLECT(") < text.index("write_notices(components, Path(coll.name))")


@pytest.mark.parametrize("name", _runtime_distributions())
def test_every_runtime_dependency_ships_licence_text(name):
    component = notices.distribution_component(importlib.metadata.distribution(name))
    assert component.licence_files or component.name in notices.NO_LICENCE_FILE
    assert all(licence.source.is_file() for licence in component.licence_files)


def test_licence_files_keep_their_paths():
    names = {
        f.name
        for f in notices.distribution_component(
            importlib.metadata.distribution("imagecodecs")
        ).licence_files
    }
    # imagecodecs keeps its codecs' licences in the package, CharLS's and libjpeg-turbo's too.
    assert {"LICENSE", "imagecodecs/licenses/LICENSE-charls"} <= names
    assert "imagecodecs/licenses/LICENSE-libjpeg-turbo" in names
    assert not [name for name in names if name.endswith(".py")]


def test_collected_files_are_traced_to_distribution_project_and_python():
    import imagecodecs

    project = notices.project_component(ROOT, "xray-denoise", "0")
    sources = [imagecodecs.__file__, ROOT / "core" / "io" / "jpeg_decode.py", os.__file__]
    components, untraced = notices.trace(
        sources, root=ROOT, project=project, index=notices.distribution_index()
    )
    assert untraced == []
    assert set(components) == {"imagecodecs", "xray-denoise", "python"}
    assert components["python"].kind == notices.RUNTIME_KIND
    assert components["xray-denoise"].licence_files[0].source == ROOT / "LICENSE"


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian or Ubuntu system")
def test_system_files_are_traced_to_their_debian_package_and_its_copyright():
    dpkg = Path(shutil.which("dpkg-query"))
    project = notices.project_component(ROOT, "xray-denoise", "0")
    components, untraced = notices.trace([dpkg], root=ROOT, project=project, index={})
    assert untraced == []
    (component,) = components.values()
    assert component.name == "dpkg" and component.kind == notices.DEBIAN_KIND
    assert component.licence_files[0].source == Path("/usr/share/doc/dpkg/copyright")


def _component(name: str, files=()) -> notices.Component:
    return notices.Component(name, "1.0", "MIT", notices.DISTRIBUTION_KIND, tuple(files))


def test_what_cannot_be_shipped_stops_the_build(tmp_path):
    components = {
        "no-licence": _component("no-licence"),
        "pyside6-essentials": _component("pyside6-essentials"),  # allowlisted
        "pylibjpeg-libjpeg": _component("pylibjpeg-libjpeg"),
        "hypothesis": _component("hypothesis"),
    }
    with pytest.raises(notices.NoticeError) as info:
        notices.check(components, [str(tmp_path / "stray.so")], test_only=["Hypothesis"])
    message = str(info.value)
    assert "stray.so: from no known distribution or package" in message
    assert "no-licence 1.0: no licence file found" in message
    assert "pylibjpeg-libjpeg must not be bundled (GPL-3.0" in message
    assert "hypothesis is used only by tests" in message
    assert "pyside6-essentials" not in message


def test_a_file_from_nowhere_is_untraced(tmp_path):
    stray = tmp_path / "libstray.so"
    stray.write_bytes(b"")
    project = notices.project_component(ROOT, "xray-denoise", "0")
    _, untraced = notices.trace([stray], root=ROOT, project=project, index={})
    assert untraced == [str(stray)]


@pytest.fixture
def qt_texts(tmp_path, monkeypatch):
    """LGPL-3.0 and GPL-3.0 stand-ins where the system's would be."""
    texts = {}
    for name, (title, _) in notices.QT_LICENCE_TEXTS.items():
        path = tmp_path / "common" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"  {title}\n  Version 3, 29 June 2007\n", encoding="utf-8")
        texts[name] = (title, path)
    monkeypatch.setattr(notices, "QT_LICENCE_TEXTS", texts)
    return texts


def test_notices_and_licences_are_written_beside_the_executable(tmp_path, qt_texts):
    licence = tmp_path / "fmt-LICENSE"
    licence.write_text("fmt licence", encoding="utf-8")
    components = [
        notices.project_component(ROOT, "xray-denoise", "0.1.0"),
        _component("torch", [notices.LicenceFile(licence, "third_party/fmt/LICENSE")]),
        _component("pyside6-essentials"),
        notices.python_component(),
    ]
    bundle = tmp_path / "xraygui"
    notices.write_notices(components, bundle)
    text = (bundle / notices.NOTICES_NAME).read_text(encoding="utf-8")
    assert text.startswith("xray-denoise 0.1.0: licences and third-party notices")
    assert notices.CC_BY_3_URI in text and "MIT licence" in text and "LGPL-3.0.txt" in text
    assert re.search(r"^torch +1\.0 +MIT$", text, flags=re.MULTILINE)
    licences = bundle / notices.LICENSES_DIR
    assert (licences / "xray-denoise" / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert (licences / "torch" / "third_party" / "fmt" / "LICENSE").read_text() == "fmt licence"
    assert (licences / "Qt" / "LGPL-3.0.txt").is_file() and (
        licences / "Qt" / "GPL-3.0.txt"
    ).is_file()


def test_missing_qt_licence_text_stops_the_build(tmp_path, qt_texts):
    qt_texts["LGPL-3.0.txt"][1].unlink()
    with pytest.raises(notices.NoticeError, match="no LGPL-3.0 text for Qt"):
        notices.qt_licence_texts([_component("pyside6-essentials")])


def test_build_script_checks_the_notices_and_what_must_not_ship(tmp_path, qt_texts, monkeypatch):
    loaded = importlib.util.spec_from_file_location("build_bundle", SCRIPT)
    build_bundle = importlib.util.module_from_spec(loaded)
    monkeypatch.setitem(sys.modules, "build_bundle", build_bundle)  # for its dataclass
    loaded.loader.exec_module(build_bundle)
    bundle = tmp_path / "xraygui"
    (bundle / "_internal").mkdir(parents=True)
    assert "no THIRD-PARTY-NOTICES.txt" in build_bundle.notice_problems(bundle)
    notices.write_notices([notices.project_component(ROOT, "xray-denoise", "0.1.0")], bundle)
    assert build_bundle.notice_problems(bundle) == []
    (bundle / "_internal" / "libreadline.so.8").write_bytes(b"")
    (bundle / "_internal" / "hypothesis-6.0.dist-info").mkdir()
    assert build_bundle.notice_problems(bundle, "linux") == [
        "bundled: hypothesis-6.0.dist-info",
        "bundled: libreadline.so.8",
    ]
    plugins = bundle / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms"
    plugins.mkdir(parents=True)
    (plugins / "libqvnc.so").write_bytes(b"")
    assert "bundled: _internal/PySide6/Qt/plugins/platforms/libqvnc.so" in (
        build_bundle.notice_problems(bundle)
    )
