"""The notice every image file the project writes carries."""

from __future__ import annotations

from core import __version__

DISCLAIMER = "Not for diagnostic use"
"""What every window, report and written image of the project says."""
NOT_FOR_DIAGNOSIS = f"{DISCLAIMER}. Produced by xray-denoise {__version__}"
"""DICOM ImageComments, and the end of a PNG's or TIFF's description."""


def with_notice(description: str) -> str:
    """Return `description` followed by :data:`NOT_FOR_DIAGNOSIS` (once)."""
    if NOT_FOR_DIAGNOSIS in description:
        return description
    return f"{description.rstrip('. ')}. {NOT_FOR_DIAGNOSIS}" if description else NOT_FOR_DIAGNOSIS
