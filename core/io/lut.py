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
        Whether the first input value is signed (PixelRepresentation 1, for a
        Modality LUT); one read as unsigned is then reinterpreted as 16-bit two's
        complement.

    Returns
    -------
    Lut or None
        None when an attribute is missing, the descriptor is not three values
        with 8 to 16 bits, or the data do not hold as many entries as it says.
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
    data = item.LUTData
    if isinstance(data, bytes):  # OW: 16-bit words in the file's byte order
        order = ">" if syntax == ExplicitVRBigEndian else "<"
        table = np.frombuffer(data, dtype=f"{order}u2", count=len(data) // 2)
    else:
        table = np.asarray(data if isinstance(data, MultiValue | list) else [data])
    if table.size != entries:
        return None
    return Lut(table.astype(np.uint16), first, bits)
