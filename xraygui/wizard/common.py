"""Small helpers shared by the wizard's pages."""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget, QWizardPage

from core.training.data import NO_TERMS
from xraygui.compact import VerticalScroll

TERMS_FILES = "LICENSE (or LICENSE.txt) and ATTRIBUTION.md"
"""The files to add to a data folder for the model card to say the data's terms."""
QUOTED = 80
"""The most characters of a licence's or attribution's first line quoted."""


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """Count things in words: ``"1 image"``, ``"2 images"``, ``"2 patients/studies"``.

    Parameters
    ----------
    number : int
        How many.
    singular : str
        The thing's name, for one.
    plural : str, optional
        Its name for any other number; `singular` with an ``s`` if not given.

    Returns
    -------
    str
    """
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def terms_sentence(terms: dict, *, recorded: bool) -> str:
    """Say (rich text) which licence and attribution the model card records, or that none.

    Parameters
    ----------
    terms : dict
        The card's ``data`` fields (:func:`core.training.data.describe_source`): its
        ``license``, ``attribution``, ``sources`` or ``no_terms``.
    recorded : bool
        Whether the card is written (the Result page) or will be (the Data page).

    Returns
    -------
    str
    """
    card = "The model card records" if recorded else "The model card will record"
    said = [
        f"{label} \u201c{html.escape(_first_line(terms[key]))}\u201d"
        for key, label in (("license", "licence"), ("attribution", "attribution"))
        if terms.get(key)
    ]
    sources = terms.get("sources") or {}
    if sources:
        said.append(f"the texts of {counted(len(sources), 'folder')} under it")
    if not said:
        return (
            f"<b>No licence or attribution file found:</b> {NO_TERMS}. Add {TERMS_FILES} "
            "to the data folder" + (" and train again." if recorded else ".")
        )
    return f"{card} the data's " + "; ".join(said) + "."


def _first_line(text: str) -> str:
    """Return the first non-empty line of `text`, cut to :data:`QUOTED` characters."""
    line = next((line.strip() for line in str(text).splitlines() if line.strip()), "")
    return line if len(line) <= QUOTED else line[: QUOTED - 1] + "\u2026"


def grey_pixmap(grey: np.ndarray) -> QPixmap:
    """Return a pixmap of a 2-D uint8 image (0 black)."""
    grey = np.ascontiguousarray(grey, dtype=np.uint8)
    rows, cols = grey.shape
    image = QImage(grey.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy())


def scrolling_body(page: QWizardPage) -> QWidget:
    """Return the widget a page lays its fields out on, in a scroll area filling the page.

    On a small or scaled screen (853 x 480 logical pixels at 1280 x 720 and 150 %) or
    with a large font, the page scrolls up and down rather than squeezing its fields
    and cutting its text; it is never cut at the side (:class:`VerticalScroll`).

    Parameters
    ----------
    page : QWizardPage
        A page with no layout yet.

    Returns
    -------
    QWidget
        The page's body: give it the page's layout.
    """
    body = QWidget()
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(VerticalScroll(body))
    return body


def confirmed(
    parent: QWidget,
    text: str,
    action: str,
    *,
    title: str = "Train on Folder",
    keep: str | None = None,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
) -> bool:
    """Ask before an action that cannot be undone; True if the user chose it.

    The safe answer is the default and Esc's, so that Enter never deletes or stops.

    Parameters
    ----------
    parent : QWidget
        The page asking.
    text : str
        What the action does and loses.
    action : str
        Its button's text (``"Discard"``, ``"Delete"``, ``"Stop now"``).
    title : str
        The box's title.
    keep : str, optional
        The safe button's text; ``"Cancel"`` where None.
    icon : QMessageBox.Icon
        Question, or Warning where work is lost.

    Returns
    -------
    bool
    """
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel
    box = QMessageBox(icon, title, text, yes | no, parent)
    box.button(yes).setText(action)
    if keep is not None:
        box.button(no).setText(keep)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    return box.exec() == yes
