"""Colour to grayscale conversion, with the warning the user must see."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import issue_warning

BT601_LUMA = (0.299, 0.587, 0.114)
"""ITU-R BT.601 luma weights of R, G and B [1]_.

References
----------
.. [1] ITU-R Recommendation BT.601-7, Studio encoding parameters of digital
   television for standard 4:3 and wide-screen 16:9 aspect ratios, 2011.
"""


def luma(rgb: np.ndarray) -> np.ndarray:
    """Return the BT.601 luma ``0.299 R + 0.587 G + 0.114 B`` of an RGB image.

    Parameters
    ----------
    rgb : ndarray, shape (rows, cols, 3)
        Colour samples, any real dtype.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        Luma in the units of the input samples (not rounded).
    """
    weights = np.asarray(BT601_LUMA, dtype=np.float64)
    return (np.asarray(rgb[..., :3], dtype=np.float64) @ weights).astype(np.float32)


def warn_converted(path: Path, what: str) -> None:
    """Warn, naming the file, that its pixels were converted.

    Every :class:`~core.errors.XrayWarning` of the readers is issued here, through
    :func:`core.errors.issue_warning`: a worker thread collects or silences the warnings
    of its own reads with :func:`core.errors.collecting_warnings`, never another's.

    Parameters
    ----------
    path : Path
        The file read.
    what : str
        What was done, e.g. ``"RGB image converted to grayscale (BT.601 luma)"``.
    """
    issue_warning(f"{path}: {what}", stacklevel=3)
