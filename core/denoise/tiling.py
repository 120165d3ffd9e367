"""Tiled evaluation of the noise predictor over a whole image, seamless and memory-bounded.

At each diffusion step the network's ``eps`` is evaluated tile by tile and the tiles are
blended into one full-size prediction before the sampler updates the whole image, so
multi-step sampling stays consistent across tiles.

* Tiles start at multiples of the network's size multiple (pixel-unshuffle times the
  down-sampling), so each tile sees the same sampling grid as the whole image; the last
  tile of a row or column ends at the image border, where the network pads exactly as it
  does for the whole image.
* Neighbouring tiles overlap by ``overlap`` pixels and are blended with raised-cosine
  ramps, ``sin^2`` rising where ``cos^2`` falls, so the weights sum to exactly 1 and the
  tile borders, where the network sees padding instead of the neighbours, weigh almost
  nothing. The U-Net is local (per-pixel LayerNorm), so the result equals the untiled
  one up to the receptive field's tail. That tail is long: the shipped network's
  receptive field reaches about 310 px (six blocks at 1/16 resolution), and on a 1024 px
  phantom at its ``t*`` a tile border changed ``eps`` by up to 0.13 (of a std of 0.92)
  32 px away, 0.02 at 128 px and nothing beyond 320 px. So the tile size changes the
  result (that phantom in float32, 1 view: tiles of 512 against one of 1024 changed
  20 % of the pixels, by up to 10 stored values; an overlap of 128 still 12 %, by up
  to 6, for 35 % more network time on a 1955 x 1841 image), and the tile and overlap
  used are recorded in the result (:attr:`TiledEvaluator.tiles_used`).
* The tile size comes from the device's free memory (capped on the CPU so that a tile
  takes well under a second), or is :data:`FLOAT32_TILE` on every device in float32
  (:func:`fixed_tile`), same-shaped tiles are batched on a GPU, and an
  out-of-memory error halves the batch (if the failed call held several tiles), else
  the tile, and tries again.
* Only the network call runs in reduced precision, under autocast in the type the
  evaluator is given (:func:`core.device.inference_dtype`: float16 on CUDA, with
  channels-last weights, bfloat16 on a CPU with AMX); ``eps`` is blended in float32.
  In float32 on CUDA the convolutions are kept from TF32 (PyTorch's default for them).
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch

from core.device import free_memory_bytes
from core.diffusion.model import DiffusionModel
from core.diffusion.unet import UNetConfig
from core.errors import XrayError

ACTIVATIONS_AT_PEAK = 16
"""Peak inference memory in full-resolution feature maps of the first level (measured
about 13 for the default U-Net on the CPU; 16 leaves a margin)."""

CPU_MAX_TILE = 512
"""Largest CPU tile, so a cancel is answered within a second even on a loaded 2-core machine:
one evaluation of the default U-Net on one thread took 0.30 s at 576 px and 0.53-0.59 s at
832 px with the other core busy, and over 2 s at 768 px under heavy load."""

GPU_MAX_TILE = 2048
"""Largest GPU tile: a 2k radiograph in one piece."""

FLOAT32_TILE = CPU_MAX_TILE
"""Tile of a run asked for in float32 (``precision="float32"``), on every device unless
another is asked for: the CPU's, so that float32 results agree across machines (the tile
changes the result, see the module's notes)."""

CPU_MEMORY_BUDGET = 1024**3
"""At most this much RAM (and a quarter of what is free) for one CPU evaluation."""

GPU_MEMORY_FRACTION = 0.5
"""Share of the free GPU memory one batch may use."""

MIN_TILE = 64
"""The smallest tile side: neither one asked for nor an out-of-memory retry goes below it."""

Report = TypeVar("Report")


def is_out_of_memory(error: BaseException) -> bool:
    """Tell whether an exception is an allocation failure (CUDA, MPS or CPU).

    PyTorch's CPU allocator words it per system: "can't allocate memory" on Linux and
    macOS, "DefaultCPUAllocator: not enough memory" on Windows; MPS says "out of memory".
    """
    if isinstance(error, torch.cuda.OutOfMemoryError):  # torch.OutOfMemoryError from 2.5
        return True
    text = str(error)
    return isinstance(error, RuntimeError) and any(
        words in text for words in ("out of memory", "can't allocate memory", "not enough memory")
    )


def size_multiple(model: DiffusionModel) -> int:
    """Return the network's input size multiple (1 for networks without a U-Net config)."""
    config = getattr(model.network, "config", None)
    return config.size_multiple if isinstance(config, UNetConfig) else 1


def bytes_per_pixel(model: DiffusionModel, *, half: bool) -> float:
    """Estimate the peak memory of one network evaluation per input pixel.

    Parameters
    ----------
    model : DiffusionModel
        A U-Net model (other networks are costed as the default U-Net).
    half : bool
        Activations in 16-bit floats (float16 or bfloat16 autocast). With bfloat16 on
        the CPU the shipped model's peak grew by 264 bytes a pixel at 1024 px against
        453 in float32.

    Returns
    -------
    float
        Bytes.
    """
    config = getattr(model.network, "config", None)
    if not isinstance(config, UNetConfig):
        config = UNetConfig()
    channels = config.base_channels * config.channel_mult[0] / config.unshuffle**2
    return ACTIVATIONS_AT_PEAK * channels * (2 if half else 4)


def _round_down(value: int, multiple: int) -> int:
    return max(multiple, value // multiple * multiple)


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def tile_overlap(model: DiffusionModel, overlap: int) -> int:
    """Return the overlap the evaluator uses when asked for `overlap`.

    Parameters
    ----------
    model : DiffusionModel
        The model to run.
    overlap : int
        The overlap asked for.

    Returns
    -------
    int
        `overlap` rounded up to the network's size multiple (:func:`size_multiple`).
    """
    return _round_up(overlap, size_multiple(model))


def auto_tiling(
    model: DiffusionModel,
    device: torch.device,
    *,
    overlap: int,
    dtype: torch.dtype = torch.float32,
) -> tuple[int, int]:
    """Choose the tile side and batch size for a device from its free memory.

    Parameters
    ----------
    model : DiffusionModel
        The model to run.
    device : torch.device
        Where it runs.
    overlap : int
        Tile overlap; the tile is at least 4 times it.
    dtype : torch.dtype
        The type the network computes in (a 16-bit one halves the activations).

    Returns
    -------
    tile : int
        A multiple of the network's size multiple.
    batch : int
        Tiles per evaluation: 1 on the CPU (one tile at a time keeps cancelling quick).
    """
    multiple = size_multiple(model)
    per_pixel = bytes_per_pixel(model, half=dtype.itemsize == 2)
    cap = CPU_MAX_TILE if device.type == "cpu" else GPU_MAX_TILE
    side = min(int(math.sqrt(memory_budget(device) / per_pixel)), cap)
    smallest = 4 * _round_up(overlap, multiple)  # the evaluator rounds the overlap up
    tile = _round_down(max(side, smallest, MIN_TILE), multiple)
    return tile, batch_size(model, device, tile, dtype=dtype)


def fixed_tile(model: DiffusionModel, *, overlap: int) -> int:
    """Return the tile of a float32 run: :data:`FLOAT32_TILE`, whatever the device's memory.

    Parameters
    ----------
    model : DiffusionModel
        The model to run.
    overlap : int
        Tile overlap; the tile is at least 4 times it (rounded up to the size multiple).

    Returns
    -------
    int
        512 for the shipped model and the default overlap; a multiple of the network's
        size multiple.
    """
    return _round_up(max(FLOAT32_TILE, 4 * tile_overlap(model, overlap)), size_multiple(model))


def check_tile_size(model: DiffusionModel, tile: int, *, overlap: int = 0) -> None:
    """Refuse a tile side the network cannot take as it is, or too short for the overlap.

    Parameters
    ----------
    model : DiffusionModel
        The model to run.
    tile : int
        The tile side asked for (``--tile-size``).
    overlap : int
        The overlap asked for (``--tile-overlap``); the run uses it rounded up to the
        network's size multiple (:func:`tile_overlap`).

    Raises
    ------
    ValueError
        If `tile` is not a multiple of the network's size multiple
        (:func:`size_multiple`, 16 for the shipped model), naming the nearest that are;
        or if it is under 4 times the overlap the run uses, naming that overlap.
    """
    multiple = size_multiple(model)
    if tile % multiple:
        below = max(multiple, tile // multiple * multiple)
        raise ValueError(
            f"tile size {tile} must be a multiple of {multiple}, the network's size "
            f"multiple: {below} or {below + multiple}, say"
        )
    used = tile_overlap(model, overlap)
    if tile < 4 * used:
        why = f" ({overlap} rounded up to a multiple of {multiple}, the network's size multiple)"
        raise ValueError(
            f"tile size {tile} must be at least 4 x the tile overlap {used}"
            f"{why if used != overlap else ''}, {4 * used}: raise the tile size or lower the "
            "overlap"
        )


def memory_budget(device: torch.device) -> float:
    """Return the bytes one evaluation may use: a share of the free memory (capped on a CPU)."""
    free = free_memory_bytes(device)
    if device.type == "cpu":
        return min(free / 4, CPU_MEMORY_BUDGET)
    return free * GPU_MEMORY_FRACTION


def batch_size(
    model: DiffusionModel, device: torch.device, tile: int, *, dtype: torch.dtype = torch.float32
) -> int:
    """Return how many tiles of side ``tile`` fit one evaluation on a GPU; 1 on the CPU.

    The network computes in ``dtype`` (a 16-bit one halves the activations).
    """
    if device.type == "cpu":
        return 1
    per_tile = bytes_per_pixel(model, half=dtype.itemsize == 2) * tile * tile
    return max(1, int(memory_budget(device) // per_tile))


@dataclass(frozen=True)
class Tile:
    """One tile: its rows and columns, and its blending weights."""

    rows: slice
    cols: slice
    weights: np.ndarray


def _axis_tiles(
    length: int, tile: int, overlap: int, multiple: int
) -> list[tuple[slice, np.ndarray]]:
    """Cut one axis into tiles with 1-D blending weights that sum to 1 at every pixel.

    ``n`` tiles of equal length ``T`` (the last one cut at the border), ``T`` a multiple
    of ``multiple`` and as short as covers ``length`` with stride ``T - overlap``: little
    work is wasted on overlaps. A last tile that would be narrower than ``multiple``
    (possible with no overlap) starts ``multiple`` earlier, the
    pixels it gains weighing 0, so that the network sees no tile narrower than its
    size multiple (its padding would not fit in a side no longer than it).
    """
    if length <= tile:
        return [(slice(0, length), np.ones(length))]
    n = math.ceil((length - overlap) / (tile - overlap))
    size = min(_round_up(math.ceil((length + (n - 1) * overlap) / n), multiple), tile)
    stride = size - overlap
    # Rising ramp sin^2; the falling ramp of the tile before is cos^2 on the same pixels.
    ramp = np.sin(np.pi / 2 * (np.arange(overlap) + 0.5) / overlap) ** 2
    out = []
    for k in range(n):
        start = k * stride
        stop = length if k == n - 1 else start + size
        weights = np.ones(stop - start)
        if overlap and k > 0:
            weights[:overlap] = ramp
        if overlap and k < n - 1:
            weights[-overlap:] = ramp[::-1]
        if k == n - 1 and stop - start < multiple:  # context only, for the network
            weights = np.concatenate([np.zeros(multiple), weights])
            start -= multiple
        out.append((slice(start, stop), weights))
    return out


def plan_tiles(shape: tuple[int, int], tile: int, overlap: int, multiple: int) -> list[Tile]:
    """Cover an image with overlapping tiles whose blending weights sum to 1.

    Parameters
    ----------
    shape : tuple of int
        (rows, cols) of the image.
    tile : int
        Largest tile side, a multiple of ``multiple`` and at least 4 times ``overlap``.
    overlap : int
        Overlap of neighbouring tiles, a multiple of ``multiple``.
    multiple : int
        Tile starts are multiples of this.

    Returns
    -------
    list of Tile
        Row-major.
    """
    rows = _axis_tiles(shape[0], tile, overlap, multiple)
    cols = _axis_tiles(shape[1], tile, overlap, multiple)
    return [Tile(r, c, np.outer(wr, wc)) for r, wr in rows for c, wc in cols]


class TiledEvaluator:
    """Evaluate ``eps_theta(x_t, t)`` over a full image, tile by tile.

    Parameters
    ----------
    model : DiffusionModel
        The noise predictor, already on its device.
    tile : int
        Largest tile side: a multiple of the network's size multiple (another is
        refused, :func:`check_tile_size`).
    overlap : int
        Tile overlap; rounded up to the network's size multiple.
    batch : int
        Same-shaped tiles per network call.
    dtype : torch.dtype
        The type the network computes in, under autocast
        (:func:`core.device.inference_dtype`); float32 runs it without autocast.

    Attributes
    ----------
    tiles_used : list of int
        The tile sides whole evaluations were made with, in order, each once: one
        unless an out-of-memory error halved the tile.

    Notes
    -----
    ``tile`` and ``batch`` shrink after an out-of-memory error and stay shrunk for
    later evaluations.
    """

    def __init__(
        self,
        model: DiffusionModel,
        *,
        tile: int,
        overlap: int,
        batch: int = 1,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        self.model = model
        self.device = model.device
        self.dtype = dtype
        self.multiple = size_multiple(model)
        self.overlap = tile_overlap(model, overlap)
        check_tile_size(model, tile, overlap=overlap)
        self.tile = tile
        if batch < 1:
            raise ValueError(f"batch must be at least 1, got {batch}")
        self.batch = batch
        self.tiles_used: list[int] = []
        self._running = 0  # tiles in the network call under way

    def n_tiles(self, shape: tuple[int, int]) -> int:
        """Return how many tiles an image of ``shape`` (rows, cols) is cut into now."""
        return len(plan_tiles(shape, self.tile, self.overlap, self.multiple))

    def evaluate(
        self, x: torch.Tensor, t: float, report: Callable[[int, int], Report]
    ) -> Generator[Report, None, torch.Tensor]:
        """Evaluate the noise prediction for the whole image.

        Parameters
        ----------
        x : Tensor, shape (1, 1, H, W)
            ``x_t``, on the model's device.
        t : float
            Its time.
        report : callable
            ``report(tiles done, tiles)`` gives what to yield after each network call.

        Yields
        ------
        object
            ``report``'s value after each network call.

        Returns
        -------
        Tensor
            ``eps``, shape of ``x``, float32.

        Raises
        ------
        XrayError
            If even the smallest tile runs out of memory.
        """
        while True:
            tiles = plan_tiles(tuple(x.shape[-2:]), self.tile, self.overlap, self.multiple)
            try:
                eps = yield from self._evaluate(x, t, tiles, report)
            except RuntimeError as error:
                if not is_out_of_memory(error):
                    raise
                self._shrink(error)
                continue
            if not self.tiles_used or self.tiles_used[-1] != self.tile:
                self.tiles_used.append(self.tile)
            return eps

    def _evaluate(
        self, x: torch.Tensor, t: float, tiles: list[Tile], report: Callable[[int, int], Report]
    ) -> Generator[Report, None, torch.Tensor]:
        self._running = 0  # an allocation outside a network call fails with no tiles running
        with torch.inference_mode():
            eps = torch.zeros(x.shape, dtype=torch.float32, device=self.device)
        done = 0
        for group in _batches(tiles, self.batch):
            self._running = len(group)
            with torch.inference_mode():
                batch = torch.cat([x[..., tile.rows, tile.cols] for tile in group])
                with self._precision():
                    predicted = self.model.predict_eps(batch, t)
                for tile, tile_eps in zip(group, predicted.float(), strict=True):
                    weights = torch.from_numpy(tile.weights).to(self.device, torch.float32)
                    eps[..., tile.rows, tile.cols] += tile_eps * weights
            done += len(group)
            yield report(done, len(tiles))
        return eps

    def _precision(self) -> contextlib.AbstractContextManager[None]:
        """Autocast to :attr:`dtype`; in float32 on CUDA, IEEE float32 convolutions."""
        if self.dtype != torch.float32:
            return torch.autocast(self.device.type, dtype=self.dtype)
        if self.device.type == "cuda":
            return _ieee_convolutions()
        return contextlib.nullcontext()

    def _shrink(self, error: BaseException) -> None:
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        elif self.device.type == "mps":
            torch.mps.empty_cache()
        smallest = _round_up(max(MIN_TILE, 4 * self.overlap), self.multiple)
        if self._running > 1:  # a smaller batch helps only if the failed call held several tiles
            self.batch = self._running // 2
        elif self.tile > smallest:
            self.tile = max(_round_down(self.tile // 2, self.multiple), smallest)
        else:
            raise XrayError(
                f"not enough memory on {self.device} for the denoiser, even with "
                f"{self.tile}-pixel tiles; close other programs or use another device"
            ) from error


_IEEE_LOCK = threading.Lock()
_ieee_runs: list[object] = []  # the setting before the first run, once per run in progress


@contextlib.contextmanager
def _ieee_convolutions() -> Iterator[None]:
    """Run cuDNN convolutions in IEEE float32 rather than TF32, then restore the setting.

    The setting is global: the first of overlapping runs (threads) saves and sets it,
    the last to end restores it, so that none runs in TF32 while another is in float32.
    PyTorch 2.9 and later name it ``cudnn.conv.fp32_precision``, earlier ones
    ``cudnn.allow_tf32``.
    """
    cudnn = torch.backends.cudnn
    if hasattr(cudnn, "conv"):
        owner, name, ieee = cudnn.conv, "fp32_precision", "ieee"
    else:
        owner, name, ieee = cudnn, "allow_tf32", False
    with _IEEE_LOCK:
        _ieee_runs.append(getattr(owner, name) if not _ieee_runs else _ieee_runs[0])
        setattr(owner, name, ieee)
    try:
        yield
    finally:
        with _IEEE_LOCK:
            before = _ieee_runs.pop()
            if not _ieee_runs:
                setattr(owner, name, before)


def _batches(tiles: list[Tile], size: int) -> list[list[Tile]]:
    """Group same-shaped tiles, in order, into batches of at most ``size``."""
    groups: dict[tuple[int, int], list[Tile]] = {}
    for tile in tiles:
        groups.setdefault(tile.weights.shape, []).append(tile)
    return [group[i : i + size] for group in groups.values() for i in range(0, len(group), size)]
