"""CSV cells that a spreadsheet shows as text, never runs as a formula.

A spreadsheet that opens a CSV runs a cell starting with ``=``, ``+``, ``-`` or ``@``
(or a TAB or CR before one) as a formula, so a file name or a DICOM PatientName such
as ``=HYPERLINK(...)`` would become a live link or a computation. Every CSV this
program writes passes its text cells through :func:`spreadsheet_cell`, which puts a
single quote before such text, as OWASP advises [1]_; numbers are left as they are.

References
----------
.. [1] OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a text cell may not start with unquoted: a spreadsheet reads it as a formula."""
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)", re.IGNORECASE)
"""A number as this program writes one (``-1.5``, ``2e-05``, ``inf``, ``nan``)."""


def spreadsheet_cell(value: Any) -> Any:
    """Return a CSV cell that a spreadsheet shows as written, never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, TAB or CR (:data:`FORMULA_STARTS`)
    gets a single quote before it (``=1+2.dcm`` becomes ``'=1+2.dcm``). Numbers, and
    text that is a number (``"-1.5"``, ``"inf"``, ``"nan"``), are returned unchanged, as
    is anything else.

    Parameters
    ----------
    value : Any
        A cell's value (text, a number or None).

    Returns
    -------
    Any
        `value`, or the quoted text.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
