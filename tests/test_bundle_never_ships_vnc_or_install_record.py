"""build.spec leaves Qt's VNC plugin and pip's install record out of every build, trimmed or not.

``XRAYGUI_BUNDLE_TRIM=0`` (an untrimmed build, to measure the trimming) brought them back.
The spec's filtering statements run here on collected entries, without PyInstaller.
"""

import ast
import types
from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parents[1] / "build.spec"
ENTRIES = [
    ("PySide6/Qt/plugins/platforms/libqvnc.so", "/x/libqvnc.so", "BINARY"),
    ("PySide6\\Qt\\plugins\\platforms\\qvnc.dll", "C:/x/qvnc.dll", "BINARY"),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", "/x/libqxcb.so", "BINARY"),
    ("xray_denoise-0.1.dist-info/direct_url.json", "/x/direct_url.json", "DATA"),
    ("xray_denoise-0.1.dist-info/METADATA", "/x/METADATA", "DATA"),
    ("torch/include/ATen/ATen.h", "/x/ATen.h", "DATA"),  # trimmed only
]


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def _filtered(trim: bool) -> set[str]:
    """The destinations of ENTRIES that the spec's filtering keeps, trimming or not."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    definitions, filtering, after_analysis = [], [], False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in {"_never_shipped", "_keep"}:
            definitions.append(node)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id == "a":
                after_analysis = True  # a = Analysis(...)
            elif node.targets[0].id.isupper() and _literal(node.value):
                definitions.append(node)  # the spec's constants
            elif after_analysis:
                break  # past the filtering by name and by trimming
        elif after_analysis:
            filtering.append(node)
    namespace = {"TRIM": trim, "a": types.SimpleNamespace(binaries=[], datas=[])}
    for entry in ENTRIES:
        getattr(namespace["a"], "binaries" if entry[2] == "BINARY" else "datas").append(entry)
    module = ast.Module(body=definitions + filtering, type_ignores=[])
    exec(compile(module, str(SPEC), "exec"), namespace)  # noqa: S102 (our own spec's code)
    return {entry[0] for entry in namespace["a"].binaries + namespace["a"].datas}


@pytest.mark.parametrize("trim", [True, False], ids=["trimmed", "XRAYGUI_BUNDLE_TRIM=0"])
def test_the_vnc_plugin_and_the_install_record_never_ship(trim):
    kept = _filtered(trim)
    assert "PySide6/Qt/plugins/platforms/libqxcb.so" in kept
    assert "xray_denoise-0.1.dist-info/METADATA" in kept
    assert not [dest for dest in kept if "qvnc" in dest or dest.endswith("direct_url.json")]


def test_only_the_trimmed_build_drops_what_trimming_drops():
    assert "torch/include/ATen/ATen.h" in _filtered(trim=False)
    assert "torch/include/ATen/ATen.h" not in _filtered(trim=True)
