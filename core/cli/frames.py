"""Frames of multi-frame inputs as the subcommands take and name them: numbered from 1.

DICOM numbers frames from 1 (ReferencedFrameNumber), and so do the desktop app's frame
box and reports; so does the command line: ``--frame N``, its messages, its JSON records
and its output names (:func:`core.io.output_names.frame_stem`). Inside, a frame is an
index from 0 (:func:`core.io.read_image`, ``XrayImage.frame``): :func:`frame_index`
converts ``--frame N`` to one, :func:`core.image.frame_label` and ``index + 1`` convert back.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.errors import FrameRangeError, ImageReadError
from core.image import XrayImage, frame_label
from core.io import read_image

NUMBERED_FROM_1 = "frames are numbered from 1, as DICOM numbers them"
"""Why ``--frame 0`` is refused."""


def frame_index(text: str) -> int:
    """Parse ``--frame N``, N numbered from 1 as DICOM numbers frames, into an index from 0.

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    int
        ``N - 1``.

    Raises
    ------
    argparse.ArgumentTypeError
        If `text` is not a whole number, or is below 1.
    """
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a frame number from 1, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{NUMBERED_FROM_1}; got {text!r}")
    return number - 1


def read_numbered(path: Path, index: int) -> XrayImage:
    """Read frame `index` (from 0) of `path`, naming a frame past the last from 1.

    Parameters
    ----------
    path : Path
        The file.
    index : int
        The frame's index, from 0 (:func:`frame_index`).

    Returns
    -------
    XrayImage

    Raises
    ------
    ImageReadError
        If the file cannot be read; past its last frame, the message numbers the
        frames from 1 (``"frame 4 out of range: the file has 3 frames, numbered from 1"``).
    """
    try:
        return read_image(path, frame=index)
    except FrameRangeError as error:
        count = error.n_frames
        frames = "1 frame" if count == 1 else f"{count} frames, numbered from 1"
        raise ImageReadError(
            path, f"frame {index + 1} out of range: the file has {frames}"
        ) from error


def read_frame(
    path: Path, index: int | None, *, done: str, image: XrayImage | None = None
) -> XrayImage:
    """Read frame `index` of `path`: the first when None, warning of the others if any.

    Parameters
    ----------
    path : Path
        The file.
    index : int or None
        The frame asked for (``--frame``, converted by :func:`frame_index`), or None.
    done : str
        What the command does with it, for the warning: ``"compared"``, ``"simulated"``.
    image : XrayImage, optional
        The file's first frame, already read.

    Returns
    -------
    XrayImage

    Raises
    ------
    ImageReadError
        If the file or the frame cannot be read (:func:`read_numbered`).
    """
    if index:
        return read_numbered(path, index)
    image = read_image(path) if image is None else image
    if index is None and image.n_frames > 1:
        print(
            f"xray-denoise: warning: {path} has {image.n_frames} frames; "
            f"{frame_label(0, image.n_frames)} {done} (choose with --frame N, from 1)",
            file=sys.stderr,
        )
    return image
