"""Lookup tables of a DICOM header: Modality LUT and VOI LUT Sequence items (PS3.3 C.11)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.uid import UID, ExplicitVRBigEndian


@dataclass(frozen=True, eq=False)
class Lut:
    """A lookup table: input ``first + i`` gives ``table[i]``.

    Parameters
    ----------
    table : ndarray of uint16, shape (n,)
        The entries (LUTData).
    first : int
        The input value of the first entry (second value of LUTDescriptor).
    bits : int
        Bits per entry, 8 to 16: outputs lie in ``[0, 2**bits - 1]``.
    """

    table: np.ndarray
    first: int
    bits: int

    def look_up(self, values: np.ndarray) -> np.ndarray:
        """Return the entries for `values`; inputs beyond either end take that end's entry.

        Parameters
        ----------
        values : ndarray of int
            Input values, any shape.

        Returns
        -------
        ndarray of uint16
            The outputs, same shape (PS3.3 C.11.1.1: out-of-range inputs are clamped).
        """
        index = np.asarray(values, dtype=np.int64) - self.first
        return self.table[np.clip(index, 0, self.table.size - 1)]


def read_lut(item: Dataset, syntax: UID, *, signed: bool = False) -> Lut | None:
    """Return the table of a Modality or VOI LUT Sequence item, or None if it is invalid.

    Parameters
    ----------
    item : Dataset
        The sequence item, with LUTDescriptor and LUTData.
    syntax : UID
        The file's transfer syntax: OW data are 16-bit words in its byte order.
    signed : bool
        Whether the first input value is signed (SS): for a Modality LUT when
        PixelRepresentation is 1, for a VOI LUT when the values it maps (after the
        rescale) may be negative (PS3.3 C.11.1.1.1, C.11.2.1.1). One read as
        unsigned, as Implicit VR and some writers give it, is then reinterpreted as
        16-bit two's complement.

    Returns
    -------
    Lut or None
        None when an attribute is missing, the descriptor is not three values
        with 8 to 16 bits, or the data do not hold as many entries as it says:
        one per 16-bit word, or for 8-bit entries two per word, the first in the
        low byte, as 8-bit pixel data are (PS3.3 C.11.1.1.1 as amended by CP-522).
    """
    if "LUTDescriptor" not in item or "LUTData" not in item:
        return None
    try:
        descriptor = [int(v) for v in item.LUTDescriptor]
    except (TypeError, ValueError):
        return None
    if len(descriptor) != 3 or not 8 <= descriptor[2] <= 16:
        return None
    entries, first, bits = descriptor[0] or 65536, descriptor[1], descriptor[2]
    if signed and first >= 2**15:
        first -= 2**16
    words = _words(item.LUTData, syntax)
    if words.size == entries:
        table = words
    elif bits == 8 and words.size == (entries + 1) // 2:
        table = words.astype("<u2").view(np.uint8)[:entries]  # low byte first
    else:
        return None
    return Lut(table.astype(np.uint16), first, bits)


def _words(data: bytes | int | list[int], syntax: UID) -> np.ndarray:
    """Return LUTData as 16-bit words: OW bytes in the file's byte order, or US values."""
    if isinstance(data, bytes):
        order = ">" if syntax == ExplicitVRBigEndian else "<"
        return np.frombuffer(data, dtype=f"{order}u2", count=len(data) // 2)
    return np.asarray(data if isinstance(data, MultiValue | list) else [data])
