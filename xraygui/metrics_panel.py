"""MSE/PSNR/SSIM against the reference, the input's noise and the pixel-scale noise left."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.denoise.events import NOISE_LEFT_NOTE
from core.metrics import format_mse, format_psnr, format_ssim
from xraygui.analysis import Comparison, noise_floor_text

HEADERS = ("vs reference", "Where", "MSE (px val²)", "PSNR dB", "SSIM")
NUMBERS = 2
"""The first column of numbers: those from it on are right-aligned in their cells."""
MIN_ROWS_SHOWN = 2
"""Rows the table shows at least: a short dock scrolls (the main window wraps the panel)."""
SHORT = {"noisy vs reference": "Noisy", "denoised vs reference": "Denoised (final)"}
RESULT_ELSEWHERE = "Metrics are of the final result, not the step shown in the After pane."
"""Said while the After pane shows a step, the forward process or a generated image."""


def format_noise(sigma: float | None) -> str:
    """Format a noise estimate for display ("-" when unknown)."""
    return "-" if sigma is None else f"{sigma:.4g}"


def describe_range(row: Comparison) -> str:
    """Say a comparison's data range and where it comes from.

    Parameters
    ----------
    row : Comparison
        A comparison of :func:`xraygui.analysis.comparisons`.

    Returns
    -------
    str
        For example ``"4095 (the reference's 12-bit stored range)"``.
    """
    source = "" if row.data_range_source is None else f" ({row.data_range_source})"
    return f"{row.metrics.data_range:g}{source}"


def table_height(table: QTableWidget, rows: int) -> int:
    """Return the height that shows `table`'s header and `rows` rows whole.

    Parameters
    ----------
    table : QTableWidget
        A table with a horizontal header; its rows have the default height.
    rows : int
        Rows to show.

    Returns
    -------
    int
        Header, rows, frame and the horizontal scroll bar, which a narrow dock shows
        beneath the rows.
    """
    return (
        table.horizontalHeader().sizeHint().height()
        + rows * table.verticalHeader().defaultSectionSize()
        + table.horizontalScrollBar().sizeHint().height()
        + 2 * table.frameWidth()
    )


class MetricsPanel(QWidget):
    """Shows the comparisons of :func:`xraygui.analysis.comparisons` and the noise estimates."""

    def __init__(self) -> None:
        super().__init__()
        self.noise_label = QLabel()
        self.noise_label.setWordWrap(True)
        self.noise_label.setToolTip(
            "The input's noise, estimated from the input alone, and the same white-noise "
            "estimator run on the denoised image. That second figure sees only noise from "
            "pixel to pixel, not the smooth, correlated error a denoiser leaves, so it is "
            "not the remaining error, and the input's noise over it is no noise reduction "
            "factor: with a reference, the metrics below measure the error."
        )
        self.hint = QLabel(
            "No reference: use Image > Simulate Low Dose..., or Image > Choose Reference Image..."
        )
        self.hint.setWordWrap(True)
        self.elsewhere_label = QLabel(RESULT_ELSEWHERE)
        self.elsewhere_label.setWordWrap(True)
        self.elsewhere_label.hide()
        self.floor_label = QLabel()
        self.floor_label.setWordWrap(True)
        self.floor_label.setToolTip(
            "A reference with noise of its own limits what PSNR against it can show: even "
            "the noise-free image differs from it by that noise. A result that scores about "
            "this much is as close to the reference as the noise-free image; PSNR cannot tell "
            "how much closer to the truth it is."
        )
        self.range_label = QLabel()
        self.range_label.setWordWrap(True)
        self.range_label.setToolTip(
            "PSNR and SSIM are relative to this span of values: a reference's stored range "
            "(its bits), or for floating-point data outside [0, 1] its maximum minus minimum"
        )
        self.ssim_label = QLabel()
        self.ssim_label.setWordWrap(True)
        for label in (
            self.noise_label,
            self.hint,
            self.elsewhere_label,
            self.floor_label,
            self.range_label,
            self.ssim_label,
        ):
            # A wrapped label's width hint follows its text: ignored, so that the dock keeps
            # its width when the metrics arrive and the images beside it do not jump.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pending_label = QLabel("Computing the metrics...")
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeaderItem(HEADERS.index("MSE (px val²)")).setToolTip(
            "Mean squared error, in pixel values squared"
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName("Metrics against the reference")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setMinimumHeight(table_height(self.table, MIN_ROWS_SHOWN))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.noise_label)
        layout.addWidget(self.floor_label)
        layout.addWidget(self.hint)
        layout.addWidget(self.elsewhere_label)
        layout.addWidget(self.pending_label)
        layout.addWidget(self.table)
        layout.addWidget(self.range_label)
        layout.addWidget(self.ssim_label)
        self.set_inputs(None, None, has_reference=False)
        self.set_pending(False)
        self.set_rows([])

    def set_inputs(
        self,
        noise_before: float | None,
        noise_after: float | None,
        *,
        has_reference: bool,
        estimating: bool = False,
    ) -> None:
        """Show what is known before any comparison is computed.

        Parameters
        ----------
        noise_before : float or None
            Estimated noise std of the noisy image (pixel units).
        noise_after : float or None
            Pixel-scale noise left in the denoised image (pixel units): the white-noise
            estimate run on it (:attr:`core.denoise.DenoiseResult.noise_after`).
        has_reference : bool
            Whether a reference image exists (otherwise a hint says how to get one).
        estimating : bool
            Whether `noise_before` is still being estimated.
        """
        before = "estimating..." if estimating else format_noise(noise_before)
        note = "" if noise_after is None else f" ({NOISE_LEFT_NOTE})"
        self.noise_label.setText(
            f"Input noise (std, pixel values): {before}\n"
            f"Pixel-scale noise left (std, pixel values): {format_noise(noise_after)}{note}"
        )
        self.hint.setVisible(not has_reference)

    def set_result_elsewhere(self, elsewhere: bool) -> None:
        """Say whether the After pane shows something other than the result measured here."""
        self.elsewhere_label.setVisible(elsewhere)

    def set_pending(self, pending: bool) -> None:
        """Say that new numbers are being computed: the old ones grey out until they come."""
        self.pending_label.setVisible(pending)
        self.table.setEnabled(not pending)
        self.floor_label.setEnabled(not pending)
        self.range_label.setEnabled(not pending)
        self.ssim_label.setEnabled(not pending)

    def set_rows(self, rows: list[Comparison], reference_noise: float | None = None) -> None:
        """Show new comparisons.

        Parameters
        ----------
        rows : list of Comparison
            One table row each.
        reference_noise : float, optional
            The reference's global noise estimate (std); named beside the rms noise that
            gives the rows' noise-free PSNR.
        """
        floors = {row.scope == "image": row.noise_free_psnr for row in rows}
        whole, roi = floors.get(True), floors.get(False)
        problem = next((row.noise_free_psnr_problem for row in rows), None)
        self.floor_label.setVisible(whole is not None or problem is not None)
        if whole is None and problem is not None:
            self.floor_label.setText(
                f"The noise-free image's PSNR against the reference is unknown: {problem}."
            )
        elif whole is not None:
            in_roi = "" if roi is None else f" (ROI {format_psnr(roi)} dB)"
            rms = next(row.noise_free_rms for row in rows if row.scope == "image")
            self.floor_label.setText(
                noise_floor_text(whole, rms, reference_noise, elsewhere=in_roi)
            )
        self.range_label.setVisible(bool(rows))
        if rows:
            warning = rows[0].data_range_warning
            self.range_label.setText(
                f"PSNR and SSIM on a data range of {describe_range(rows[0])}."
                + ("" if warning is None else f" Warning about the reference: {warning}.")
            )
        ssim_problems = dict.fromkeys(
            r.metrics.ssim_problem for r in rows if r.metrics.ssim_problem
        )
        self.ssim_label.setVisible(bool(ssim_problems))
        self.ssim_label.setText(" ".join(f"SSIM unknown: {p}." for p in ssim_problems))
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            m = row.metrics
            where = ("Image" if row.scope == "image" else "ROI") + (
                ", padding out" if m.excluded else ""
            )
            ssim = format_ssim(m.ssim) if m.ssim_problem is None else "-"
            label = SHORT.get(row.label, row.label)
            cells = (label, where, format_mse(m.mse), format_psnr(m.psnr), ssim)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j >= NUMBERS:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                item.setToolTip(
                    f"{row.label}, {row.scope} (row,col,height,width), data range "
                    f"{describe_range(row)}"
                    + ("" if m.ssim_problem is None else f"; {m.ssim_problem}")
                    + (f"; {m.excluded} padding pixels left out" if m.excluded else "")
                )
                self.table.setItem(i, j, item)
