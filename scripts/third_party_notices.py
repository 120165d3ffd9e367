"""Licence notices for the bundle: ``THIRD-PARTY-NOTICES.txt`` and ``LICENSES/`` by the executable.

``build.spec`` calls :func:`gather_components` with the source of every file PyInstaller
collected before it builds the executable, so that a licence it cannot account for stops
the build, and :func:`write_notices` into the finished bundle folder. Each collected file
is traced to what it came from:

* an installed Python distribution (a file in its ``RECORD``): the licence files in its
  dist-info (``licenses/``, PEP 639, and ``LICENSE``/``COPYING``/``NOTICE``/``AUTHORS``);
* this project's source tree: its ``LICENSE``;
* a Debian package (``dpkg-query -S``; the system libraries PyInstaller copies):
  ``/usr/share/doc/<package>/copyright``;
* the Python installation (standard library, ``libpython``): its ``LICENSE.txt``.

A file traced to none of these, a component without licence text (unless allowlisted in
:data:`NO_LICENCE_FILE`), a test-only distribution, or a GPL component the MIT bundle must
not carry (:data:`FORBIDDEN`) is an error, and the error names them all.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"
LICENSES_DIR = "LICENSES"
QT_DIR = "Qt"
CC_BY_3_URI = "https://creativecommons.org/licenses/by/3.0/"

NO_LICENCE_FILE = {
    # The PySide6-Essentials and shiboken6 wheels (6.10) ship no licence file; their metadata
    # says "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0". The bundle uses them under LGPL-3.0,
    # whose text, with the GPL-3.0 it builds on, qt_licence_texts() adds as LICENSES/Qt/.
    "pyside6-essentials": "LGPL-3.0 text in LICENSES/Qt/",
    "shiboken6": "LGPL-3.0 text in LICENSES/Qt/",
}
"""Distributions that truly ship no licence file, with where their licence text comes from."""

_COMMON_LICENSES = Path("/usr/share/common-licenses")
QT_LICENCE_TEXTS = {
    "LGPL-3.0.txt": (
        "GNU LESSER GENERAL PUBLIC LICENSE",
        Path("/usr/share/common-licenses/LGPL-3"),
    ),
    "GPL-3.0.txt": ("GNU GENERAL PUBLIC LICENSE", Path("/usr/share/common-licenses/GPL-3")),
}
"""The LGPL-3.0 text for Qt and the GPL-3.0 text it builds on: each one's title, and where
the system has it when the PySide6 wheel does not (Debian and Ubuntu: ``base-files``)."""

FORBIDDEN = {
    "pylibjpeg-libjpeg": "GPL-3.0; core.io.jpeg_decode decodes JPEG with imagecodecs instead",
    "libreadline8": "GPL-3.0 GNU readline; build.spec excludes Python's readline module",
}
"""Components whose licence would make the MIT bundle GPL, with why they are not needed."""

PROJECT_KIND = "application"
DISTRIBUTION_KIND = "Python package"
DEBIAN_KIND = "system library"
RUNTIME_KIND = "Python runtime"
HEADINGS = {
    PROJECT_KIND: "Application",
    DISTRIBUTION_KIND: "Python packages",
    DEBIAN_KIND: "System libraries (Debian packages, copied from the build machine)",
    RUNTIME_KIND: "Python runtime",
}
"""Each kind of component, in the order listed, with its heading in the notices."""
KINDS = tuple(HEADINGS)

_LICENCE_NAME = re.compile(r"(?i)^(licen[cs]e|copying|notice|copyright|authors)")
_CODE_SUFFIXES = (".py", ".pyc", ".pyi", ".so", ".pyd", ".dll", ".dylib")
_DPKG_BATCH = 200
"""Paths per ``dpkg-query -S`` call (a command line's length is limited)."""


class NoticeError(Exception):
    """The bundle's licences cannot be accounted for; the message lists every problem."""


@dataclass(frozen=True)
class LicenceFile:
    """A licence text and the name it gets in its component's ``LICENSES/`` folder."""

    source: Path
    name: str


@dataclass(frozen=True)
class Component:
    """One thing the bundle redistributes, with its licence.

    Attributes
    ----------
    name : str
        Distribution (PEP 503 normal form), Debian package or runtime name.
    version : str
        Its version.
    licence : str
        The licence it declares (an SPDX expression where it gives one).
    kind : str
        One of :data:`KINDS`.
    licence_files : tuple of LicenceFile
        Its licence texts, copied to ``LICENSES/<name>/``.
    """

    name: str
    version: str
    licence: str
    kind: str
    licence_files: tuple[LicenceFile, ...]


def canonical(name: str) -> str:
    """Return a distribution name in PEP 503 form (``PySide6_Essentials``: pyside6-essentials)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def distribution_index() -> dict[Path, importlib.metadata.Distribution]:
    """Map every file an installed distribution records (path resolved) to the distribution."""
    index = {}
    for distribution in importlib.metadata.distributions():
        for file in distribution.files or []:
            index[Path(distribution.locate_file(file)).resolve()] = distribution
    return index


def licence_files(distribution: importlib.metadata.Distribution) -> list[LicenceFile]:
    """Return the licence texts a distribution installed.

    Parameters
    ----------
    distribution : importlib.metadata.Distribution
        An installed distribution.

    Returns
    -------
    list of LicenceFile
        Every file in its ``RECORD`` named ``LICENSE*``, ``LICENCE*``, ``COPYING*``,
        ``NOTICE*``, ``COPYRIGHT*`` or ``AUTHORS*``, or inside a ``licenses`` folder (the
        dist-info's, PEP 639, or a package's, as imagecodecs keeps its codecs' licences),
        but not code. Each is named by its path, less the dist-info's ``licenses`` folder:
        ``LICENSE``, ``third_party/fmt/LICENSE``, ``imagecodecs/licenses/LICENSE-charls``.
    """
    found = []
    for file in distribution.files or []:
        in_licenses = any(part.lower() == "licenses" for part in file.parts[:-1])
        is_text = file.suffix not in _CODE_SUFFIXES
        if not (is_text and (in_licenses or _LICENCE_NAME.match(file.name))):
            continue
        parts = file.parts
        if parts[0].endswith((".dist-info", ".egg-info")):
            parts = parts[2:] if len(parts) > 2 and parts[1] == "licenses" else parts[1:]
        path = Path(distribution.locate_file(file))
        if path.is_file():
            found.append(LicenceFile(path, "/".join(parts)))
    return found


def declared_licence(distribution: importlib.metadata.Distribution) -> str:
    """Return the licence a distribution declares.

    Its ``License-Expression`` (PEP 639); else a one-line ``License`` field; else its
    ``License ::`` classifiers; else ``"see its licence files"``.
    """
    metadata = distribution.metadata
    if metadata.get("License-Expression"):
        return metadata["License-Expression"]
    licence = (metadata.get("License") or "").strip()
    if licence and "\n" not in licence and len(licence) <= 80:
        return licence
    classifiers = [
        entry.split("::")[-1].strip()
        for entry in metadata.get_all("Classifier") or []
        if entry.startswith("License ::")
    ]
    return " / ".join(classifiers) or "see its licence files"


def distribution_component(distribution: importlib.metadata.Distribution) -> Component:
    """Return the :class:`Component` of an installed Python distribution."""
    return Component(
        name=canonical(distribution.metadata["Name"]),
        version=distribution.version,
        licence=declared_licence(distribution),
        kind=DISTRIBUTION_KIND,
        licence_files=tuple(licence_files(distribution)),
    )


def project_component(root: Path, name: str, version: str) -> Component:
    """Return this project's :class:`Component`: MIT, with its ``LICENSE``."""
    licence = root / "LICENSE"
    files = (LicenceFile(licence, "LICENSE"),) if licence.is_file() else ()
    return Component(name, version, "MIT", PROJECT_KIND, files)


def python_component() -> Component:
    """Return the running Python's :class:`Component`, with its standard library's licence."""
    licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    files = (LicenceFile(licence, "LICENSE.txt"),) if licence.is_file() else ()
    return Component("python", sys.version.split()[0], "PSF-2.0", RUNTIME_KIND, files)


def is_python_file(path: Path) -> bool:
    """Whether `path` is part of the Python installation: its stdlib, extensions or libpython."""
    resolved = path.resolve()
    folders = [sysconfig.get_paths()["stdlib"], sysconfig.get_config_var("DESTSHARED")]
    if any(folder and resolved.is_relative_to(Path(folder).resolve()) for folder in folders):
        return True
    libdir, soname = sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")
    return bool(libdir and soname) and resolved == (Path(libdir) / soname).resolve()


def _dpkg_candidates(path: Path) -> list[str]:
    """`path` as dpkg may know it: as given, resolved, with and without merged /usr's prefix."""
    forms = []
    for form in (str(path), str(path.resolve())):
        forms += [form, form[4:] if form.startswith("/usr/") else "/usr" + form]
    return list(dict.fromkeys(forms))


def debian_packages(paths: Iterable[Path]) -> dict[Path, str]:
    """Return the Debian package that installed each of `paths` that one did (``dpkg-query -S``).

    Without ``dpkg-query`` (not a Debian or Ubuntu system) nothing is found.
    """
    if shutil.which("dpkg-query") is None:
        return {}
    owners_of = {candidate: path for path in paths for candidate in _dpkg_candidates(path)}
    candidates = list(owners_of)
    packages: dict[Path, str] = {}
    for start in range(0, len(candidates), _DPKG_BATCH):
        query = subprocess.run(
            ["dpkg-query", "-S", *candidates[start : start + _DPKG_BATCH]],
            capture_output=True,
            text=True,
            check=False,  # 1 when some path belongs to no package: those are left out
        )
        for line in query.stdout.splitlines():
            owners, separator, path = line.partition(": ")
            if separator and path in owners_of and not line.startswith("diversion"):
                package = owners.split(",")[0].split(":")[0].strip()
                packages.setdefault(owners_of[path], package)
    return packages


def debian_component(package: str) -> Component:
    """Return the :class:`Component` of a Debian package, with its ``copyright`` file."""
    version = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
    ).stdout.strip()
    copyright_file = Path("/usr/share/doc") / package / "copyright"
    files = (LicenceFile(copyright_file, "copyright"),) if copyright_file.is_file() else ()
    return Component(package, version or "unknown", "see its copyright file", DEBIAN_KIND, files)


def trace(
    sources: Iterable[str | Path],
    *,
    root: Path,
    project: Component,
    index: dict[Path, importlib.metadata.Distribution],
) -> tuple[dict[str, Component], list[str]]:
    """Trace collected files to the components they came from.

    Parameters
    ----------
    sources : iterable of str or Path
        Source paths of the files PyInstaller collected (relative ones, the targets of
        symbolic links it recreates, are skipped).
    root : Path
        The project's source tree (its virtual environment, if inside, is not the project).
    project : Component
        This project.
    index : dict
        :func:`distribution_index`.

    Returns
    -------
    components : dict of str to Component
        By name, every component at least one file came from.
    untraced : list of str
        Files traced to nothing.
    """
    distributions = set()  # each distribution object once: reading its metadata takes time
    components: dict[str, Component] = {}
    remaining = []
    environment = Path(sys.prefix).resolve()
    for source in dict.fromkeys(str(source) for source in sources):
        path = Path(source)
        if not path.is_absolute():
            continue
        resolved = path.resolve()
        if resolved in index:
            distributions.add(index[resolved])
        elif resolved.is_relative_to(root.resolve()) and not resolved.is_relative_to(environment):
            components[project.name] = project
        else:
            remaining.append(path)
    for distribution in distributions:
        component = distribution_component(distribution)
        components[component.name] = component
    packages = debian_packages(remaining)
    untraced = []
    for path in remaining:
        if path in packages:
            if packages[path] not in components:
                components[packages[path]] = debian_component(packages[path])
        elif is_python_file(path):
            components.setdefault("python", python_component())
        else:
            untraced.append(str(path))
    return components, untraced


def check(
    components: dict[str, Component], untraced: list[str], test_only: Iterable[str]
) -> list[Component]:
    """Return the components sorted by kind and name, or raise if any cannot be shipped.

    Parameters
    ----------
    components : dict of str to Component
        From :func:`trace`.
    untraced : list of str
        Files :func:`trace` could not attribute.
    test_only : iterable of str
        Distributions used only by tests and benchmarks, which must not be bundled.

    Returns
    -------
    list of Component

    Raises
    ------
    NoticeError
        Naming every untraced file, every component without licence text (and not in
        :data:`NO_LICENCE_FILE`), test-only distribution and :data:`FORBIDDEN` component.
    """
    test_only = {canonical(name) for name in test_only}
    problems = [f"{source}: from no known distribution or package" for source in untraced]
    for name, component in sorted(components.items()):
        if name in FORBIDDEN:
            problems.append(f"{name} must not be bundled ({FORBIDDEN[name]})")
        if name in test_only:
            problems.append(f"{name} is used only by tests and must not be bundled")
        if not component.licence_files and name not in NO_LICENCE_FILE:
            problems.append(f"{name} {component.version}: no licence file found")
    if problems:
        raise NoticeError("cannot account for the bundle's licences:\n  " + "\n  ".join(problems))
    return sorted(components.values(), key=lambda c: (KINDS.index(c.kind), c.name))


def gather_components(
    sources: Iterable[str | Path],
    *,
    root: Path,
    project_name: str,
    project_version: str,
    index: dict[Path, importlib.metadata.Distribution],
    always: Iterable[str] = (),
    test_only: Iterable[str] = (),
) -> list[Component]:
    """Return every component the bundle redistributes, checked (see :func:`check`).

    Parameters
    ----------
    sources : iterable of str or Path
        Source paths of every file PyInstaller collected.
    root : Path
        The project's source tree.
    project_name, project_version : str
        This project's name and version.
    index : dict
        :func:`distribution_index`.
    always : iterable of str
        Distributions in the bundle whatever files were collected (PyInstaller, whose
        bootloader starts the executable).
    test_only : iterable of str
        Distributions that must not be bundled.

    Returns
    -------
    list of Component

    Raises
    ------
    NoticeError
        When the bundle's licences cannot be accounted for, or Qt's are missing
        (:func:`qt_licence_texts`).
    """
    project = project_component(root, canonical(project_name), project_version)
    components, untraced = trace(sources, root=root, project=project, index=index)
    components[project.name] = project
    for name in always:
        component = distribution_component(importlib.metadata.distribution(name))
        components[component.name] = component
    checked = check(components, untraced, test_only)
    qt_licence_texts(checked)  # found now, or the build stops before it starts
    return checked


def qt_licence_texts(components: Iterable[Component]) -> dict[str, Path]:
    """Return the LGPL-3.0 and GPL-3.0 texts for Qt: the PySide6 wheel's, else the system's.

    Raises
    ------
    NoticeError
        When neither has one of them.
    """
    shipped = [
        licence.source
        for component in components
        if component.name == "pyside6-essentials"
        for licence in component.licence_files
    ]
    texts = {}
    for name, (title, system_copy) in QT_LICENCE_TEXTS.items():
        found = [path for path in shipped if _is_version_3_of(path, title)]
        found += [system_copy] if system_copy.is_file() else []
        if not found:
            raise NoticeError(
                f"no {name.removesuffix('.txt')} text for Qt: the PySide6 wheel has none, nor "
                f"has {system_copy} (Debian and Ubuntu install it with base-files)"
            )
        texts[name] = found[0]
    return texts


def _is_version_3_of(path: Path, title: str) -> bool:
    """Whether the text at `path` is version 3 of the licence called `title`."""
    opening = " ".join(path.read_text(encoding="utf-8", errors="replace")[:400].split())
    return opening.upper().startswith(title) and "VERSION 3" in opening.upper()


def notices_text(components: list[Component]) -> str:
    """Return the text of ``THIRD-PARTY-NOTICES.txt`` for `components` (the first is the app)."""
    project = components[0]
    lines = [
        f"{project.name} {project.version}: licences and third-party notices",
        "",
        f"{project.name} is distributed under the MIT licence ({LICENSES_DIR}/{project.name}/).",
        "This folder also holds the software listed below, each under its own licence; the",
        f"licence texts its authors ship are in {LICENSES_DIR}/<name>/.",
        "",
        "Qt for Python (PySide6, shiboken6) and the Qt 6 libraries it contains are used",
        "unmodified under the GNU Lesser General Public License v3.0",
        f"({LICENSES_DIR}/{QT_DIR}/LGPL-3.0.txt, with the GPL-3.0 it builds on beside it).",
        "They are separate shared libraries in _internal/PySide6/ and _internal/shiboken6/,",
        "which you may replace with your own build of the same version. Source code:",
        "https://download.qt.io/official_releases/QtForPython/ and",
        "https://download.qt.io/official_releases/qt/.",
        "",
        "The executable's bootloader is PyInstaller's, under the GPL-2.0-or-later with an",
        f"exception that allows distributing it with any program ({LICENSES_DIR}/pyinstaller/).",
        "",
        "The bundled model (_internal/resources/models/xray-diffusion.safetensors) was trained",
        "on chest radiographs from the COVID-19 Image Repository of the Institute for",
        "Diagnostic and Interventional Radiology, Hannover Medical School, Hannover, Germany",
        "(ml-workgroup/covid-19-image-repository), licensed under Creative Commons",
        f"Attribution 3.0 Unported (CC BY 3.0), {CC_BY_3_URI};",
        "DOI 10.6084/m9.figshare.12275009. The images are not included. The `LICENSE` that",
        "the data attribution in the model card names is this CC BY 3.0 licence, whose text",
        "is beside the model in _internal/resources/models/xray-train-LICENSE.txt, with the",
        "data set's attribution in xray-train-ATTRIBUTION.md.",
    ]
    for kind in KINDS[1:]:
        listed = [component for component in components if component.kind == kind]
        if listed:
            lines += ["", HEADINGS[kind], "-" * len(HEADINGS[kind])]
            width = max(len(component.name) for component in listed)
            lines += [f"{c.name:<{width}}  {c.version:<22}  {c.licence}" for c in listed]
    return "\n".join(lines) + "\n"


def write_notices(components: list[Component], bundle: Path) -> None:
    """Write ``THIRD-PARTY-NOTICES.txt`` and ``LICENSES/`` into the bundle folder.

    Parameters
    ----------
    components : list of Component
        From :func:`gather_components` (the application first).
    bundle : Path
        The folder holding the executable; a ``LICENSES/`` already there is replaced.
    """
    qt_texts = qt_licence_texts(components)
    licences = bundle / LICENSES_DIR
    shutil.rmtree(licences, ignore_errors=True)
    for component in components:
        for licence in component.licence_files:
            target = licences / component.name / licence.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(licence.source, target)
    (licences / QT_DIR).mkdir(parents=True)
    for name, source in qt_texts.items():
        shutil.copyfile(source, licences / QT_DIR / name)
    (bundle / NOTICES_NAME).write_text(notices_text(components), encoding="utf-8")
