"""A synthetic PA chest radiograph: Beer-Lambert line integrals through simple anatomy.

Everything is built in normalised coordinates (``x`` left to right and ``y`` top
to bottom, both in [-1, 1]), so any shape gives the same anatomy, stretched with
the aspect ratio. The image is seen as a PA chest is read: the patient's right
on the image's left, the heart towards the image's right.

Line integrals are sums of ``mu * chord`` over simple solids: the projection of
an ellipsoid gives a chord ``2 c sqrt(1 - r^2)``, the projection of a bone tube a
bright cortical rim around a fainter marrow. Attenuation coefficients are those
of water-like soft tissue (0.2 / cm), lung (about a quarter of that) and bone
near 60 keV effective energy [1]_, so the lungs sit at line integrals of 1.1 to
2.4 (median 1.6, ribs and vessels included), the heart at 4.1 to 4.4 (more where
the spine crosses it) and the spine below the heart at up to 5.0, the image's
maximum (measured at 512 and 1024 px, seeds 0 to 2), as in clinical chest
radiographs (transmission one to two per cent behind the heart).

References
----------
.. [1] J. T. Bushberg, J. A. Seibert, E. M. Leidholdt, J. M. Boone, "The
   Essential Physics of Medical Imaging", 3rd ed., Lippincott Williams &
   Wilkins, 2012, ch. 3 (attenuation) and ch. 7 (projection radiography).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from scipy import ndimage

from core.noise.dose import (
    DEFAULT_ELECTRONIC_NOISE,
    DEFAULT_MAX_ATTENUATION,
    DEFAULT_PHOTONS_PER_PIXEL,
    PHOTOMETRICS,
    DetectorModel,
    simulate_low_dose,
)

__all__ = ["chest_phantom", "phantom_image"]

SOFT_TISSUE = 4.3
"""Line integral through the centre of the torso (about 21 cm of water)."""

LUNG_AIR = 2.4
"""Line integral removed where the lungs are thickest (air in place of tissue)."""

CM_PER_UNIT = 21.5
"""Centimetres per normalised unit (a 43 cm detector spans two units)."""

SOFT_TISSUE_MU = 0.2
"""Linear attenuation of soft tissue, per cm."""


class _Canvas:
    """Normalised coordinates of an image grid and sums of elements over boxes of it."""

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.ys = np.linspace(-1.0, 1.0, shape[0])
        self.xs = np.linspace(-1.0, 1.0, shape[1])
        self.pixels_per_unit = (min(shape) - 1) / 2.0
        self.total = np.zeros(shape)

    def add(
        self,
        box: tuple[float, float, float, float],
        element: Callable[[np.ndarray, np.ndarray], np.ndarray],
    ) -> None:
        """Add ``element(x, y)``, evaluated only inside ``box = (x0, x1, y0, y1)``."""
        x0, x1, y0, y1 = box
        cols = slice(*np.searchsorted(self.xs, [x0, x1]))
        rows = slice(*np.searchsorted(self.ys, [y0, y1]))
        y, x = np.meshgrid(self.ys[rows], self.xs[cols], indexing="ij")
        if x.size:
            self.total[rows, cols] += element(x, y)


def _check_shape(shape: tuple[int, int]) -> tuple[int, int]:
    if len(shape) != 2 or any(int(n) != n for n in shape):
        raise ValueError(f"shape must be two integers (rows, cols), got {shape}")
    rows, cols = int(shape[0]), int(shape[1])
    if min(rows, cols) < 16:
        raise ValueError(f"the phantom must be at least 16 x 16 pixels, got {cols} x {rows}")
    return rows, cols


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _chord(r2: np.ndarray) -> np.ndarray:
    """Normalised chord length of a unit ellipsoid at squared radius ``r2``."""
    return np.sqrt(np.clip(1.0 - r2, 0.0, None))


def _ellipse_r2(
    x: np.ndarray, y: np.ndarray, cx: float, cy: float, ax: float, ay: float, angle: float = 0.0
) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    u = (x - cx) * c + (y - cy) * s
    v = -(x - cx) * s + (y - cy) * c
    return (u / ax) ** 2 + (v / ay) ** 2


def _tube(t: np.ndarray, radius: float, cortex: float, marrow: float) -> np.ndarray:
    """Projected line integral of a bone tube at distance ``t`` from its axis.

    A cylinder of ``radius`` (normalised units) with a cortical shell of
    relative thickness 0.3; ``cortex`` and ``marrow`` are attenuation
    coefficients per normalised unit of path.
    """
    inner = 0.7 * radius
    outer_chord = 2.0 * np.sqrt(np.clip(radius**2 - t**2, 0.0, None))
    inner_chord = 2.0 * np.sqrt(np.clip(inner**2 - t**2, 0.0, None))
    return cortex * (outer_chord - inner_chord) + marrow * inner_chord


def _curved_bone(
    canvas: _Canvas,
    curve: Callable[[np.ndarray], np.ndarray],
    x_range: tuple[float, float],
    radius: float,
    strength: float,
) -> None:
    """Add a bone tube along ``y = curve(|x|)`` on both sides, tapered at its ends."""
    low, high = x_range
    samples = curve(np.linspace(low, high, 64))
    y0, y1 = samples.min() - 2 * radius, samples.max() + 2 * radius
    dx = 1e-4

    def bone(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        u = np.clip(np.abs(x), low, high)
        slope = (curve(u + dx) - curve(u - dx)) / (2 * dx)
        distance = np.abs(y - curve(u)) / np.sqrt(1.0 + slope**2)
        along = (np.abs(x) - low) / (high - low)
        taper = _smoothstep(along / 0.05) * _smoothstep((1.0 - along) / 0.05)
        # Bone: cortex about 0.33 / cm and marrow 0.16 / cm, in normalised units.
        return strength * taper * _tube(distance, radius, 7.0, 3.5)

    canvas.add((-high - radius, -low + radius, y0, y1), bone)
    canvas.add((low - radius, high + radius, y0, y1), bone)


def _body(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    torso = _chord((np.abs(x) / 0.86) ** 2.6 + (np.abs(y - 0.3) / 1.35) ** 2.6)
    shoulders = 0.7 * _chord(_ellipse_r2(np.abs(x), y, 0.95, -0.6, 0.6, 0.22, -0.2))
    neck = 0.65 * _chord(_ellipse_r2(x, y, 0.0, -1.05, 0.22, 0.55))
    return SOFT_TISSUE * np.maximum(np.maximum(torso, shoulders), neck)


def _cardiac_r2(x: np.ndarray, y: np.ndarray, scale: float) -> np.ndarray:
    """Squared radius of the heart (and aortic knob): <= 1 inside."""
    heart = _ellipse_r2(x, y, 0.1, 0.3, 0.34 * scale, 0.27 * scale, -0.35)
    knob = _ellipse_r2(x, y, 0.08, -0.28, 0.12, 0.08)
    return np.minimum(heart, knob)


def _lungs(x: np.ndarray, y: np.ndarray, cardiac_r2: np.ndarray) -> np.ndarray:
    """Normalised lung thickness (0 outside, 1 where thickest)."""
    right = x < 0  # the patient's right lung, on the image's left
    u = np.abs(x)
    cx = np.where(right, 0.45, 0.46)
    ax = np.where(right, 0.35, 0.33)
    r = (np.abs(u - cx) / ax) ** 2.4 + (np.abs(y - 0.02) / 0.74) ** 2.4
    lung = np.sqrt(np.clip(1.0 - r, 0.0, None))
    apex = _smoothstep((y + 0.74 + 0.3 * ((u - cx) / ax) ** 2) / 0.15)
    # Diaphragm domes, the right one higher; sharp costophrenic angles laterally.
    dome = np.where(right, 0.34, 0.4) + 0.6 * ((u - 0.4) / 0.45) ** 2
    diaphragm = _smoothstep((dome - y) / 0.04)
    cardiac = _smoothstep((cardiac_r2 - 0.9) / 0.25)
    mediastinum = _smoothstep((u - 0.1) / 0.05)
    return lung * apex * diaphragm * cardiac * mediastinum


def _trachea(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Air of the trachea, a column about 2 cm across down to the carina."""
    return 0.35 * _chord((x / 0.045) ** 2) * _smoothstep((-0.08 - y) / 0.1)


def _vertebra(x: np.ndarray, y: np.ndarray, *, level: float, size: float) -> np.ndarray:
    half_h, half_w = 0.048 * size, 0.07 * size
    rows = np.abs(y - level) / half_h
    body = _chord((x / half_w) ** 2) * _smoothstep((1.0 - rows) / 0.35)
    endplates = _smoothstep(1.0 - np.abs(rows - 0.9) / 0.12) * (np.abs(x) < half_w)
    pedicles = _tube(
        np.hypot(np.abs(x) - 0.75 * half_w, (y - level + 0.3 * half_h) / 1.3), 0.02 * size, 9.0, 2.0
    )
    return 0.2 * body + 0.06 * endplates + 0.4 * pedicles


def _spine_column(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    width = 0.075 + 0.02 * (y + 1.0) / 2.0
    return 0.45 * _chord((x / width) ** 2)


def _spine(canvas: _Canvas) -> None:
    """Vertebral column: a continuous posterior column, bodies with endplates, pedicles."""
    canvas.add((-0.12, 0.12, -1.0, 1.0), _spine_column)
    for k, level in enumerate(np.arange(-0.98, 1.05, 0.13)):
        vertebra = partial(_vertebra, level=float(level), size=0.9 + 0.02 * k)
        canvas.add((-0.12, 0.12, level - 0.08, level + 0.08), vertebra)


RIB_MEDIAL = 0.08
"""Where the posterior ribs leave the spine (normalised |x|)."""


def _posterior_rib(u: np.ndarray, *, y0: float, lateral: float) -> np.ndarray:
    t = np.clip((u - RIB_MEDIAL) / (lateral - RIB_MEDIAL), 0.0, None)
    return y0 - 0.1 * t + 0.38 * t**2.2


def _anterior_rib(u: np.ndarray, *, y_end: float, lateral: float, front: float) -> np.ndarray:
    t = (lateral - u) / (lateral - front)
    return y_end - 0.02 + 0.3 * t - 0.06 * t**2


def _ribs(canvas: _Canvas, rng: np.random.Generator) -> None:
    """Ten posterior ribs per side, and the anterior ribs above the diaphragm."""
    for k in range(10):
        y0 = -0.75 + 0.115 * k + 0.008 * rng.standard_normal()
        lateral = 0.5 + 0.32 * np.sqrt(min(k, 5) / 5.0)
        posterior = partial(_posterior_rib, y0=y0, lateral=lateral)
        _curved_bone(canvas, posterior, (RIB_MEDIAL, lateral), 0.021 + 0.0012 * k, 1.0)
        y_end = float(posterior(np.array(lateral)))
        if y_end < 0.35:
            front = 0.28 + 0.015 * k
            anterior = partial(_anterior_rib, y_end=y_end, lateral=lateral, front=front)
            _curved_bone(canvas, anterior, (front, lateral - 0.01), 0.02, 0.5)


def _clavicles(canvas: _Canvas) -> None:
    def clavicle(u: np.ndarray) -> np.ndarray:
        t = (u - 0.1) / 0.58
        return -0.7 - 0.08 * t + 0.035 * np.sin(2 * np.pi * t)

    _curved_bone(canvas, clavicle, (0.1, 0.7), 0.032, 1.2)


def _humeral_heads(canvas: _Canvas) -> None:
    def head(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return _tube(np.hypot(np.abs(x) - 0.95, y + 0.55), 0.13, 4.0, 2.5)

    canvas.add((-1.0, -0.78, -0.7, -0.4), head)
    canvas.add((0.78, 1.0, -0.7, -0.4), head)


def _vessels(canvas: _Canvas, rng: np.random.Generator) -> np.ndarray:
    """Branching pulmonary vessel trees from both hila, rendered as blurred tubes.

    Each segment is a line of samples half a pixel apart; a Gaussian blur of
    width ``radius`` turns it into a tube of peak line integral ``3 mu r``:
    the vessel's own ``2 mu r`` (soft tissue in place of air) and as much
    again for its sheath of interstitium, half as wide.
    """
    scale = canvas.pixels_per_unit
    by_radius: dict[float, list[np.ndarray]] = {}
    for hilum, outwards in (((-0.2, 0.0), -1.0), ((0.2, 0.02), 1.0)):
        for first in (-1.2, -0.6, 0.0, 0.6, 1.2):
            angle = np.arctan2(np.sin(first) * 1.2 + 0.2, outwards * np.cos(first))
            stack = [(np.array(hilum), angle, 0.02, 0.2, 0)]
            while stack:
                start, direction, radius, length, depth = stack.pop()
                end = start + length * np.array([np.cos(direction), np.sin(direction)])
                n = max(int(length * scale * 2), 2)
                points = start + np.linspace(0.0, 1.0, n)[:, None] * (end - start)
                by_radius.setdefault(radius, []).append(points)
                if depth < 5:
                    for turn in (-1.0, 1.0):
                        stack.append(
                            (
                                end,
                                direction + turn * rng.uniform(0.2, 0.55),
                                radius * 0.7,
                                length * rng.uniform(0.55, 0.8),
                                depth + 1,
                            )
                        )
    rows, cols = canvas.shape
    image = np.zeros(canvas.shape)
    for radius, segments in by_radius.items():
        points = np.concatenate(segments)
        col = np.rint((points[:, 0] + 1.0) / 2.0 * (cols - 1)).astype(int)
        row = np.rint((points[:, 1] + 1.0) / 2.0 * (rows - 1)).astype(int)
        keep = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
        hits = np.zeros(canvas.shape)
        np.add.at(hits, (row[keep], col[keep]), 1.0)
        sigma = max(radius * scale, 0.6)
        peak = 3.0 * SOFT_TISSUE_MU * radius * CM_PER_UNIT
        blurred = ndimage.gaussian_filter(hits, sigma, truncate=3.0)
        image += blurred * (peak * 0.5 * np.sqrt(2 * np.pi) * sigma)
    return image


def chest_phantom(shape: tuple[int, int] = (512, 512), *, seed: int = 0) -> np.ndarray:
    """Line integrals of a synthetic PA chest radiograph.

    Soft-tissue body with shoulders, humeral heads and neck; two lungs with
    diaphragm domes and costophrenic angles; heart, aortic knob and
    mediastinum; trachea; a vertebral column with bodies,
    endplates and pedicles; ten posterior and most anterior ribs per side;
    clavicles; branching pulmonary vessels and a faint parenchymal texture.
    ``seed`` varies the ribs, heart size, vessels and texture.

    Parameters
    ----------
    shape : tuple of int
        (rows, cols), each >= 16.
    seed : int
        Seed of the anatomy's random variations.

    Returns
    -------
    ndarray of float64, shape ``shape``
        Line integrals ``L >= 0``: 0 outside the body, 1.1 to 2.4 in the lungs
        (median 1.6), 4.1 to 4.4 in the heart, and up to about 5.0 (4.97) in the
        spine below the heart.

    References
    ----------
    .. [1] J. T. Bushberg, J. A. Seibert, E. M. Leidholdt, J. M. Boone, "The
       Essential Physics of Medical Imaging", 3rd ed., 2012, ch. 7.
    """
    rows, cols = _check_shape(shape)
    _check_seed(seed)
    rng = np.random.default_rng([seed, 0])
    canvas = _Canvas((rows, cols))
    y, x = np.meshgrid(canvas.ys, canvas.xs, indexing="ij")
    lungs = _lungs(x, y, _cardiac_r2(x, y, 1.0 + 0.05 * rng.standard_normal()))
    body = _body(x, y)
    _spine(canvas)
    _ribs(canvas, rng)
    _clavicles(canvas)
    _humeral_heads(canvas)
    texture = ndimage.gaussian_filter(rng.standard_normal((rows, cols)), min(rows, cols) / 150)
    texture *= 0.05 / max(float(np.std(texture)), 1e-12)
    line_integral = (
        body
        - LUNG_AIR * lungs
        - _trachea(x, y)
        + (body > 0) * canvas.total
        + (_vessels(canvas, rng) + texture) * _smoothstep(lungs / 0.3)
    )
    return np.clip(line_integral, 0.0, None)


def phantom_image(
    shape: tuple[int, int] = (512, 512),
    *,
    bits_stored: int = 12,
    photometric: str = "MONOCHROME2",
    photons_per_pixel: float | None = None,
    electronic_noise: float = DEFAULT_ELECTRONIC_NOISE,
    max_attenuation: float = DEFAULT_MAX_ATTENUATION,
    seed: int = 0,
) -> np.ndarray:
    """Render the chest phantom as stored values, as a detector would write them.

    Line integrals ``[0, max_attenuation]`` map linearly onto
    ``[0, 2**bits_stored - 1]`` (rising with attenuation for MONOCHROME2,
    falling for MONOCHROME1), as :meth:`DetectorModel.from_range` does.

    Parameters
    ----------
    shape : tuple of int
        (rows, cols), each >= 16.
    bits_stored : int
        Bits of the stored values, 8 to 16.
    photometric : {"MONOCHROME2", "MONOCHROME1"}
        Photometric interpretation of the result.
    photons_per_pixel : float or None
        If given, the full-dose quantum and electronic noise of a detector with
        this many quanta per unattenuated pixel is applied
        (:func:`~core.noise.dose.simulate_low_dose` at dose 1 from the clean
        image). None: noise-free.
    electronic_noise : float
        Electronic noise std in quanta, used with ``photons_per_pixel``.
    max_attenuation : float
        Line integral stored at the attenuating end of the range.
    seed : int
        Seed of the anatomy and of the noise.

    Returns
    -------
    ndarray of uint16, shape ``shape``
        Unsigned stored values, SYNTHETIC (label the file so).
    """
    if not (isinstance(bits_stored, int) and 8 <= bits_stored <= 16):
        raise ValueError(f"BitsStored must be an integer from 8 to 16, got {bits_stored!r}")
    if photometric not in PHOTOMETRICS:
        raise ValueError(f"photometric must be 'MONOCHROME1' or 'MONOCHROME2', got {photometric!r}")
    top = 2**bits_stored - 1
    detector = DetectorModel.from_range(
        0.0,
        float(top),
        photometric=photometric,
        photons_per_pixel=(
            DEFAULT_PHOTONS_PER_PIXEL if photons_per_pixel is None else photons_per_pixel
        ),
        electronic_noise=electronic_noise,
        max_attenuation=max_attenuation,
    )
    line_integral = chest_phantom(shape, seed=seed)
    values = detector.values(line_integral)
    if photons_per_pixel is not None:
        values = simulate_low_dose(
            values,
            dose=1.0,
            detector=detector,
            rng=np.random.default_rng([seed, 1]),
            input_is_noisy=False,
        )
    return np.clip(np.rint(values), 0, top).astype(np.uint16)
