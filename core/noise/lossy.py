"""Lossy compression that removed fine-scale noise: recorded in the metadata, or seen in the pixels.

A JPEG quantises each 8 x 8 block's DCT coefficients, and at ordinary qualities it zeroes
the fine-scale ones that hold most of the noise of the smooth blocks. The noise estimate
(:mod:`core.noise.estimate`) measures the noise in the smoothest blocks, exactly those the
compression flattened, so it reads low, and the denoiser then does little: a film cropped
to 512 px at 25 % of its dose (20,000 quanta) read sigma 6.74 DN as a lossless PNG, 6.32
at JPEG quality 90, 0.68 at quality 75 and 0.42 at 50, where the denoise changed the
image by 6.42, 6.34, 0.07 and 0.10 DN. The runs behind this docstring's numbers are kept
in ``benchmarks/results/2026-11-28-lossy/``.

Whether an image went through such compression is recorded where its file says so
(LossyImageCompression ``"01"`` in :attr:`core.image.XrayImage.metadata`: a JPEG, a
JPEG-compressed TIFF, a DICOM of a lossy syntax or a lossy JPEG 2000 codestream). Where it
is not (a JPEG saved again as PNG, say), JPEG's 8 x 8 blocks show in the pixels:
:func:`block_signature` compares the fine-scale differences that straddle a block
boundary with those inside the blocks.

Measured on the 243 films of the training data (8-bit PNG; their central 1024 x 1024 pixels,
as they are and at 25 % of their dose with 20,000 quanta, seed 0), the signature of the 486
lossless images lay between 0.984 and 0.999; saved as JPEG at quality 95 between 0.842 and
0.999 (30 of them below :data:`BLOCK_SIGNATURE`), at 90 between 0.595 and 0.998 (112; median
0.98-0.99, where the median noise estimate read 2.8 DN for 5.3 lossless at full dose and 5.9
for 6.5 at 25 %), at 75 between 0.441 and 0.937 and at
50 between 0.293 and 0.635 (every one below). Cropped by 3 rows and 5 columns, so that the grid
no longer starts at the corner, they gave the same to within 0.01; their 256 px crops, lossless,
0.981 and more. At 5 % of the dose (so much noise that quality 75 keeps most of it) the lossless
ones lay at 0.981 and more, and 78 of 243 at quality 75 and every one at 50 fell below.
:data:`BLOCK_SIGNATURE` lies between the lossless films and those at quality 75.

A smaller image's signature spreads further: the fewer its pixels, the more a few strong
edges at some positions in a block sway the averages. Measured on lossless chest phantoms
(8, 12 and 16 bits; noise-free and at 2000, 5000, 20,000 and 100,000 quanta; 16 seeds) and
a crop of each film, about 480 images at each size, the least signature was 0.899 at 128 px,
0.908 at 192, 0.907 at 256, 0.898 at 384 and 0.947 at 512 (noise-free phantoms each time;
noisy ones 0.934, 0.939, 0.951, 0.975 and 0.982, films 0.942, 0.972, 0.982, 0.988 and
0.988), so that :data:`BLOCK_SIGNATURE` took 2 of 8 phantoms at 128 px and 5000 quanta, and
noise-free ones at 512 px, for JPEGs; at 640 and 768 px (240 phantoms) it was 0.973 and
0.968. The same saved at quality 75 (8-bit phantoms, and the film crops with the grid at
other places) gave 0.77 and less for the phantoms, 0.93 and less for the crops (1 to 2 in
100 over 0.85), and at quality 50 0.67 and less (but for a crop all one value, which shows
no blocks at all). Under
:data:`LARGE_PIXELS` the threshold is therefore :data:`SMALL_BLOCK_SIGNATURE`
(:func:`signature_threshold`).
"""

from __future__ import annotations

import numpy as np

from core.image import XrayImage

BLOCK = 8
"""The side of a JPEG block (ISO/IEC 10918-1), in pixels."""

BLOCK_SIGNATURE = 0.96
"""Signature (:func:`block_signature`) below which an image of :data:`LARGE_PIXELS` or more
is taken to show JPEG's blocks.

The 486 film images measured lossless gave 0.984 and more; the same saved at JPEG quality
75, 0.937 and less (the module's measurement)."""

CLIP_PERCENTILE = 90.0
"""Percentile of the fine-scale differences at which each is clipped before averaging, so that
a long straight edge along a row or a column (a collimator's, a border's) counts no more than
noise: unclipped, such edges took lossless films' signatures down to 0.905."""

SMALL_BLOCK_SIGNATURE = 0.85
"""Signature below which an image of fewer than :data:`LARGE_PIXELS` pixels (not padding) is
taken to show JPEG's blocks.

Lossless phantoms and film crops of 128 to 512 px measured 0.898 and more; the same at JPEG
quality 75, 0.77 and less (phantoms) and 0.93 and less (film crops, 1 to 2 in 100 over this;
the module's measurement)."""

LARGE_PIXELS = 640 * 640
"""Fewest pixels (not padding) for which :data:`BLOCK_SIGNATURE` is the threshold: lossless
phantoms (240 at each size) of 640 px measured 0.973 and more, of 768 px 0.968 and more, of
512 px down to 0.947."""

MIN_PIXELS = 128 * 128
"""Fewest pixels (not padding) an image needs for its signature to be measured; a smaller one
is taken to show no blocks."""

LOSSY_METHODS = {
    "ISO_10918_1": "JPEG",
    "ISO_14495_1": "JPEG-LS near-lossless",
    "ISO_15444_1": "JPEG 2000",
    "ISO_15444_2": "JPEG 2000",
    "ISO_15444_15": "HTJ2K",
    "ISO_18181_1": "JPEG XL",
}
"""Names of DICOM's LossyImageCompressionMethod defined terms for images."""

_ROWS_AT_ONCE = 256
"""Rows whose differences are computed at once (a float64 band at a time)."""


def _phase_means(values: np.ndarray, keep: np.ndarray | None, cap: float) -> np.ndarray:
    """Mean clipped absolute second difference along rows, by the column's position in a block.

    Element ``p`` averages ``min(|x[c-1] - 2 x[c] + x[c+1]|, cap)`` over the centres ``c`` with
    ``c % 8 == p``, leaving out those whose three pixels are not all in `keep`.
    """
    sums = np.zeros(BLOCK)
    counts = np.zeros(BLOCK)
    phase = np.arange(1, values.shape[1] - 1) % BLOCK
    for start in range(0, values.shape[0], _ROWS_AT_ONCE):
        band = values[start : start + _ROWS_AT_ONCE].astype(np.float64)
        detail = np.minimum(np.abs(band[:, :-2] - 2 * band[:, 1:-1] + band[:, 2:]), cap)
        if keep is None:
            column_sums = detail.sum(axis=0)
            column_counts = np.full(detail.shape[1], float(detail.shape[0]))
        else:
            kept = keep[start : start + _ROWS_AT_ONCE]
            kept = kept[:, :-2] & kept[:, 1:-1] & kept[:, 2:]
            column_sums = np.where(kept, detail, 0.0).sum(axis=0)
            column_counts = kept.sum(axis=0, dtype=np.float64)
        sums += np.bincount(phase, column_sums, BLOCK)
        counts += np.bincount(phase, column_counts, BLOCK)
    return sums / np.maximum(counts, 1.0)


def _smoothest_grid(means: np.ndarray) -> float:
    """Return, over the 8 places a block grid can lie, the least ratio of inner to boundary means.

    The boundary between columns ``s`` and ``s + 1`` (mod 8) is straddled by the differences
    centred on ``s`` and ``s + 1``; the other six lie inside the blocks.
    """
    least = np.inf
    for s in range(BLOCK):
        boundary = [s, (s + 1) % BLOCK]
        inner = np.delete(means, boundary).mean()
        across = means[boundary].mean()
        least = min(least, inner / across if across > 0 else 1.0)
    return float(least)


def block_signature(pixels: np.ndarray, *, exclude: np.ndarray | None = None) -> float:
    """Measure how much smoother an image is inside JPEG's 8 x 8 blocks than across them.

    The absolute second differences along rows and along columns, each clipped at the
    :data:`CLIP_PERCENTILE` percentile of the row differences, are averaged by the
    position of their centre in a block of 8. For each direction the six positions
    inside a block are compared with the two that straddle its boundary, wherever the
    grid lies (a crop moves it); the image's signature is the larger of the two
    directions' ratios, so that both must show the blocks. Without compression every
    position is alike and the signature is near 1; JPEG's quantisation smooths the
    blocks' insides and leaves steps at their boundaries, taking it lower.

    Parameters
    ----------
    pixels : ndarray, 2-D
        The image.
    exclude : ndarray of bool or None
        Pixels to leave out (declared padding); a difference that uses one is not counted.

    Returns
    -------
    float
        Inner over boundary mean (1 for an image of fewer than :data:`MIN_PIXELS` kept
        pixels, or with no fine-scale differences at all). Lossless films measured 0.984
        and more; below :func:`signature_threshold` the blocks show.
    """
    pixels = np.asarray(pixels)
    if pixels.ndim != 2:
        raise ValueError(f"expected a 2-D image, got shape {pixels.shape}")
    keep = None if exclude is None or not exclude.any() else ~np.asarray(exclude, bool)
    kept = pixels.size if keep is None else int(keep.sum())
    if kept < MIN_PIXELS or min(pixels.shape) < 3 * BLOCK:
        return 1.0
    sample = pixels[:: BLOCK // 2].astype(np.float64)  # every 4th row's differences give the clip
    detail = np.abs(sample[:, :-2] - 2 * sample[:, 1:-1] + sample[:, 2:])
    if keep is not None:
        near = keep[:: BLOCK // 2]
        detail = detail[near[:, :-2] & near[:, 1:-1] & near[:, 2:]]
    cap = float(np.percentile(detail, CLIP_PERCENTILE)) if detail.size else 0.0
    if cap <= 0:
        return 1.0
    along_rows = _phase_means(pixels, keep, cap)
    along_columns = _phase_means(pixels.T, None if keep is None else keep.T, cap)
    return max(_smoothest_grid(along_rows), _smoothest_grid(along_columns))


def signature_threshold(pixels: int) -> float:
    """Return the signature below which an image of this many pixels shows JPEG's blocks.

    Parameters
    ----------
    pixels : int
        Its pixels, not counting padding.

    Returns
    -------
    float
        :data:`BLOCK_SIGNATURE` from :data:`LARGE_PIXELS` up, :data:`SMALL_BLOCK_SIGNATURE`
        under it (a small image's signature spreads further, the module's measurement).
    """
    return BLOCK_SIGNATURE if pixels >= LARGE_PIXELS else SMALL_BLOCK_SIGNATURE


def lossy_compression(image: XrayImage) -> str | None:
    """Say what lossy compression the image went through, or None where none shows.

    Parameters
    ----------
    image : XrayImage
        The image as read.

    Returns
    -------
    str or None
        Where the metadata record lossy compression (LossyImageCompression ``"01"``),
        the method's name (``"JPEG"``, ``"JPEG 2000"``, :data:`LOSSY_METHODS`), or
        ``"lossy"`` where none is named; where they do not, ``"JPEG, by its 8 x 8
        blocks"`` if :func:`block_signature` is below :func:`signature_threshold` for its
        pixels not padding; else None.
    """
    if str(image.metadata.get("LossyImageCompression", "")).strip() == "01":
        methods = str(image.metadata.get("LossyImageCompressionMethod") or "").split("\\")
        names = [LOSSY_METHODS.get(method.strip(), "") for method in methods]
        return ", ".join(dict.fromkeys(name for name in names if name)) or "lossy"
    padding = image.padding_mask
    kept = image.pixels.size - (0 if padding is None else int(np.count_nonzero(padding)))
    if block_signature(image.pixels, exclude=padding) < signature_threshold(kept):
        return "JPEG, by its 8 x 8 blocks"
    return None


def lossy_warning(image: XrayImage, sigma: float) -> str | None:
    """Return the warning that lossy compression took noise out of the image, or None.

    Parameters
    ----------
    image : XrayImage
        The image as read (:func:`lossy_compression`).
    sigma : float
        Its noise estimate (pixel units), which the warning quotes.

    Returns
    -------
    str or None
        One line naming the file (or ``"the image"`` where it has none), or None where no
        lossy compression is recorded or shows.
    """
    method = lossy_compression(image)
    if method is None:
        return None
    name = image.source_path if image.source_path is not None else "the image"
    return (
        f"{name}: lossy-compressed ({method}) input: compression removed fine-scale noise, "
        f"so the noise estimate (sigma {sigma:.3g}) may read low and denoising do little"
    )
