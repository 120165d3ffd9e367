"""What the main window computes and says of its session, without Qt.

The residual's grey levels, the warning under a result, the note on a reference that is
the image itself, the size of a generated demo, and the states the window keeps: the
result a Denoise run sets aside, and what an export writes (taken when the user asks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.denoise import DenoiseResult
from core.denoise.low_quanta import QUANTA_NOT_CHECKED
from core.display import to_display
from core.image import Window, XrayImage
from core.io.paths import resolved
from core.io.safe_text import text_safe
from core.noise import LowDoseSettings

if TYPE_CHECKING:
    from xraygui.timeline import Trajectory


def uncertainty_description(result: DenoiseResult) -> str:
    """Describe a result's uncertainty map, for its file: what its values are, then the run.

    Parameters
    ----------
    result : DenoiseResult
        A finished denoise with an uncertainty map.

    Returns
    -------
    str
        For example ``"uncertainty map: per-pixel standard deviation, in pixel values,
        of 4 DDPM samples of 10 steps with beta step noise (seeds derived from seed 0);
        of the result: denoised by diffusion model ..."``
        (:meth:`~core.denoise.DenoiseSettings.describe_uncertainty`), ending in the
        result's own description (:meth:`~core.denoise.DenoiseResult.description`).
    """
    return (
        "uncertainty map: per-pixel standard deviation, in pixel values, of "
        f"{result.settings.describe_uncertainty()}; of the result: {result.description()}"
    )


def residual_grey(image: XrayImage, denoised: XrayImage, spread: float | None = None) -> np.ndarray:
    """Return grey levels of ``image - denoised``: 0 mid-grey, the 99.5th percentile white.

    Parameters
    ----------
    image, denoised : XrayImage
        The noisy image and its denoised result, same shape.
    spread : float, optional
        The residual shown white, :func:`residual_spread` (made here if not given).

    Returns
    -------
    ndarray of float32
        In ``[0, 1]``.
    """
    if spread is None:
        spread = residual_spread(image, denoised)
    residual = image.pixels - denoised.pixels
    return to_display(
        image.with_pixels(residual, photometric="MONOCHROME2", voi_lut=None),
        # LINEAR_EXACT: 0 mid-grey, -spread black, +spread white, for every source (LINEAR's
        # c - 0.5 and w - 1 shift it by half a step, and show a spread under 0.5 all white).
        Window(0.0, 2 * spread, function="LINEAR_EXACT"),
    )


def residual_spread(image: XrayImage, denoised: XrayImage) -> float:
    """Return the residual shown white: the 99.5th percentile of ``|image - denoised|``.

    Minus it is shown black, in the Residual pane as in the report's thumbnail.

    Parameters
    ----------
    image, denoised : XrayImage
        The noisy image and its denoised result, same shape.

    Returns
    -------
    float
        In pixel values; 1 where the two are equal.
    """
    return float(np.percentile(np.abs(image.pixels - denoised.pixels), 99.5)) or 1.0


def result_warning(result: DenoiseResult) -> str:
    """Return what the panel warns of under a result's status line ("" for nothing).

    Parameters
    ----------
    result : DenoiseResult
        A finished denoise.

    Returns
    -------
    str
        A line ``"Warning: "`` and the warning for each of its
        :attr:`~DenoiseResult.warnings` (a lossy-compressed input's), then one of its
        :attr:`~DenoiseResult.low_quanta` warning; or, where the quanta could not be
        read (:attr:`~DenoiseResult.quanta_checked`), that the few-quanta check was not
        made, in the report's words; ``""`` for none of these.
    """
    lines = [f"Warning: {warning}." for warning in result.warnings]
    if result.low_quanta is not None:
        lines.append(f"Warning: {result.low_quanta.describe()}.")
    elif not result.quanta_checked:
        lines.append(f"Few-quanta check: {QUANTA_NOT_CHECKED}.")
    return "\n".join(lines)


def self_reference(reference: XrayImage, image: XrayImage) -> str | None:
    """Say that a reference is the image being denoised, or holds its very pixels.

    Its metrics then compare the image with itself (MSE 0, PSNR inf, SSIM 1).

    Parameters
    ----------
    reference : XrayImage
        The reference chosen.
    image : XrayImage
        The image being denoised, of the same shape.

    Returns
    -------
    str or None
        One line, or None where the two differ.
    """
    if not np.array_equal(reference.pixels, image.pixels):
        return None
    paths = (reference.source_path, image.source_path)
    if None not in paths and resolved(paths[0]) == resolved(paths[1]):
        what = f"the reference is the image being denoised ({image_name(image)}"
        what += f", frame {image.frame + 1})" if image.n_frames > 1 else ")"
    else:
        what = (
            f"the reference ({image_name(reference)}) holds the very pixels of the image "
            f"being denoised ({image_name(image)})"
        )
    return f"{what}: the metrics compare it with itself"


def image_name(image: XrayImage) -> str:
    """Return the name of an image's file, or ``"the image"`` for one not from a file."""
    return "the image" if image.source_path is None else text_safe(image.source_path.name)


DEMO_SIDE = 256
"""The longer side of a generated demo image at most, in pixels."""


def demo_shape(shape: tuple[int, int], multiple: int) -> tuple[int, int]:
    """Return the size of a demo image for an image of `shape`: its aspect, at most DEMO_SIDE.

    The network pads each side by reflection up to a multiple of its size multiple,
    which needs the side to exceed the padding: every side is therefore at least
    `multiple`, and an aspect beyond ``DEMO_SIDE / multiple`` (16:1 for the shipped
    model) is capped there.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)`` of the image shown, each >= 1.
    multiple : int
        The model's size multiple (:func:`core.denoise.tiling.size_multiple`).

    Returns
    -------
    tuple of int
        ``(rows, cols)`` of the demo image.
    """
    longest = max(DEMO_SIDE, multiple)
    scale = min(1.0, longest / max(shape))
    return max(multiple, round(shape[0] * scale)), max(multiple, round(shape[1] * scale))


@dataclass(frozen=True)
class SetAside:
    """The result a Denoise run will replace, shown again if the run does not return.

    Parameters
    ----------
    result : DenoiseResult or None
        The previous result (None: there was none).
    trajectory : Trajectory or None
        Its steps.
    noise_after : float or None
        Its estimated noise.
    status : str
        The status line that described it.
    """

    result: DenoiseResult | None
    trajectory: Trajectory | None
    noise_after: float | None
    status: str


@dataclass(frozen=True)
class Shown:
    """What the window shows, taken when the user asks to export it: written as it was then.

    A simulation or a file opened once a cancelled job has stopped may replace the
    window's image while the save dialog is open; the export still writes what was asked
    for.

    Parameters
    ----------
    source : XrayImage
        The image as opened.
    image : XrayImage
        The image denoised: `source`, or a simulation of a lower dose of it.
    dose : LowDoseSettings or None
        The simulation's settings, if `image` is one.
    result : DenoiseResult or None
        The denoised result of `image`, if any.
    """

    source: XrayImage
    image: XrayImage
    dose: LowDoseSettings | None
    result: DenoiseResult | None
