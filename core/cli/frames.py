"""One frame of a multi-frame input, as the subcommands take it: frame 0 unless asked."""

from __future__ import annotations

import sys
from pathlib import Path

from core.image import XrayImage
from core.io import read_image


def read_frame(
    path: Path, frame: int | None, *, done: str, image: XrayImage | None = None
) -> XrayImage:
    """Read `frame` of `path` (frame 0 when None, warning of the others if there are any).

    Parameters
    ----------
    path : Path
        The file.
    frame : int or None
        The frame asked for (``--frame``), or None.
    done : str
        What the command does with it, for the warning: ``"compared"``, ``"simulated"``.
    image : XrayImage, optional
        Frame 0 of the file, already read.

    Returns
    -------
    XrayImage
    """
    if frame:
        return read_image(path, frame=frame)
    image = read_image(path) if image is None else image
    if frame is None and image.n_frames > 1:
        print(
            f"xray-denoise: warning: {path} has {image.n_frames} frames; frame 0 {done} "
            "(choose with --frame N)",
            file=sys.stderr,
        )
    return image
