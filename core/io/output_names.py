"""Output names of a batch's inputs: one stem per input, no two alike."""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from core.io.sniff import IMAGE_SUFFIXES


def output_stems(files: Iterable[Path], *, one_folder: bool = False) -> dict[Path, str]:
    """Name each input's output so that no two outputs clash.

    1. A stem is the file name less an image suffix (:data:`core.io.sniff.IMAGE_SUFFIXES`, in any
       case): ``a.dcm`` gives ``a``, but a name without one stays whole, so that
       DICOM files named by UID (``1.2.826.0.1.3680043.8.498.101``) keep their last
       component.
    2. Inputs of one folder whose stems are the same, ignoring case, each keep their
       suffix in the stem: ``a.jpg`` and ``a.png`` give ``a_jpg`` and ``a_png``,
       ``c`` and ``c.dcm`` give ``c`` and ``c_dcm``.
    3. With `one_folder` (every output goes into one folder), inputs that share a stem
       (rule 1) or a name (rule 2), ignoring case, are linked, also through other
       inputs; where linked inputs come from different folders, every one of them,
       suffixed by rule 2 or not, is prefixed with the fewest names of their folders
       that tell them apart: ``s1/IM0001`` and ``s2/IM0001`` give ``s1_IM0001`` and
       ``s2_IM0001``; ``a/x/IM0001`` and ``b/x/IM0001`` give ``a_x_IM0001`` and
       ``b_x_IM0001``; ``d1/x.png``, ``d1/x.dcm`` and ``d2/x.png`` give ``d1_x_png``,
       ``d1_x_dcm`` and ``d2_x``.
    4. Any stem that then still clashes, ignoring case, among all the inputs (with
       `one_folder`) or among those of one folder (``x_dcm.dcm`` beside ``x`` and
       ``x.dcm``; ``A.png`` beside ``a.png``) is kept by one input, the first in path
       order of those whose stems rules 1 and 2 gave, and the others get ``_2``,
       ``_3`` and so on, the first number that gives no clash.

    "Ignoring case" also ignores the Unicode normal form: macOS takes ``Röntgen`` spelled
    with a combining diaeresis and with ``ö`` for one name.

    The rules look at the paths only (made absolute), never at the disk, so a
    batch's outputs are named the same way every time it is run; adding inputs to a
    batch can change the names rule 3 gives.

    Parameters
    ----------
    files : iterable of Path
        The batch's inputs.
    one_folder : bool
        Whether the outputs of inputs from different folders go into one folder.

    Returns
    -------
    dict of Path to str
        Each input's output stem, to which a front end adds its suffixes.
    """
    files = list(dict.fromkeys(files))
    folders = {path: Path(os.path.abspath(path)).parent for path in files}
    split = {path: _stem(path) for path in files}
    shared = Counter((folders[path], _fold(stem)) for path, (stem, _) in split.items())
    plain = {}
    for path, (stem, suffix) in split.items():
        clash = suffix and shared[folders[path], _fold(stem)] > 1
        plain[path] = f"{stem}_{suffix[1:]}" if clash else stem
    if one_folder:
        return _distinct(_with_folders(plain, split, folders), plain)
    by_folder: dict[Path, dict[Path, str]] = {}
    for path, stem in plain.items():
        by_folder.setdefault(folders[path], {})[path] = stem
    distinct = {}
    for stems in by_folder.values():
        distinct.update(_distinct(stems, stems))
    return {path: distinct[path] for path in files}


def frame_stem(stems: dict[Path, str], path: Path, frame: int) -> str:
    """Name frame `frame` of `path` written on its own: ``<stem>_frame001`` for the first.

    The name numbers frames from 1, as DICOM numbers them (and the command line's
    ``--frame``), zero-padded to three digits so that names sort. A name that is
    another input's stem (``a_frame001.tif`` beside a two-frame ``a.tif``), ignoring
    case, gets ``_2``, ``_3``... so that neither output is written over the other.

    Parameters
    ----------
    stems : dict of Path to str
        The batch's stems (:func:`output_stems`).
    path : Path
        The multi-frame input, one of `stems`' keys.
    frame : int
        The frame's index, from 0 (``XrayImage.frame``): index 0 is named ``_frame001``.

    Returns
    -------
    str
        The frame's output stem.
    """
    others = {_fold(stem) for other, stem in stems.items() if other != path}
    name = candidate = f"{stems[path]}_frame{frame + 1:03d}"
    number = 1
    while _fold(candidate) in others:
        number += 1
        candidate = f"{name}_{number}"
    return candidate


def _stem(path: Path) -> tuple[str, str]:
    """Split a name into its stem and its image suffix ("" where it has none)."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return path.name[: -len(path.suffix)], path.suffix
    return path.name, ""


def _with_folders(
    stems: dict[Path, str], split: dict[Path, tuple[str, str]], folders: dict[Path, Path]
) -> dict[Path, str]:
    """Prefix the names of linked inputs of different folders with their folders' names.

    `stems` are the names rules 1 and 2 gave, `split` the stems and suffixes of rule 1.
    """
    named = dict(stems)
    for paths in _linked(stems, split):
        parents = {folders[path] for path in paths}
        if len(parents) < 2:
            continue
        names = {parent: [p for p in parent.parts if p != parent.anchor] for parent in parents}
        depth = next(
            (
                depth
                for depth in range(1, max(map(len, names.values())) + 1)
                if _tell_apart(names.values(), depth)
            ),
            None,
        )
        if depth is None:  # folders named alike but for case: left to the numbering
            continue
        for path in paths:
            prefix = "_".join(names[folders[path]][-depth:])
            named[path] = f"{prefix}_{stems[path]}" if prefix else stems[path]
    return named


def _linked(stems: dict[Path, str], split: dict[Path, tuple[str, str]]) -> list[list[Path]]:
    """Group the inputs that share a stem or a name, ignoring case, also through others."""
    leader: dict[Path, Path] = {path: path for path in stems}

    def find(path: Path) -> Path:
        while leader[path] != path:
            path = leader[path]
        return path

    first: dict[str, Path] = {}
    for path, stem in stems.items():
        for key in {_fold(stem), _fold(split[path][0])}:
            other = first.setdefault(key, path)
            leader[find(path)] = find(other)
    groups: dict[Path, list[Path]] = {}
    for path in stems:
        groups.setdefault(find(path), []).append(path)
    return list(groups.values())


def _tell_apart(names: Iterable[list[str]], depth: int) -> bool:
    """Whether the last `depth` names of each folder, ignoring case, are all different."""
    names = list(names)
    return len({tuple(_fold(n) for n in parts[-depth:]) for parts in names}) == len(names)


def _distinct(stems: dict[Path, str], plain: dict[Path, str]) -> dict[Path, str]:
    """Give all but the first of the stems that still clash ``_2``, ``_3``, and so on."""
    counts = Counter(_fold(stem) for stem in stems.values())
    taken = {_fold(stem) for stem in stems.values() if counts[_fold(stem)] == 1}
    distinct = dict(stems)
    clashing = [path for path, stem in stems.items() if counts[_fold(stem)] > 1]
    # Those whose names rules 1 and 2 gave come first, then by path: the same order every run.
    for path in sorted(clashing, key=lambda p: (stems[p] != plain[p], str(p))):
        stem, number = stems[path], 1
        while _fold(stem) in taken:
            number += 1
            stem = f"{stems[path]}_{number}"
        taken.add(_fold(stem))
        distinct[path] = stem
    return distinct


def _fold(name: str) -> str:
    """Return a name as file systems compare it: NFC-normalised, without case.

    macOS takes a name's decomposed spelling (``o`` and a combining diaeresis, as
    HFS+ stores it) and its composed one (``ö``) for one name, as Windows and macOS
    take names that differ in case alone.
    """
    return unicodedata.normalize("NFC", name).casefold()
