"""Flatten one frame's functional groups of an enhanced multi-frame header to the top level."""

from __future__ import annotations

import copy
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from core.errors import ImageReadError

FRAME_MACROS = {
    "PixelMeasuresSequence": ("PixelSpacing",),
    "PixelValueTransformationSequence": ("RescaleSlope", "RescaleIntercept", "RescaleType"),
    "FrameVOILUTSequence": (
        "WindowCenter",
        "WindowWidth",
        "WindowCenterWidthExplanation",
        "VOILUTFunction",
        "VOILUTSequence",
    ),
}
"""Functional group macros read per frame, each with the attributes it gives the frame."""


def flatten_functional_groups(ds: Dataset, frame: int) -> None:
    """Give the top level of `ds` the attributes of :data:`FRAME_MACROS` for frame `frame`.

    For each macro, the item of PerFrameFunctionalGroupsSequence[`frame`] wins over
    that of SharedFunctionalGroupsSequence (PS3.3 C.7.6.16); where either has the
    macro, its attributes replace the top level's (those it lacks are removed), else
    the top level's stay. The functional groups themselves are left in place.

    Parameters
    ----------
    ds : Dataset
        A header read from a file; changed in place (the file is not).
    frame : int
        Zero-based index of a frame of `ds`.
    """
    groups = (
        _item(ds, "PerFrameFunctionalGroupsSequence", frame),
        _item(ds, "SharedFunctionalGroupsSequence", 0),
    )
    for macro, keywords in FRAME_MACROS.items():
        items = (_item(group, macro, 0) for group in groups)
        item = next((item for item in items if item is not None), None)
        if item is None:
            continue
        for keyword in keywords:
            if keyword in ds:
                delattr(ds, keyword)
            if keyword in item:
                ds[keyword] = copy.deepcopy(item[keyword])


def check_per_frame_groups(path: Path, ds: Dataset, n_frames: int) -> None:
    """Refuse a PerFrameFunctionalGroupsSequence whose items are not one a frame.

    PS3.3 C.7.6.16 has one item for each frame; a count that differs from NumberOfFrames
    (a million empty items in a small file) is a damaged or hostile header.

    Parameters
    ----------
    path : Path
        The file, for the error message.
    ds : Dataset
        Its header.
    n_frames : int
        Its NumberOfFrames.

    Raises
    ------
    ImageReadError
        If the sequence is present and holds other than `n_frames` items.
    """
    sequence = ds.get("PerFrameFunctionalGroupsSequence")
    if isinstance(sequence, Sequence) and len(sequence) != n_frames:
        raise ImageReadError(
            path,
            f"the PerFrameFunctionalGroupsSequence holds {len(sequence)} items for "
            f"{n_frames} frame{'' if n_frames == 1 else 's'}",
        )


def _item(ds: Dataset | None, keyword: str, index: int) -> Dataset | None:
    """Return item `index` of sequence `keyword` of `ds`, or None if there is none."""
    sequence = None if ds is None else ds.get(keyword)
    if not isinstance(sequence, Sequence) or index >= len(sequence):
        return None
    return sequence[index]
