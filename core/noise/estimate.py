"""Noise estimation from a single image: the noise-level function and a global sigma.

Method
------
The image is cut into non-overlapping 3 x 3 blocks. Each block gives

* a *detail coefficient*: Immerkaer's mask ``[1 -2 1] x [1 -2 1] / 6`` [2]_
  (the product of second differences along rows and columns, scaled so that
  iid noise of std ``sigma`` gives coefficients of std ``sigma``). It cancels
  every function of the form ``f(x) + g(y)`` and every bilinear term, so
  smooth anatomy, ramps and axis-aligned edges leave it untouched;
* a *local intensity*: the mean of the 9 x 9 pixels around the block;
* two *structure measures* for edge and texture exclusion: the mean squared
  detail coefficient of the 8 neighbouring blocks, and the gradient of the
  block means from the neighbouring blocks.

For Gaussian noise (and locally constant noise level) each of these is built
from noise orthogonal to the block's own detail coefficient (disjoint support,
or uniform weights over the block against a zero-sum mask), hence independent
of it: selecting smooth blocks by them does not truncate the distribution of
the coefficients kept, so the estimate needs no truncation correction. This is the
selection of smooth level sets of Foi et al. [1]_ with the independence made
exact. Blocks holding the image's minimum or maximum (clipped, saturated or
padded areas) are left out, and so are constant blocks (blanked masks and
burnt-in overlays); the latter selection depends on the block's own noise, but
only for noise below about one quantisation step, which no estimate resolves.
Pixels the caller excludes (declared padding) take no part at all: a block
whose 9 x 9 pixels around it hold one is left out (its local intensity and
structure measures draw on them), and the minimum and maximum are those of the
pixels kept, so what the excluded pixels hold changes nothing.

Kept coefficients are binned by local intensity into ``n_bins`` bins of equal
width over the central 99 % of intensities; runs of sparse bins are merged up
to ``min_count`` coefficients, and what stays sparse is dropped, so bins stay
narrow and the noise level nearly constant within each. Per bin the intensity
is the median local intensity, and the noise std the median absolute
coefficient over 0.6745 (the MAD of a zero-mean Gaussian) with the
small-sample factor ``n / (n - 0.8)`` of Croux and Rousseeuw [3]_. On a
quantised image (integers, or integers times a rescale slope ``q``) every
coefficient is a multiple of ``q / 6``, so a plain median would snap every
estimate to multiples of ``1.4826 q / 6``; the median is then interpolated
within its grid cell, as the median of grouped data is [4]_.

The thresholds need the noise they are looking for, so the estimate is
iterated: first without structure exclusion, then twice with
thresholds from the previous noise-level function (a pass that would keep
fewer than ``min_count`` blocks, as on a noise-free image, is skipped).

Only the noise that is white at the pixel scale is measured: noise correlated
by the detector's MTF or by image processing shows as a lower level.

References
----------
.. [1] A. Foi, M. Trimeche, V. Katkovnik, K. Egiazarian, "Practical
   Poissonian-Gaussian noise modeling and fitting for single-image raw-data",
   IEEE Trans. Image Process. 17(10), 1737-1754, 2008.
.. [2] J. Immerkaer, "Fast noise variance estimation", Comput. Vis. Image
   Underst. 64(2), 300-302, 1996.
.. [3] C. Croux, P. J. Rousseeuw, "Time-efficient algorithms for two highly
   robust estimators of scale", Computational Statistics 1, 411-428, 1992.
.. [4] G. U. Yule, M. G. Kendall, "An Introduction to the Theory of
   Statistics", 14th ed., Griffin, 1950, ch. 7 (the median of grouped data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, stats
from scipy.interpolate import PchipInterpolator

__all__ = [
    "NoiseLevelFunction",
    "bin_count_for",
    "estimate_noise_level_and_sigma",
    "estimate_noise_level_function",
    "estimate_noise_sigma",
]

MAD_TO_SIGMA = 1.0 / stats.norm.ppf(0.75)
"""Median of ``|N(0, 1)|`` is 0.6745; its inverse turns a MAD into a std."""

TEXTURE_QUANTILE = 0.95
"""Neighbour activity above this quantile of pure noise (chi-square, 8 dof) is texture."""

EDGE_QUANTILE = 0.999
"""Block-mean gradients above this quantile of pure noise (chi-square, 2 dof) are edges."""

EDGE_FACTOR = 4.0
"""Gradients smaller than this many times the noise threshold are ramps, harmless here."""

REFINEMENTS = 2
"""Passes with structure exclusion after the first, unselective one."""

FIT_BIN_SPLIT = 4
"""The Poisson-Gaussian fit bins the smooth blocks this many times finer than the noise-level
function (a quarter of its blocks per bin): an equal-width bin at low intensity spans noise
variances several times apart, whose MAD reads low (10-17 % in the lowest of 16 bins on a
768 px Poisson ramp of 20 to 4000 counts) and set the fit's intercept at -8 to -28 (truth 0)."""

FIT_ITERATIONS = 3
"""Reweightings of the Poisson-Gaussian fit with the variance of the previous fit."""

GRID_TOLERANCE = 0.05
"""Coefficients within this share of a step of a grid's points lie on that grid."""
BLOCK_ROWS_AT_ONCE = 32
"""Rows of blocks taken to float64 at once (96 pixel rows): the per-block statistics need
no more of the image at a time, so a large image is never copied whole, and a band's
temporaries stay in the CPU's cache (a 2048 px image's blocks took 34 ms against 44 ms
in bands of 256 rows, one core)."""


@dataclass(frozen=True, eq=False)
class NoiseLevelFunction:
    """Noise std as a function of the local mean intensity, from binned estimates.

    Calling it interpolates the bins (monotone cubic, flat beyond the ends).

    Parameters
    ----------
    intensities : ndarray of float64, shape (n,)
        Median local intensity of each bin, strictly increasing.
    sigmas : ndarray of float64, shape (n,)
        Noise std estimated in each bin (>= 0).
    counts : ndarray of int64, shape (n,)
        Detail coefficients behind each estimate.
    poisson_gaussian : tuple of float or None
        ``(a, b)`` of the weighted least-squares fit ``sigma^2 = a * y + b``
        (needs two bins or more), made on the same blocks binned
        :data:`FIT_BIN_SPLIT` times finer, each bin weighted by ``n / sigma^4`` of the
        fit (:data:`FIT_ITERATIONS` reweightings).
    """

    intensities: np.ndarray
    sigmas: np.ndarray
    counts: np.ndarray
    poisson_gaussian: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        intensities = np.array(self.intensities, dtype=np.float64)
        sigmas = np.array(self.sigmas, dtype=np.float64)
        counts = np.array(self.counts, dtype=np.int64)
        if intensities.ndim != 1 or intensities.size == 0:
            raise ValueError("intensities must be a non-empty 1-D array")
        if sigmas.shape != intensities.shape or counts.shape != intensities.shape:
            raise ValueError(
                "intensities, sigmas and counts must have the same length, got "
                f"{intensities.shape}, {sigmas.shape} and {counts.shape}"
            )
        if not (np.all(np.isfinite(intensities)) and np.all(np.diff(intensities) > 0)):
            raise ValueError("intensities must be finite and strictly increasing")
        if not (np.all(np.isfinite(sigmas)) and np.all(sigmas >= 0)):
            raise ValueError("sigmas must be finite and >= 0")
        for name, array in (("intensities", intensities), ("sigmas", sigmas), ("counts", counts)):
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Noise std at ``values``: monotone cubic between bins, flat beyond the end bins.

        The interpolant is PCHIP (Fritsch and Carlson [1]_): it never overshoots
        the bin estimates and is monotone wherever they are, and its derivative
        is continuous (see :meth:`derivative`).

        Parameters
        ----------
        values : array_like
            Mean intensities.

        Returns
        -------
        ndarray of float64

        References
        ----------
        .. [1] F. N. Fritsch, R. E. Carlson, "Monotone piecewise cubic
           interpolation", SIAM J. Numer. Anal. 17(2), 238-246, 1980.
        """
        values = np.asarray(values, dtype=np.float64)
        if self.intensities.size == 1:
            return np.full(values.shape, self.sigmas[0])
        inside = np.clip(values, self.intensities[0], self.intensities[-1])
        return PchipInterpolator(self.intensities, self.sigmas)(inside)

    def derivative(self, values: np.ndarray) -> np.ndarray:
        """Slope ``d sigma / d intensity`` of :meth:`__call__` (0 beyond the end bins).

        Parameters
        ----------
        values : array_like
            Mean intensities.

        Returns
        -------
        ndarray of float64
        """
        values = np.asarray(values, dtype=np.float64)
        if self.intensities.size == 1:
            return np.zeros(values.shape)
        slope = PchipInterpolator(self.intensities, self.sigmas).derivative()(values)
        inside = (values >= self.intensities[0]) & (values <= self.intensities[-1])
        return np.where(inside, slope, 0.0)

    def median_ratio(
        self, reference: np.ndarray, *, where: np.ndarray | None = None
    ) -> float | None:
        """Count-weighted median over the bins of ``sigmas / reference``.

        Parameters
        ----------
        reference : array_like, shape (n,)
            A noise std per bin to compare with (another estimate's, a model's).
        where : ndarray of bool, shape (n,), optional
            The bins to take; all by default. Bins whose reference is not positive
            are left out.

        Returns
        -------
        float or None
            The median ratio, or None when no bin is left.
        """
        reference = np.asarray(reference, dtype=np.float64)
        keep = reference > 0 if where is None else np.asarray(where, bool) & (reference > 0)
        if not keep.any():
            return None
        ratios = self.sigmas[keep] / reference[keep]
        order = np.argsort(ratios)
        cumulative = np.cumsum(self.counts[keep][order])
        return float(ratios[order][np.searchsorted(cumulative, cumulative[-1] / 2)])

    def without_rounding(self, step: float) -> NoiseLevelFunction:
        """Return the noise levels less the variance of rounding to a grid of ``step``.

        Rounding to integers (times a rescale slope ``step``) adds noise of variance
        ``step^2 / 12`` to every pixel, independent of the signal wherever the
        noise spans a step or more [1]_; it is no quantum noise, and left in, it
        counts as quanta missing (an 8-bit phantom at 20,000 quanta was measured at
        16,079 with it).

        Parameters
        ----------
        step : float
            The stored step in pixel units (> 0).

        Returns
        -------
        NoiseLevelFunction
            ``sqrt(sigma^2 - step^2 / 12)`` per bin (0 where rounding explains all of
            a bin's noise), without a Poisson-Gaussian fit.

        References
        ----------
        .. [1] B. Widrow, I. Kollar, "Quantization Noise", Cambridge University
           Press, 2008, ch. 4 (the pseudo-quantisation noise model).
        """
        rounding = step * step / 12.0
        sigmas = np.sqrt(np.clip(self.sigmas * self.sigmas - rounding, 0.0, None))
        return NoiseLevelFunction(self.intensities, sigmas, self.counts)

    @property
    def n_blocks(self) -> int:
        """Smooth 3 x 3 blocks behind the estimate, over all its bins."""
        return int(self.counts.sum())

    def within_levels(self, sigma: float) -> float:
        """Return a global noise std brought within the levels of the bins.

        A global estimate (:func:`estimate_noise_sigma`) selects its smooth blocks
        by one noise level, the bins by their own, so on few blocks (a small anatomy
        inside padding) it can fall outside every level the bins measured; the
        nearest of them then summarises the noise better.

        Parameters
        ----------
        sigma : float
            The global estimate, of the same image.

        Returns
        -------
        float
            ``sigma`` clipped to ``[sigmas.min(), sigmas.max()]``.
        """
        return float(np.clip(sigma, self.sigmas.min(), self.sigmas.max()))

    def poisson_gaussian_sigma(self, values: np.ndarray) -> np.ndarray:
        """Noise std of the fitted model, ``sqrt(max(a * y + b, 0))``.

        Parameters
        ----------
        values : array_like
            Mean intensities ``y``.

        Returns
        -------
        ndarray of float64
        """
        if self.poisson_gaussian is None:
            raise ValueError(
                "this noise-level function has no Poisson-Gaussian fit (one bin only); "
                "call it directly instead"
            )
        a, b = self.poisson_gaussian
        return np.sqrt(np.clip(a * np.asarray(values, dtype=np.float64) + b, 0.0, None))


@dataclass(frozen=True)
class _Blocks:
    """Per-block statistics of an image cut into 3 x 3 blocks (see the module notes)."""

    detail: np.ndarray
    intensity: np.ndarray
    activity: np.ndarray
    gradient2: np.ndarray
    unclipped: np.ndarray
    image_shape: tuple[int, int]
    step: float
    n_clear: int | None


def _check_exclude(exclude: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray | None:
    if exclude is None:
        return None
    mask = np.asarray(exclude)
    if mask.dtype != np.bool_ or mask.shape != shape:
        raise ValueError(
            f"exclude must be a boolean mask of the image's shape {shape}, got "
            f"{mask.dtype} of shape {mask.shape}"
        )
    if mask.all():
        raise ValueError("every pixel of the image is excluded, so there is no noise to measure")
    return mask


def _check_image(pixels: np.ndarray, exclude: np.ndarray | None) -> np.ndarray:
    image = np.asarray(pixels)
    if image.ndim != 2:
        raise ValueError(f"pixels must be a 2-D image, got shape {image.shape}")
    if min(image.shape) < 9:
        raise ValueError(
            f"the image is too small ({image.shape[1]} x {image.shape[0]} pixels): measuring "
            "its noise needs at least 9 x 9"
        )
    if not (np.issubdtype(image.dtype, np.integer) or np.issubdtype(image.dtype, np.floating)):
        raise ValueError(f"pixels must be a real numeric array, got dtype {image.dtype}")
    # Left in its own type: the blocks are taken to float64 a band at a time.
    if np.issubdtype(image.dtype, np.floating) and not np.all(np.isfinite(image)):
        raise ValueError("the image contains NaN or infinite values")
    low, high = (float(value) for value in _extremes(image, exclude))
    if low == high:
        what = "the image is" if exclude is None else "the image outside its padding is"
        raise ValueError(
            f"{what} constant (every pixel is {low:g}), so it has no smooth unclipped "
            "areas to measure noise in"
        )
    return image


def _extremes(image: np.ndarray, exclude: np.ndarray | None) -> tuple[float, float]:
    """Smallest and largest value of the pixels not excluded."""
    kept = image if exclude is None else image[~exclude]
    return kept.min(), kept.max()


def _clear_blocks(exclude: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Blocks none of whose 9 x 9 pixels (the block and its 8 neighbours) is excluded."""
    held = _over_blocks(np.logical_or, exclude[: 3 * rows, : 3 * cols].reshape(rows, 3, cols, 3))
    return ~ndimage.binary_dilation(held, structure=np.ones((3, 3), dtype=bool))


def _over_blocks(ufunc: np.ufunc, blocks: np.ndarray) -> np.ndarray:
    """Reduce each 3 x 3 block of ``blocks`` (rows, 3, cols, 3) with a binary ufunc.

    Pairwise over strided views: several times faster than ``ufunc.reduce`` over two
    short axes.
    """
    rows = ufunc(ufunc(blocks[:, 0], blocks[:, 1]), blocks[:, 2])
    return ufunc(ufunc(rows[..., 0], rows[..., 1]), rows[..., 2])


def _blocks(image: np.ndarray, exclude: np.ndarray | None) -> _Blocks:
    rows, cols = image.shape[0] // 3, image.shape[1] // 3
    low, high = (float(value) for value in _extremes(image, exclude))
    detail, means = np.empty((rows, cols)), np.empty((rows, cols))
    unclipped = np.empty((rows, cols), dtype=bool)
    for start in range(0, rows, BLOCK_ROWS_AT_ONCE):  # a float64 copy of a band at a time
        stop = min(start + BLOCK_ROWS_AT_ONCE, rows)
        native = image[3 * start : 3 * stop, : 3 * cols].reshape(stop - start, 3, cols, 3)
        blocks = native.astype(np.float64)
        # Second difference along columns, then along rows: Immerkaer's mask / 6.
        along_cols = blocks[..., 0] - 2.0 * blocks[..., 1] + blocks[..., 2]
        detail[start:stop] = (along_cols[:, 0] - 2.0 * along_cols[:, 1] + along_cols[:, 2]) / 6.0
        means[start:stop] = _over_blocks(np.add, blocks) / 9.0
        # Extremes in the image's own type: the same values, half the memory read.
        block_min = _over_blocks(np.minimum, native)
        block_max = _over_blocks(np.maximum, native)
        unclipped[start:stop] = (block_min > low) & (block_max < high) & (block_min < block_max)
    intensity = ndimage.uniform_filter(means, size=3, mode="nearest")
    squared = detail * detail
    # Neighbours only: 'mirror' never reflects a block onto itself.
    activity = (ndimage.uniform_filter(squared, size=3, mode="mirror") * 9.0 - squared) / 8.0
    del squared
    gradient = np.square(ndimage.correlate1d(means, [-0.5, 0.0, 0.5], axis=1, mode="mirror"))
    gradient += np.square(ndimage.correlate1d(means, [-0.5, 0.0, 0.5], axis=0, mode="mirror"))
    del means
    clear = None if exclude is None else _clear_blocks(exclude, rows, cols)
    if clear is not None:
        unclipped &= clear
    return _Blocks(
        detail,
        intensity,
        activity,
        gradient,
        unclipped,
        image.shape,
        _grid_step(detail if clear is None else detail[clear]),
        None if clear is None else int(np.count_nonzero(clear)),
    )


def _grid_step(detail: np.ndarray) -> float:
    """Return the step of the grid all detail coefficients lie on, or 0 where there is none.

    A quantised image's coefficients are multiples of a sixth of its quantisation
    step; the smallest non-zero magnitude is that sixth unless no coefficient is that
    small (noise of hundreds of steps), and then no grid is found and none is needed.
    """
    magnitudes = np.abs(detail)
    positive = magnitudes[magnitudes > 0]
    if positive.size == 0:
        return 0.0
    step = float(positive.min())
    with np.errstate(over="ignore", invalid="ignore"):  # a tiny step: no grid
        multiples = magnitudes / step
        off_grid = np.max(np.abs(multiples - np.rint(multiples)))
    return step if off_grid <= GRID_TOLERANCE else 0.0


def _median_magnitude(detail: np.ndarray, step: float) -> float:
    """Median of ``|detail|``, interpolated within its grid cell when on a grid of ``step``.

    A value ``k step`` stands for the cell ``[(k - 1/2) step, (k + 1/2) step]`` (the
    zero cell ``[0, step / 2]``, magnitudes being >= 0), over which its count is
    spread evenly: the median of grouped data.
    """
    magnitudes = np.abs(detail)
    if step <= 0:
        return float(np.median(magnitudes))
    cells = np.rint(magnitudes / step)
    half = cells.size / 2
    index = math.ceil(half) - 1
    cell = np.partition(cells, index)[index]
    below = np.count_nonzero(cells < cell)
    inside = np.count_nonzero(cells == cell)
    low, width = (0.0, 0.5) if cell == 0 else (cell - 0.5, 1.0)
    return float((low + (half - below) / inside * width) * step)


def _robust_sigma(detail: np.ndarray, step: float) -> float:
    n = detail.size
    small_sample = n / (n - 0.8) if n > 9 else 1.0
    return _median_magnitude(detail, step) * MAD_TO_SIGMA * small_sample


def _binned(
    detail: np.ndarray, intensity: np.ndarray, n_bins: int, min_count: int, step: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bin by intensity: equal widths, sparse runs merged up to ``min_count``, leftovers dropped.

    Narrow bins keep the noise level nearly constant within a bin, so the
    bin's median intensity and its MAD estimate describe the same noise.
    """
    if n_bins == 1:  # one bin of every block (the caller checked there are min_count)
        median = np.array([np.median(intensity)])
        return median, np.array([_robust_sigma(detail, step)]), np.array([detail.size])
    low, high = np.quantile(intensity, [0.005, 0.995])
    if high > low:
        edges = np.linspace(low, high, n_bins + 1)
        index = np.clip(np.searchsorted(edges, intensity, side="right") - 1, 0, n_bins - 1)
    else:
        index = np.zeros(intensity.size, dtype=np.int64)
    sizes = np.bincount(index, minlength=n_bins)
    # The smallest integer type holding the labels: numpy sorts it stably by radix.
    group = np.full(n_bins, -1, dtype=np.min_scalar_type(-n_bins))
    start, total, n_groups = 0, 0, 0
    for b, size in enumerate(sizes):
        if size >= min_count and total:
            start, total = b, 0  # a sparse run that never filled up: drop it
        total += size
        if total >= min_count:
            group[start : b + 1] = n_groups
            n_groups += 1
            start, total = b + 1, 0
    labels = group[index]
    order = np.argsort(labels, kind="stable")
    labels, intensity, detail = labels[order], intensity[order], detail[order]
    cuts = np.searchsorted(labels, np.arange(n_groups + 1))
    parts = [slice(cuts[k], cuts[k + 1]) for k in range(n_groups)]
    means = np.array([np.median(intensity[part]) for part in parts])
    sigmas = np.array([_robust_sigma(detail[part], step) for part in parts])
    counts = np.array([part.stop - part.start for part in parts])
    return means, sigmas, counts


def _fit_poisson_gaussian(
    intensities: np.ndarray, sigmas: np.ndarray, counts: np.ndarray
) -> tuple[float, float] | None:
    """Fit ``sigma^2 = a * y + b`` to binned estimates by iteratively reweighted least squares.

    ``Var(sigma_hat^2) ~ sigma^4 / n``, so each bin weighs ``n / sigma^4`` with ``sigma^2``
    the model's, refitted :data:`FIT_ITERATIONS` times from a first pass weighted by the
    bins' own estimates: those weights would let a bin whose estimate is low (by chance,
    or a wide bin at low intensity) weigh the more for it, and set the intercept.
    """
    if intensities.size < 2:
        return None
    variances = sigmas**2
    if np.count_nonzero(variances) < 2:
        return None
    design = np.stack([intensities, np.ones_like(intensities)], axis=1)
    model = variances
    for _ in range(FIT_ITERATIONS + 1):
        # Where the model gives no positive variance, the bin's own estimate (zero: weight 0).
        expected = np.where(model > 0, model, variances)
        weights = np.sqrt(counts) / np.where(expected > 0, expected, np.inf)
        (a, b), *_ = np.linalg.lstsq(design * weights[:, None], variances * weights, rcond=None)
        model = a * intensities + b
    return float(a), float(b)


def _select(blocks: _Blocks, sigma: np.ndarray) -> np.ndarray:
    variance = sigma * sigma
    texture = stats.chi2.ppf(TEXTURE_QUANTILE, 8) / 8.0
    # Gradient of block means: each component has variance sigma^2 / 18 under noise.
    edge = EDGE_FACTOR**2 * stats.chi2.ppf(EDGE_QUANTILE, 2) / 18.0
    return (
        blocks.unclipped
        & (blocks.activity <= texture * variance)
        & (blocks.gradient2 <= edge * variance)
    )


def _binned_estimate(
    blocks: _Blocks, keep: np.ndarray, n_bins: int, min_count: int
) -> NoiseLevelFunction:
    n_kept = int(np.count_nonzero(keep))
    if n_kept < min_count:
        raise ValueError(_too_few_blocks(blocks, n_kept, min_count))
    return NoiseLevelFunction(
        *_binned(blocks.detail[keep], blocks.intensity[keep], n_bins, min_count, blocks.step)
    )


def _too_few_blocks(blocks: _Blocks, n_kept: int, min_count: int) -> str:
    """Say why ``n_kept`` blocks are too few, in words a user understands.

    ``min_count`` is the caller's, not the user's, so the message does not name it;
    a caller that needs fewer blocks passes a smaller ``min_count``.
    """
    rows, cols = blocks.image_shape
    n_blocks = blocks.detail.size
    if n_blocks < min_count:
        return (
            f"the image is too small ({cols} x {rows} pixels): measuring its noise needs "
            f"{min_count} smooth unclipped blocks of 3 x 3 pixels, and it holds only {n_blocks}"
        )
    blocks_kept = (
        f"its {n_blocks} blocks of 3 x 3 pixels"
        if blocks.n_clear is None
        else f"the {blocks.n_clear} blocks of 3 x 3 pixels clear of its padding"
    )
    return (
        f"the image has too few smooth unclipped areas to measure its noise in: {n_kept} of "
        f"{blocks_kept} vary without reaching the image's lowest or highest value, and "
        f"{min_count} are needed"
    )


def _check_bins(n_bins: int, min_count: int) -> None:
    if not (isinstance(n_bins, int | np.integer) and n_bins >= 1):
        raise ValueError(f"n_bins must be an integer >= 1, got {n_bins!r}")
    if not (isinstance(min_count, int | np.integer) and min_count >= 10):
        raise ValueError(f"min_count must be an integer >= 10, got {min_count!r}")


GLOBAL_MIN_COUNT = 10
"""Fewest smooth blocks behind :func:`estimate_noise_sigma`'s single bin."""

MIN_COUNT_SHARE = 16
"""A small image's noise-level bins need at least 1/16 of its 3 x 3 blocks each."""


def bin_count_for(shape: tuple[int, ...], *, exclude: np.ndarray | None = None) -> int:
    """Blocks per noise-level bin for an image: 1000, fewer under about 400 x 400 pixels.

    1000 blocks give a 3.7 % standard error; a small image's bins need at least a
    sixteenth of its 3 x 3 blocks each, and never fewer than 10.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)``.
    exclude : ndarray of bool, shape (rows, cols), optional
        Pixels left out of the estimate (padding): the blocks are then counted in
        the pixels kept.

    Returns
    -------
    int
        ``min_count`` for :func:`estimate_noise_level_function`.
    """
    if exclude is None:
        n_blocks = (shape[0] // 3) * (shape[1] // 3)
    else:
        n_blocks = int(np.count_nonzero(~np.asarray(exclude, dtype=bool))) // 9
    return int(np.clip(n_blocks // MIN_COUNT_SHARE, 10, 1000))


def estimate_noise_level_function(
    pixels: np.ndarray,
    *,
    n_bins: int = 16,
    min_count: int = 1000,
    exclude: np.ndarray | None = None,
) -> NoiseLevelFunction:
    """Estimate the noise std as a function of intensity from one image.

    Parameters
    ----------
    pixels : array_like, shape (rows, cols)
        The noisy image, at least 9 x 9.
    n_bins : int
        Number of intensity bins, of equal widths between the 0.5 % and 99.5 %
        quantiles of the smooth blocks' intensities; neighbouring bins with fewer
        than ``min_count`` blocks are merged until they hold that many (a sparse run
        that never does is dropped), so there may be fewer.
    min_count : int
        Fewest detail coefficients behind one bin's estimate (>= 10; the
        relative standard error of a bin is about ``1.17 / sqrt(min_count)``).
    exclude : ndarray of bool, shape (rows, cols), optional
        Pixels that are no image (DICOM pixel padding, say): the 3 x 3 blocks whose
        9 x 9 pixels around them hold one take no part, and the image's minimum and
        maximum (which mark clipped blocks) are those of the other pixels. None (the
        default) takes every pixel.

    Returns
    -------
    NoiseLevelFunction
        Binned estimates and a Poisson-Gaussian fit.

    Raises
    ------
    ValueError
        If the image is too small, not finite, constant, or has fewer than
        ``min_count`` smooth unclipped blocks (the message, meant for users, gives
        the counts but not the parameter; a smaller ``min_count`` accepts fewer);
        or if ``exclude`` is no boolean mask of the image's shape, or excludes every
        pixel.

    Notes
    -----
    About 0.09 s for a 2048 x 2048 image on one core (measured).

    References
    ----------
    .. [1] A. Foi, M. Trimeche, V. Katkovnik, K. Egiazarian, "Practical
       Poissonian-Gaussian noise modeling and fitting for single-image
       raw-data", IEEE Trans. Image Process. 17(10), 1737-1754, 2008.
    .. [2] J. Immerkaer, "Fast noise variance estimation", Comput. Vis. Image
       Underst. 64(2), 300-302, 1996.
    .. [3] C. Croux, P. J. Rousseeuw, "Time-efficient algorithms for two
       highly robust estimators of scale", Computational Statistics 1,
       411-428, 1992.
    """
    _check_bins(n_bins, min_count)
    return _level_function(_image_blocks(pixels, exclude), n_bins, min_count)


def _image_blocks(pixels: np.ndarray, exclude: np.ndarray | None) -> _Blocks:
    """Check an image and its exclusion mask and cut it into blocks."""
    exclude = _check_exclude(exclude, np.shape(pixels))
    return _blocks(_check_image(pixels, exclude), exclude)


def _level_function(blocks: _Blocks, n_bins: int, min_count: int) -> NoiseLevelFunction:
    """Estimate the noise-level function from blocks, as :func:`estimate_noise_level_function`."""
    used = blocks.unclipped
    nlf = _binned_estimate(blocks, used, n_bins, min_count)
    for _ in range(REFINEMENTS):
        keep = _select(blocks, nlf(blocks.intensity))
        if np.count_nonzero(keep) < min_count:
            break  # (nearly) noise-free: every block looks like structure
        used = keep
        nlf = _binned_estimate(blocks, used, n_bins, min_count)
    fit = None
    if nlf.intensities.size >= 2:
        fit = _fit_poisson_gaussian(
            *_binned(
                blocks.detail[used],
                blocks.intensity[used],
                FIT_BIN_SPLIT * n_bins,
                max(min_count // FIT_BIN_SPLIT, GLOBAL_MIN_COUNT),
                blocks.step,
            )
        )
    return NoiseLevelFunction(nlf.intensities, nlf.sigmas, nlf.counts, fit)


def estimate_noise_sigma(pixels: np.ndarray, *, exclude: np.ndarray | None = None) -> float:
    """Estimate the std of signal-independent (Gaussian) noise from one image.

    The single-bin case of :func:`estimate_noise_level_function`: a robust MAD
    of Immerkaer detail coefficients over smooth blocks, with edges and texture
    excluded. For signal-dependent noise it gives a typical level; use the
    noise-level function there.

    Parameters
    ----------
    pixels : array_like, shape (rows, cols)
        The noisy image, at least 9 x 9.
    exclude : ndarray of bool, shape (rows, cols), optional
        Pixels left out (padding), as in :func:`estimate_noise_level_function`.

    Returns
    -------
    float
        The noise standard deviation, in pixel units.

    References
    ----------
    .. [1] J. Immerkaer, "Fast noise variance estimation", Comput. Vis. Image
       Underst. 64(2), 300-302, 1996.
    .. [2] A. Foi, M. Trimeche, V. Katkovnik, K. Egiazarian, "Practical
       Poissonian-Gaussian noise modeling and fitting for single-image
       raw-data", IEEE Trans. Image Process. 17(10), 1737-1754, 2008.
    """
    return _global_sigma(_image_blocks(pixels, exclude))


def _global_sigma(blocks: _Blocks) -> float:
    """Estimate the global noise std from blocks, as :func:`estimate_noise_sigma`."""
    return float(_level_function(blocks, 1, GLOBAL_MIN_COUNT).sigmas[0])


def estimate_noise_level_and_sigma(
    pixels: np.ndarray,
    *,
    n_bins: int = 16,
    min_count: int = 1000,
    exclude: np.ndarray | None = None,
) -> tuple[NoiseLevelFunction, float]:
    """Estimate the noise-level function and the global noise std, cutting the image once.

    Equal to :func:`estimate_noise_level_function` and :func:`estimate_noise_sigma`
    called one after the other (both are computed from the same per-block
    statistics, which take most of their time), in about half the time.

    Parameters
    ----------
    pixels : array_like, shape (rows, cols)
        The noisy image, at least 9 x 9.
    n_bins, min_count, exclude
        As in :func:`estimate_noise_level_function` (``exclude`` for both).

    Returns
    -------
    nlf : NoiseLevelFunction
        :func:`estimate_noise_level_function`'s result.
    sigma : float
        :func:`estimate_noise_sigma`'s result.

    Raises
    ------
    ValueError
        As :func:`estimate_noise_level_function` (checked first) and
        :func:`estimate_noise_sigma`.
    """
    _check_bins(n_bins, min_count)
    blocks = _image_blocks(pixels, exclude)
    return _level_function(blocks, n_bins, min_count), _global_sigma(blocks)
