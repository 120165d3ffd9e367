"""Text that any UTF-8 file can hold: file names the operating system could not decode."""

from __future__ import annotations


def text_safe(text: str) -> str:
    r"""Return `text` as valid Unicode, for a CSV, JSON or PDF file.

    A file name that is not valid UTF-8 (a Latin-1 name on Linux, say) comes from
    the operating system with its undecodable bytes as lone surrogates, which no
    UTF-8 file may hold (JSON would carry them as ``\udcfc`` escapes that decode to
    no character). Those bytes are written as ``\xNN`` instead (``M\xfcller.dcm``),
    any other lone surrogate as ``\uNNNN``. Valid text is returned unchanged.

    Parameters
    ----------
    text : str
        A file name, path or message that may hold one.

    Returns
    -------
    str
    """
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the name's bytes, as on disk
    except UnicodeEncodeError:  # a surrogate no byte decodes to (a broken Windows name)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")
