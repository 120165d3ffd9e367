"""The jobs worker threads run: denoise, demo generation, batch, dose simulation, metrics.

Each job is a Qt-free generator that yields :class:`Progress` events, each a
point where :class:`~xraygui.worker.GeneratorWorker` may cancel it, and returns
its result. Everything it yields or returns is numpy or plain Python: core
already hands back CPU arrays in pixel units.
"""

from __future__ import annotations

import gc
import math
import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from core.code_version import software
from core.denoise import (
    DenoiseResult,
    DenoiseSettings,
    DenoiseStep,
    NoiseEstimate,
    TileProgress,
    denoise_steps,
    forward_process,
    generate_demo,
    open_model,
)
from core.denoise.domain import ModelDomain
from core.denoise.explain import forward_domain
from core.device import inference_dtype, precision_label, select_device
from core.diffusion import DiffusionModel
from core.errors import ImageWriteError, XrayError, collecting_warnings, error_line
from core.image import XrayImage
from core.io import WRITTEN_AS, read_image, write_image
from core.io.atomic import atomic_write, check_writable_folder
from core.io.dicom_write import derived_series_uid
from core.io.notice import DISCLAIMER
from core.io.output_names import output_stems
from core.io.paths import broken_link_reason, resolved, unlisted_reason
from core.io.source_record import (
    denoised_by_this_program,
    records_by_description,
    source_record,
)
from core.metrics import Region
from core.noise import LowDoseSettings, simulate_low_dose_image
from xraygui.analysis import Comparison, comparisons, noise_estimate, noise_sigma
from xraygui.catalog import is_image_file, iter_image_files
from xraygui.controls import DenoiseOptions
from xraygui.models import FileStamp, model_stamp, remembered_entry
from xraygui.reports import csv_bytes, timestamp
from xraygui.timeline import DEMO_STEPS, SIGMA_UNITS, noisy_state

PROGRESS_UNITS = 1000
"""The progress bar's range."""

BATCH_COLUMNS = (
    "source",
    "output",
    "rows",
    "columns",
    "frame",
    "noise_before",
    "noise_after",
    "t_start",
    "model",
    "model_sha256",
    "settings",
    "device",
    "seconds",
    "error",
    "software",
    "created",
    "disclaimer",
    "precision",
    "low_quanta_warning",
    "source_sha256",
    "tile_sizes",
    "tile_overlap",
    "warnings",
)
"""The batch table's columns; later versions add columns at the end only. ``source_sha256``
is that of the source's bytes as read and denoised (:attr:`XrayImage.source_sha256`);
``tile_sizes`` the sides of the tiles the network ran on, in order, space-separated (one
unless memory ran out), and ``tile_overlap`` their overlap, as the report's CSV has them:
the tile changes the result. ``warnings`` is what the denoise warned of in the input
(:attr:`DenoiseResult.warnings`: that it was lossy-compressed), ``"; "`` between two."""

OUTPUT_SUFFIX = {**WRITTEN_AS, "npy": ".tif"}
"""Output format by source format, one that holds its values (:data:`core.io.WRITTEN_AS`,
but TIFF for ``.npy``, often float, which viewers open). The batch writes it and Export
image suggests it."""


@dataclass(frozen=True)
class Progress:
    """A progress event of a job.

    Parameters
    ----------
    done, total : int
        Units of work done and in all (for the progress bar).
    text : str
        Caption, e.g. ``"step 3/10, tile 2/4"``.
    frame : DenoiseStep or None
        A finished step's images (pixel units), for the timeline.
    table : Path or None
        A batch's table (:func:`batch_job`), in each event that starts a file: where the
        files done are listed, should the batch be cancelled.
    """

    done: int
    total: int
    text: str
    frame: DenoiseStep | None = None
    table: Path | None = None


_MODELS: dict[tuple[FileStamp, ...], DiffusionModel] = {}


def cached_model(path: Path, *, reload: bool = False) -> DiffusionModel:
    """Load a model once; later calls reuse it while its files are unchanged (one in memory).

    The cache is keyed on both files as they are on disk (:func:`xraygui.models.model_stamp`:
    resolved path, size, times, inode), so that a model file replaced, rewritten or
    repointed through a link is loaded again, and refused if it is now corrupt.

    Parameters
    ----------
    path : Path
        Weights file (its JSON card beside it).
    reload : bool
        Load from disk (checksum and all) even if the files look unchanged.

    Returns
    -------
    DiffusionModel
        On the CPU or wherever the last run moved it.

    Raises
    ------
    ModelFileError
        If the file is missing, corrupt or not a model.
    """
    key = model_stamp(Path(path))  # taken before loading: a change meanwhile reloads
    if reload or key is None or key not in _MODELS:
        _MODELS.clear()
        gc.collect()
        model = open_model(path, device="cpu")
        if key is not None:
            _MODELS[key] = model
        return model
    return _MODELS[key]


def release_models() -> None:
    """Forget the cached model, so that its (GPU) memory can be freed."""
    _MODELS.clear()
    gc.collect()


def check_model_present(path: Path) -> None:
    """Raise what a Denoise would where the files of the model at `path` are gone.

    Nothing is loaded where they are there (:func:`xraygui.models.remembered_entry`).

    Raises
    ------
    ModelFileError
        If the weights file or the model card beside it is missing: the line loading it
        gives (:func:`cached_model`), naming the file.
    """
    if remembered_entry(Path(path)).missing:
        cached_model(path)  # raises before it reads a weight: a file is missing


def denoise_settings(options: DenoiseOptions) -> DenoiseSettings:
    """Turn the control panel's options into core's settings.

    Raises
    ------
    ValueError
        If a value is out of range or the device is unknown.
    """
    return DenoiseSettings(
        sampler=options.sampler,
        n_steps=options.n_steps,
        seed=options.seed,
        strength=options.strength,
        device=options.device,
        views=options.views,
        n_uncertainty_samples=options.n_uncertainty_samples,
        precision=options.precision,
        tile_size=options.tile_size,
    )


def _tile_text(event: TileProgress) -> str:
    """Return the caption of a progress event: run, step, tile, and the time left once known."""
    run = "denoise" if event.run == 0 else f"uncertainty sample {event.run}/{event.n_runs - 1}"
    if event.step == 0:
        return f"{run}: noise estimated, starting"
    left = "" if event.remaining is None else f", {_duration(event.remaining)} left"
    return f"{run}: step {event.step}/{event.n_steps}, tile {event.tile}/{event.n_tiles}{left}"


def _duration(seconds: float) -> str:
    """``"8 s"``, ``"2 min 05 s"``: a time left, to the second."""
    whole = round(seconds)
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


def _run(
    image: XrayImage, options: DenoiseOptions, *, step_images: bool, prefix: str = ""
) -> Generator[Progress, None, DenoiseResult]:
    """Denoise one image, yielding progress; return core's result."""
    settings = denoise_settings(options)
    assert options.model is not None
    model = cached_model(options.model)
    result = None
    steps = denoise_steps(image, model, settings, step_images=step_images)
    try:
        for event in steps:
            if isinstance(event, TileProgress):
                yield Progress(
                    round(event.fraction * PROGRESS_UNITS),
                    PROGRESS_UNITS,
                    prefix + _tile_text(event),
                )
            elif isinstance(event, DenoiseStep):
                yield Progress(-1, PROGRESS_UNITS, "", frame=event)
            else:
                result = event
    finally:
        steps.close()  # on cancel: core stops at once and frees its memory
        if settings.device != "cpu" and next(model.parameters()).device.type != "cpu":
            release_models()  # free the GPU's copy of the weights between runs
    assert result is not None
    return result


def denoise_job(
    image: XrayImage, options: DenoiseOptions
) -> Generator[Progress, None, DenoiseResult]:
    """Denoise `image` with step images for the timeline (run by the worker).

    Parameters
    ----------
    image : XrayImage
        The noisy image.
    options : DenoiseOptions
        From the control panel; ``options.model`` must be set.

    Yields
    ------
    Progress
        After every network call (``done >= 0``) and after every step (``frame`` set).

    Returns
    -------
    DenoiseResult
    """
    return (yield from _run(image, options, step_images=True))


def demo_job(
    options: DenoiseOptions, shape: tuple[int, int], n_steps: int = DEMO_STEPS
) -> Iterator[Progress]:
    """Generate an image from pure noise, yielding every step (model domain, [-1, 1]).

    The device and precision are chosen as for a denoise
    (:func:`core.device.select_device`, :func:`core.device.inference_dtype`): a device
    this machine lacks is refused as Denoise refuses it.

    Parameters
    ----------
    options : DenoiseOptions
        Model, sampler, seed, device and precision; its steps (the Denoise's) are not used.
    shape : tuple of int
        ``(rows, cols)`` of the generated image.
    n_steps : int
        Steps of the generation.

    Yields
    ------
    Progress
        One per step, with ``frame`` set; its text names the precision and the device
        (``"generating: step 3/25, float32 on CPU"``).

    Raises
    ------
    ValueError
        If the device is unknown or not on this machine, or the precision unknown
        (raised on the first ``next``, before the model is loaded).
    """
    device = select_device(options.device)
    dtype = inference_dtype(device, options.precision)
    assert options.model is not None
    model = cached_model(options.model).to(device)
    where = precision_label(dtype, device)
    states = generate_demo(
        model, shape, n_steps=n_steps, seed=options.seed, sampler=options.sampler, dtype=dtype
    )
    try:
        for state in states:
            frame = DenoiseStep(
                state.step,
                state.n_steps,
                state.t,
                state.sigma,
                state.x_t,
                state.x0_pred,
                state.t_from,
                state.sigma_from,
            )
            text = f"generating: step {state.step}/{state.n_steps}, {where}"
            yield Progress(state.step, state.n_steps, text, frame=frame)
    finally:
        states.close()
        if device.type != "cpu":
            release_models()  # free the GPU's copy of the weights, as after a denoise


def simulate_job(
    source: XrayImage, settings: LowDoseSettings, message: str
) -> Generator[Progress, None, XrayImage]:
    """Simulate a lower dose of `source` (:func:`core.noise.simulate_low_dose_image`).

    Parameters
    ----------
    source : XrayImage
        The image as opened.
    settings : LowDoseSettings
        Dose, detector and seed.
    message : str
        What the progress says, in the window's locale: ``"Simulating a 12.5 % dose..."``.

    Yields
    ------
    Progress
        Once, before the simulation (where it may be cancelled).

    Returns
    -------
    XrayImage
        The simulated image, in the source's stored units.
    """
    yield Progress(0, PROGRESS_UNITS, message)
    return simulate_low_dose_image(source, settings)


def noise_job(image: XrayImage) -> Generator[None, None, float | None]:
    """Estimate the noise std of an image just opened (:func:`xraygui.analysis.noise_sigma`).

    Yields
    ------
    None
        Once, before the estimate (a point where the job may be cancelled).

    Returns
    -------
    float or None
        The std in pixel units, or None if the image is too small or flat to tell.
    """
    yield None
    return noise_sigma(image)


KnownNoise = tuple[XrayImage, NoiseEstimate | None]
"""A reference and its noise estimate (None: not measurable), made once per reference."""


@dataclass(frozen=True)
class MetricsUpdate:
    """What :func:`metrics_job` computed.

    Parameters
    ----------
    rows : list of Comparison
        The metrics panel's rows: the whole image's, then the region's.
    reference_noise : KnownNoise or None
        The reference's noise estimate (None without a reference).
    """

    rows: list[Comparison]
    reference_noise: KnownNoise | None


def metrics_job(
    reference: XrayImage | None,
    image: XrayImage,
    denoised: XrayImage | None,
    region: Region | None,
    *,
    image_rows: list[Comparison] | None = None,
    known_noise: KnownNoise | None = None,
) -> Generator[Progress, None, MetricsUpdate]:
    """Compute the metrics panel's rows (:func:`xraygui.analysis.comparisons`).

    Parameters
    ----------
    reference, image, denoised : XrayImage or None
        The reference, the noisy image and the result, as :func:`comparisons` takes them.
    region : Region or None
        The region of interest, already inside the image.
    image_rows : list of Comparison, optional
        The whole image's rows when they are still valid (only the region changed):
        they are kept instead of computed again.
    known_noise : KnownNoise, optional
        The reference's noise estimate if made before; made here if it is for another
        reference.

    Yields
    ------
    Progress
        Once, after the noise estimate (a point where the job may be cancelled).

    Returns
    -------
    MetricsUpdate
    """
    if reference is not None and (known_noise is None or known_noise[0] is not reference):
        known_noise = (reference, noise_estimate(reference))
    noise = None if reference is None or known_noise is None else known_noise[1]
    yield Progress(0, PROGRESS_UNITS, "Computing the metrics...")
    if image_rows is None:
        rows = comparisons(reference, image, denoised, reference_noise=noise)
    else:
        rows = list(image_rows)
    if region is not None:
        rows += comparisons(
            reference, image, denoised, region=region, whole=False, reference_noise=noise
        )
    return MetricsUpdate(rows, None if reference is None else known_noise)


class ForwardPreview:
    """The forward process q(x_t | x_0) of one image, with its model-domain map kept.

    Any image will do, also one whose noise cannot be estimated (a constant one, one of
    nothing but padding, one under 9 x 9 pixels): q(x_t | x_0) needs no noise estimate,
    and :func:`core.denoise.explain.forward_domain` then maps the data's range of values
    onto the model's.

    Parameters
    ----------
    image : XrayImage
        ``x_0``.
    model_path : Path
        The model whose schedule to use.
    source : str
        What ``image`` is, for the label: ``"the original image"`` where the image shown
        is a simulated low dose of it, say.

    Notes
    -----
    :meth:`at` may run in a worker thread (:func:`forward_job`) while the GUI thread
    asks :meth:`kept` and :meth:`last`: the x_t made last is replaced whole, never changed.
    """

    def __init__(self, image: XrayImage, model_path: Path, *, source: str = "the image") -> None:
        self.image = image
        self.model_path = model_path
        self.source = source
        self.model = cached_model(model_path)
        self._domain: ModelDomain | None = None
        self._last: tuple[tuple[float, int], np.ndarray, float] | None = None

    @property
    def domain(self) -> ModelDomain:
        """The image's map to the model domain, made on first use (it estimates the noise)."""
        if self._domain is None:
            self._domain = forward_domain(self.image)
        return self._domain

    def at(self, t: float, seed: int) -> tuple[np.ndarray, float]:
        """Return ``x_t`` in pixel units and the schedule's noise level at `t`.

        The last ``x_t`` is kept: asked again for the same `t` and `seed` (the window
        changed, say), the same array comes back without running the process again.
        """
        last = self._last
        if last is None or last[0] != (t, seed):
            pixels = forward_process(self.image, self.model, t, seed=seed, domain=self.domain)
            last = self._last = ((t, seed), pixels, float(self.model.schedule.sigma(t)))
        return last[1], last[2]

    def kept(self, t: float, seed: int) -> tuple[np.ndarray, float] | None:
        """Return what :meth:`at` returns if it was asked for `t` and `seed` last, else None.

        Nothing is computed.
        """
        last = self._last
        return None if last is None or last[0] != (t, seed) else (last[1], last[2])

    def last(self) -> tuple[float, np.ndarray] | None:
        """Return the t and the x_t :meth:`at` made last (None: none yet)."""
        last = self._last
        return None if last is None else (last[0][0], last[1])

    def label(self, t: float, sigma: float) -> str:
        """Describe the picture at `t` for the timeline: the process, its ``x_0``, t, and x_t.

        The picture is ``x_t`` itself, ``sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps``
        (:func:`xraygui.timeline.noisy_state`), of the schedule's `sigma` at `t`.
        """
        process = f"forward q(x_t | x_0), x_0 = {self.source}"
        state = noisy_state(sigma, scaled=False)
        return f"{process}:   t = {t:g}   {state} ({SIGMA_UNITS})"


def forward_job(preview: ForwardPreview, t: float, seed: int) -> Generator[None, None, None]:
    """Make a forward preview's ``x_t`` at `t` in a worker (:meth:`ForwardPreview.at`).

    The preview keeps it, for :meth:`ForwardPreview.kept`.

    Yields
    ------
    None
        Once, before the work (a point where the job may be cancelled).
    """
    yield None
    preview.at(t, seed)


def _batch_row(
    path: Path,
    output: Path | None,
    image: XrayImage | None,
    result: DenoiseResult | None,
    error: str = "",
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source": str(path),
        "output": str(output or ""),
        "error": error,
        "software": software(),
        "created": timestamp(),
        "disclaimer": DISCLAIMER,
    }
    if image is not None:
        # The batch denoises a multi-frame file's first frame; the row says of how many.
        row.update(
            rows=image.shape[0],
            columns=image.shape[1],
            frame=f"{image.frame + 1} of {image.n_frames}",
            source_sha256=image.source_sha256,
        )
    if result is not None:
        row.update(
            noise_before=f"{result.noise_before.sigma:.6g}",
            noise_after="" if math.isnan(result.noise_after) else f"{result.noise_after:.6g}",
            t_start=f"{result.t_start:.3f}",
            model=result.model_name,
            model_sha256=result.model_sha256,
            settings=result.settings.describe(),
            device=result.device,
            precision=result.precision,
            seconds=f"{result.seconds:.2f}",
            low_quanta_warning="" if result.low_quanta is None else result.low_quanta.describe(),
            tile_sizes=" ".join(map(str, result.tile_sizes)),
            tile_overlap=result.tile_overlap,
            warnings="; ".join(result.warnings),
        )
    return row


def _offset(
    run: Generator[Progress, None, DenoiseResult], start: int, total: int
) -> Generator[Progress, None, DenoiseResult]:
    """Re-yield one file's progress within the whole batch; return its result."""
    try:
        while True:
            try:
                event = next(run)
            except StopIteration as stop:
                return stop.value
            if event.done >= 0:
                yield Progress(start + event.done, total, event.text)
    finally:
        run.close()


def write_batch_csv(rows: list[dict[str, Any]], path: Path) -> None:
    r"""Write the batch table atomically (replacing the previous version).

    File names that are not valid UTF-8 are written with their odd bytes as ``\xNN``
    (:func:`core.io.safe_text.text_safe`), and text a spreadsheet would run as a formula
    with a single quote before it (:func:`core.io.csv_cells.spreadsheet_cell`).
    """
    data = csv_bytes(BATCH_COLUMNS, rows)
    with atomic_write(path, overwrite=True) as file:
        file.write(data)


def _try_write_batch_csv(rows: list[dict[str, Any]], path: Path) -> str:
    """Write the batch table; return why it could not be, or ``""`` (the batch goes on)."""
    try:
        write_batch_csv(rows, path)
    except Exception as error:  # a full disk or a bug: reported, never the end of the batch
        return error_line(error)
    return ""


def _not_written(output: Path, produced: dict[str, Path]) -> str:
    """Say why an existing `output` was not written: another input's, or there before."""
    other = produced.get(str(output).casefold())  # the same file on a case-blind disk
    if other is not None:
        return f"not denoised: {output} would overwrite the output of {other}"
    return f"not denoised: {output} exists (a batch never replaces a file)"


def batch_job(
    source: Path, target: Path, options: DenoiseOptions
) -> Generator[Progress, None, str]:
    """Denoise every image under `source` into `target`, one CSV row per file.

    Outputs keep the relative path with ``_denoised`` added (:data:`OUTPUT_SUFFIX`);
    inputs of one folder that share a stem keep their extension in it too
    (:func:`output_stems`: ``a.jpg`` and ``a.png`` give ``a_jpg_denoised.png`` and
    ``a_png_denoised.png``). Existing files and the sources are never overwritten: a file
    whose output exists is not denoised, and its row says so. A file this program denoised
    (:func:`~core.io.source_record.denoised_by_this_program`: an earlier batch's output
    kept among the inputs, an export) is
    not denoised again, nor is a file that is not an image (by neither its name nor its
    signature, as the browser tells them): their rows say they were skipped
    (:data:`SKIPPED`), and they count as neither written nor failed. Of a multi-frame file
    the first frame is denoised, its row says of how many, and the summary how many
    frames were left out. A PNG's or TIFF's
    description ends with its source's record, as ``xray-denoise denoise`` writes it
    (:func:`core.io.source_record.source_record`). The DICOM outputs of one
    source series form one derived series (:func:`derived_series_uid`), each keeping its
    source's InstanceNumber. No uncertainty sample is drawn, whatever `options` ask: the
    batch writes no uncertainty map (the settings column says what ran). The table,
    ``target/batch_metrics.csv`` (or ``batch_metrics_2.csv`` and so on if that exists,
    from an earlier batch), is rewritten after every file, so a cancelled batch leaves a
    table of the files done (the event that starts each file names it,
    :attr:`Progress.table`); should it fail to be written (a full disk), the images are
    still denoised and the summary says so. The model and the device are checked once,
    before the output folder is made: a model file missing or a device this machine
    lacks fails the batch in one line, not each file.

    Parameters
    ----------
    source, target : Path
        Input and output folders (`target` may not be `source` itself).
    options : DenoiseOptions
        From the control panel; its uncertainty samples are left out.

    Yields
    ------
    Progress

    Returns
    -------
    str
        A one-line summary: files written and not, those skipped, the frames of
        multi-frame files left out, how many of them read low where few quanta were
        detected (:attr:`DenoiseResult.low_quanta`) and of how many the input was warned
        of (:attr:`DenoiseResult.warnings`: lossy compression), that the uncertainty
        samples asked for were not drawn, and the table's path (or why the table could
        not be written).

    Raises
    ------
    ValueError
        If `target` is `source`, a setting is out of range, or the device is unknown
        or not on this machine.
    XrayError
        If `target` is a file, or a folder that cannot be written
        (:func:`core.io.atomic.check_writable_folder`), or the model cannot be loaded
        (:class:`~core.errors.ModelFileError`, naming the file): found before any
        denoising.
    """
    if resolved(target) == resolved(source):
        raise ValueError("choose an output folder other than the input folder")
    if target.exists() and not target.is_dir():
        raise XrayError(f"{target} is a file, not a folder; choose another output folder")
    if os.path.lexists(target) and (reason := broken_link_reason(target)) is not None:
        raise ImageWriteError(target, f"{reason}; choose another output folder")
    samples = options.n_uncertainty_samples  # asked for, but nothing would show them
    options = replace(options, n_uncertainty_samples=0)
    unlisted: list[OSError] = []  # folders that cannot be listed: a row each, never dropped
    files = list(iter_image_files([source], onerror=unlisted.append))
    if resolved(source) in resolved(target).parents:  # outputs inside the inputs: not inputs
        files = [p for p in files if resolved(target) not in resolved(p).parents]
    if files:  # once, not a failure for each file: the settings, the device, the model
        denoise_settings(options)
        select_device(options.device)
        assert options.model is not None
        cached_model(options.model)
    target.mkdir(parents=True, exist_ok=True)
    check_writable_folder(target)
    stems = output_stems(files)
    produced: dict[str, Path] = {}  # this batch's outputs (case-folded) and their inputs
    series: dict[str, str] = {}  # derived SeriesInstanceUIDs by source series
    rows = [_batch_row(Path(e.filename), None, None, None, unlisted_reason(e)) for e in unlisted]
    csv_path = _unused(target / "batch_metrics.csv")
    table_error = _try_write_batch_csv(rows, csv_path)  # the table named, even of no file
    left_out: list[int] = []  # of each multi-frame file denoised, the frames left out
    for index, path in enumerate(files):
        prefix = f"file {index + 1}/{len(files)} {path.name}: "
        total = len(files) * PROGRESS_UNITS
        yield Progress(index * PROGRESS_UNITS, total, prefix + "reading", table=csv_path)
        image, result, skipped = None, None, ""
        try:
            read = _batch_input(path)
            if isinstance(read, str):
                skipped = read
            else:
                image = read
                suffix = OUTPUT_SUFFIX[image.source_format]
                name = f"{stems[path]}_denoised{suffix}"
                output = target / path.relative_to(source).with_name(name)
            if image is not None and not output.exists():
                run = _run(image, options, step_images=False, prefix=prefix)
                result = yield from _offset(run, index * PROGRESS_UNITS, total)
                output.parent.mkdir(parents=True, exist_ok=True)
                write_image(
                    result.image,
                    output,
                    description=result.description() + _recorded_source(output, image),
                    series_uid=derived_series_uid(result.image, series),
                )
                produced[str(output).casefold()] = path
        except Exception as error:  # bad input or a bug: the row says which, the batch goes on
            rows.append(_batch_row(path, None, image, None, error_line(error)))
        else:
            if skipped:
                rows.append(_batch_row(path, None, None, None, skipped))
            elif result is None:
                rows.append(_batch_row(path, None, image, None, _not_written(output, produced)))
            else:
                rows.append(_batch_row(path, output, image, result))
                if image.n_frames > 1:
                    left_out.append(image.n_frames - 1)
        table_error = _try_write_batch_csv(rows, csv_path)
    table = f"table not written: {table_error}" if table_error else f"table in {csv_path}"
    folders = f"; {len(unlisted)} folder(s) could not be read (see the table)" if unlisted else ""
    skips = [row["error"] for row in rows if row["error"].startswith(SKIPPED)]
    tried = len(files) - len(skips)
    if not tried:
        return f"Batch: no image file under {source}{_skipped_text(skips)}{folders}; {table}"
    written = sum(1 for row in rows if not row["error"])
    frames = (
        f"; of {len(left_out)} multi-frame file(s) only the first frame was denoised, "
        f"{sum(left_out)} frame(s) left out (its frame column says of how many)"
        if left_out
        else ""
    )
    low = sum(1 for row in rows if row.get("low_quanta_warning"))
    warned = f"; warning: {low} read low, few quanta detected (low_quanta_warning)" if low else ""
    inputs = sum(1 for row in rows if row.get("warnings"))
    if inputs:
        warned += f"; warning: {inputs} with input warnings, such as lossy compression (warnings)"
    unsampled = "; no uncertainty samples drawn (a batch writes no maps)" if samples else ""
    return (
        f"Batch: {written} of {tried} file(s) written, {tried - written} not "
        f"(its error column says why){_skipped_text(skips)}{folders}{frames}{warned}"
        f"{unsampled}; {table}"
    )


SKIPPED = "skipped: "
"""Begins the error column of a file a batch does not try to denoise (:func:`batch_job`)."""
OUR_OUTPUT = "an output of xray-denoise"
"""Why a file this program denoised is skipped
(:func:`~core.io.source_record.denoised_by_this_program`)."""
NOT_AN_IMAGE = "not an image"
"""Why a file that is an image by neither its name nor its signature is skipped."""


def _batch_input(path: Path) -> XrayImage | str:
    """Read a batch's input; or return why it is skipped (:data:`SKIPPED`), unread.

    Raises
    ------
    XrayError
        If an image file, by its name or its signature, cannot be read.
    """
    if denoised_by_this_program(path):
        return SKIPPED + OUR_OUTPUT
    try:
        with collecting_warnings():  # this thread's only: silenced, not shown
            return read_image(path)
    except XrayError as error:
        if is_image_file(path):
            raise
        return f"{SKIPPED}{NOT_AN_IMAGE}: {getattr(error, 'reason', error)}"


def _skipped_text(skips: list[str]) -> str:
    """Say in the summary how many files were skipped, and why (:data:`SKIPPED`)."""
    if not skips:
        return ""
    ours = sum(1 for why in skips if why == SKIPPED + OUR_OUTPUT)
    reasons = [
        f"{ours} output(s) of xray-denoise" if ours else "",
        f"{len(skips) - ours} not image(s)" if len(skips) > ours else "",
    ]
    return f"; {len(skips)} skipped ({', '.join(reason for reason in reasons if reason)})"


def _recorded_source(output: Path, image: XrayImage) -> str:
    """Return what `output` records of the file `image` was read from, or "".

    A PNG's or TIFF's description ends with the SHA-256 of the bytes read and the frame
    (:func:`core.io.source_record.source_record`), as ``xray-denoise denoise`` writes
    it; a DICOM references its source in its SourceImageSequence instead.
    """
    if image.source_sha256 is None or not records_by_description(output):
        return ""
    return f"; {source_record(image.source_sha256, image.frame)}"


def _unused(path: Path) -> Path:
    """`path`, or the first of ``STEM_2.SUFFIX``, ``STEM_3.SUFFIX``... that does not exist."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}_{number}{path.suffix}")
    return candidate
