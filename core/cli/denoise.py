"""``xray-denoise denoise INPUT... --output-dir DIR``: denoise images with the diffusion model.

Each INPUT gives ``DIR/<stem>.<same format>``: a DICOM a derived DICOM whose
DerivationDescription names the model, sampler, steps, precision, tiles and noise estimate after the
source's; a 16-bit PNG a 16-bit PNG on the same scale; a TIFF a TIFF. The stem is the
input's name less an image suffix, told apart from the other inputs' where they clash
(:func:`core.io.output_names.output_stems`). With ``--frame all`` each frame of a
multi-frame input gives ``DIR/<stem>_frame001.<format>``, ``_frame002`` and so on, numbered
from 1 as DICOM numbers frames and as ``--frame N`` takes them (a single-frame input keeps
``DIR/<stem>.<format>``); the frames of one DICOM form one new
derived series, InstanceNumber 1 to N in frame order. Other DICOM outputs of one source
series form one derived series, each keeping its source's InstanceNumber
(:func:`core.io.dicom_write.derived_series_uid`); a batch resumed with ``--skip-existing``
adds them, and the frames left of a file, to the derived series of the outputs it keeps,
whatever their order (of several, made by different runs, that of the first kept, with a
warning). A PNG's or TIFF's description ends
with the SHA-256 and frame of its input (:mod:`core.io.source_record`), as a derived DICOM's
SourceImageSequence references its source: ``--skip-existing`` keeps an output only if
it was made from the same input and frame, and warns where its description records other
denoising settings (weights, sampler, steps, seed, strength, views, precision; tiles,
where the run's are known before it runs) than the run's. Outputs are written atomically
and never over an input. The model, and torch with it, is loaded only when the subcommand
runs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pydicom
from tqdm import tqdm

from core import view_counts
from core.cli.denoise_report import FAILED, SKIPPED, WRITTEN, DenoiseReport, Outcome
from core.cli.frames import frame_index, read_numbered
from core.errors import (
    ImageWriteError,
    XrayError,
    collecting_warnings,
    error_line,
    is_bad_input,
    issue_warning,
)
from core.image import XrayImage, frame_label
from core.io import WRITTEN_AS, output_stems
from core.io.atomic import EXISTS, DestinationExistsError, check_writable_folder
from core.io.dicom_read import read_dataset
from core.io.dicom_write import DerivedSeriesUID, derived_series_uid
from core.io.output_names import frame_stem
from core.io.paths import broken_link_reason, resolved
from core.io.sniff import DICOM_SUFFIXES, detect_format
from core.io.source_record import (
    DENOISED_BY,
    made_from,
    raster_description,
    records_by_description,
    source_record,
)
from core.resources import file_sha256

if TYPE_CHECKING:  # torch comes with them, loaded only when the subcommand runs
    from core.denoise import DenoiseResult, DenoiseSettings
    from core.diffusion import DiffusionModel

SAMPLERS = ("ddim", "ddpm")
ALL_FRAMES = "all"
BAR = "{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}"
RESUME_HINT = "use --overwrite or another --output-dir"
RECORDED_RUN = re.compile(
    re.escape(DENOISED_BY) + r".*?, (sha256 [0-9a-f]+|unsaved weights): ([^;]*?); "
    "noise estimated from the image"
)
"""What an output's description records of the run that made it
(:meth:`core.denoise.DenoiseResult.description`): its weights, then its settings and
precision (``"DDIM, 1 step, strength 1, 4 views, bfloat16 on CPU"``)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``denoise`` subcommand."""
    parser = subparsers.add_parser(
        "denoise",
        help="denoise images with the diffusion model (blind: the noise is estimated)",
        description="Denoise low-dose radiographs. The noise level is estimated from each "
        "image; DIR/<input stem>.<same format> is written for each INPUT, the stem being "
        "its name less an image suffix (.dcm .dicom .png .tif .tiff .jpg .jpeg .npy). "
        "Inputs whose stems clash are told apart: of one folder they keep their suffix "
        "(a_png, a_jpg); inputs of different folders that share a stem or such a name, "
        "also through others, each get their folders' names (s1_IM0001, s2_IM0001; "
        "d1/x.png, d1/x.dcm and d2/x.png give d1_x_png, d1_x_dcm and d2_x); and any "
        "still alike a number (_2). With --frame all, "
        "DIR/<input stem>_frameNNN.<format> is written for each frame of a multi-frame "
        "input, numbered from 001 (a single-frame input keeps DIR/<input stem>.<format>; "
        "a frame named like another input gets _2); the frames of a DICOM form one new "
        "derived series. Other DICOM inputs of one series give one derived series.",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    parser.add_argument("--output-dir", type=Path, required=True, metavar="DIR")
    parser.add_argument(
        "--model", type=Path, metavar="M", help="model file (default: the shipped model)"
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help="reverse-diffusion steps (default 1: the posterior mean, fastest)",
    )
    parser.add_argument("--sampler", choices=SAMPLERS, default="ddim", help="default ddim")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the ddpm sampler and of the uncertainty samples, 0 to 2**64-1 (one of "
        "2**32 or more is hashed to 32 bits; default %(default)s)",
    )
    parser.add_argument(
        "--strength", type=float, default=1.0, help="noise level multiplier (default 1)"
    )
    parser.add_argument(
        "--views",
        type=_view_count,
        default=None,
        metavar="|".join(["auto", *map(str, view_counts.VIEW_COUNTS)]),
        help=f"average the prediction over {view_counts.view_counts_text()} flipped/rotated views "
        "(default auto: 4 where the network runs in float16 or bfloat16, 2 where it runs in "
        "float32; each costs a full network evaluation, 1 is the fastest); the number used is "
        "recorded in each output's description",
    )
    parser.add_argument(
        "--device", default="auto", help="auto, cpu, cuda, cuda:N or mps (default %(default)s)"
    )
    parser.add_argument(
        "--precision",
        default="auto",
        help="what the network computes in: auto (default: float16 on CUDA, bfloat16 on a "
        "CPU with AMX, float32 elsewhere) or float32 (in tiles of 512 px on every device "
        "unless --tile-size says otherwise: results that agree across machines up to "
        "floating-point rounding, but slower); the precision used is recorded in each "
        "output's description",
    )
    parser.add_argument(
        "--tile-size",
        type=int,
        default=None,
        metavar="N",
        help="side in pixels of the square tiles the network is run on: a multiple of the "
        "network's size multiple (16 for the shipped model; another is refused, not "
        "rounded, naming the nearest multiples), at least 256 (4 x the 64 px "
        "overlap of the tiles); the network sees only its tile, so the tile changes the "
        "result (default auto: from the free memory, at most 512 on the CPU and 2048 on a "
        "GPU; 512 with --precision float32); the tile used is recorded in each output's "
        "description",
    )
    parser.add_argument(
        "--threads",
        type=_thread_count,
        metavar="N",
        help="CPU threads for torch (default: torch's choice, about one per core)",
    )
    parser.add_argument(
        "--frame",
        type=_frame_choice,
        default=None,
        metavar="N|all",
        help="frame (from 1, as DICOM numbers them) of a multi-frame DICOM or page of a "
        "TIFF, or all of them (default: frame 1, with a warning where there are more)",
    )
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    existing.add_argument(
        "--skip-existing",
        action="store_true",
        help="leave existing outputs as they are and do not denoise their inputs again "
        "(to resume a stopped batch); an output is kept only if it was made from the same "
        "input and frame (a DICOM's SourceImageSequence, the input's SHA-256 in a PNG's or "
        "TIFF's description), else that input is an error; one made with other settings "
        "(model weights, sampler, steps, seed, strength, views, precision, as its "
        "description records them) is kept with a warning; a .npy, which records neither, "
        "is kept by its name alone, with a warning",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per line on stdout for each input (each frame): input, "
        "frame (from 1), output, status (ok, skipped or error), error, noise_sigma, t_star, "
        "residual_sigma (pixel-scale noise left: a white-noise estimate, not the remaining "
        "error, which is correlated), seconds, device",
    )
    parser.set_defaults(run=run)


def _frame_choice(text: str) -> int | str:
    """Parse ``--frame``: a frame number from 1 (returned as its index from 0), or ``all``."""
    if text == ALL_FRAMES:
        return text
    try:
        int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a frame number from 1 or 'all', got {text!r}"
        ) from None
    return frame_index(text)


def _view_count(text: str) -> int | None:
    """Parse ``--views``: ``auto`` (None: chosen by the network's precision) or a whole number."""
    if text == "auto":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected auto, {view_counts.view_counts_text()}, got {text!r}"
        ) from None


def _thread_count(text: str) -> int:
    """Parse ``--threads``: a whole number from 1."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1, got {text!r}")
    return count


def output_path(stem: str, source: Path, source_format: str, folder: Path) -> Path:
    """Where the denoised ``source`` goes: ``folder/<stem>.<same format>``.

    Parameters
    ----------
    stem : str
        The output's stem (:func:`core.io.output_names.output_stems`, or
        :func:`~core.io.output_names.frame_stem` for a frame written on its own).
    source : Path
        The input file.
    source_format : str
        Its format (``XrayImage.source_format``).
    folder : Path
        The output folder.

    Returns
    -------
    Path
        The input's own suffix where it names the format, else ``.dcm``, ``.png``
        (also for a JPEG), ``.tif`` or ``.npy``.
    """
    default = WRITTEN_AS[source_format]
    known = {"dicom": (".dcm", ".dicom"), "tiff": (".tif", ".tiff")}.get(source_format, ())
    suffix = source.suffix if source.suffix.lower() in known else default
    return folder / (stem + suffix)


def _unique(paths: list[Path]) -> list[Path]:
    """Keep each file once, where first given, warning of any given again."""
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(resolved(path), path)
    if len(unique) < len(paths):
        tqdm.write(
            f"xray-denoise: warning: {len(paths) - len(unique)} input(s) given more than "
            "once; each file is denoised once",
            file=sys.stderr,
        )
    return list(unique.values())


def run(args: argparse.Namespace) -> int:
    """Denoise every input, going on past any that fails.

    Exit 2 if an input could not be read, denoised or written (bad input), 1 if one met
    an unexpected error (a bug), else 0 (outputs skipped with ``--skip-existing``
    included). With several inputs a summary line ends the batch on stderr, or says,
    when Ctrl-C or a signal stops it, which inputs were not done. Where stdout refuses a
    line (a full disk) the batch goes on and its outputs are counted as they are; then
    :class:`~core.cli.denoise_report.StdoutError` is raised, after the summary.
    """
    import torch

    from core.denoise import DenoiseSettings, open_model
    from core.denoise.pipeline import planned_tiles
    from core.device import device_label, inference_dtype, precision_label, select_device

    steps = {} if args.steps is None else {"n_steps": args.steps}
    settings = DenoiseSettings(
        sampler=args.sampler,
        seed=args.seed,
        strength=args.strength,
        device=args.device,
        precision=args.precision,
        views=args.views,  # None: auto, from the precision the network runs in
        tile_size=args.tile_size,  # None: auto
        **steps,
    )
    _check_output_folder(args.output_dir, skip_existing=args.skip_existing)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = select_device(settings.device)
    model = open_model(args.model, device=device)
    tiles = planned_tiles(model, settings)  # checks a tile asked for (once, not per input)
    tqdm.write(f"xray-denoise: denoising on {device_label(device)}", file=sys.stderr)
    dtype = inference_dtype(device, settings.precision)
    precision = precision_label(dtype, device)
    tqdm.write(f"xray-denoise: the network runs in {precision}", file=sys.stderr)
    paths = _unique(args.inputs)
    report = DenoiseReport(paths, device=device_label(device), as_json=args.json)
    stems = output_stems(paths, one_folder=True)
    card = model.card
    run_record = RunRecord(
        f"sha256 {card.weights_sha256[:16]}" if card and card.weights_sha256 else "unsaved weights",
        f"{settings.with_views_for(dtype).describe()}, {precision}",
        tiles,
    )
    batch = _Batch(args.skip_existing, {resolved(path) for path in paths}, report, run_record)
    if args.skip_existing:  # before anything is written: outputs join the kept ones' series
        batch.join_kept_series(paths, stems, args.output_dir, args.frame)
    # Progress bars show only on a terminal (disable=None), over files only if there are several.
    files = tqdm(paths, desc="denoise", unit="file", disable=True if len(paths) < 2 else None)
    every_frame = args.frame == ALL_FRAMES
    try:
        for path in files:
            first = last = frame = 0 if every_frame or args.frame is None else args.frame
            while frame <= last:
                destination = None
                try:
                    # Named before decoding but for --frame all's first frame, whose name
                    # needs the frame count: an output kept costs no decoding, and no warning.
                    destination = _named_before_reading(
                        stems, path, frame, every_frame, args.output_dir
                    )
                    image = None
                    if destination is None or not _kept(destination, path, frame, batch):
                        with collecting_warnings() as notes:
                            image = read_numbered(path, frame)
                        if frame == first:  # the later frames' are the same (colour, say)
                            for note in notes:
                                issue_warning(note)
                        many = image.n_frames > 1
                        if destination is None:  # --frame all's first frame
                            last = image.n_frames - 1
                            stem = frame_stem(stems, path, frame) if many else stems[path]
                            folder = args.output_dir
                            destination = output_path(stem, path, image.source_format, folder)
                            if _kept(destination, path, frame, batch):
                                image = None
                        elif many and args.frame is None:
                            tqdm.write(
                                f"xray-denoise: warning: {path} has {image.n_frames} frames; "
                                f"{frame_label(frame, image.n_frames)} denoised "
                                "(choose with --frame N, from 1, or --frame all)",
                                file=sys.stderr,
                            )
                    if image is None:
                        report.add(Outcome(path, frame, destination, SKIPPED))
                    else:
                        label = (
                            f"{path.name} {frame_label(frame, image.n_frames)}"
                            if many
                            else path.name
                        )
                        if every_frame and many:  # a series of the file's frames
                            uid = batch.frame_series.setdefault(path, DerivedSeriesUID())
                            series = (uid, frame + 1)
                        else:  # the source series', numbered as in it
                            series = (derived_series_uid(image, batch.derived_series), None)
                        source = _recorded_source(destination, image)
                        result = _denoise_into(
                            image,
                            destination,
                            model,
                            settings,
                            label,
                            args.overwrite,
                            series,
                            source,
                        )
                        batch.written.add(destination)
                        report.add(Outcome(path, frame, destination, WRITTEN, result=result))
                except BrokenPipeError:  # stdout's reader has gone: main() ends quietly
                    raise
                except Exception as error:  # bad input or a bug: one line, and on to the rest
                    reason = error_line(error)
                    reason = reason if str(path) in reason else f"{path}: {reason}"
                    bug = not is_bad_input(error)
                    report.add(Outcome(path, frame, destination, FAILED, error=reason, bug=bug))
                frame += 1
            report.input_done()
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: say what was left, then stop
        if len(paths) > 1:
            tqdm.write(report.stopped(), file=sys.stderr)
        raise
    if len(paths) > 1:
        tqdm.write(report.summary(), file=sys.stderr)
    report.check_stdout()  # a line it refused: said after the summary (exit 2)
    return report.exit_status()


def _check_output_folder(folder: Path, *, skip_existing: bool) -> None:
    """Refuse an output folder that is a file, or cannot be written or made, before any work.

    Parameters
    ----------
    folder : Path
        The ``--output-dir``, existing or not (made once there is an output to write:
        its nearest existing parent must be writable).
    skip_existing : bool
        Whether outputs that exist are kept (``--skip-existing``). Then an existing
        folder is not checked: every output may be there, nothing written; one that
        cannot be written is found before the first output to write
        (:func:`_denoise_into`).

    Raises
    ------
    XrayError
        If `folder`, or its nearest existing parent, is a file.
    ImageWriteError
        If `folder` cannot be written in, or made (no permission, a read-only disk), or
        it or its nearest existing parent is a symbolic link to nothing or a link loop.
    """
    exists = os.path.lexists(folder)  # a symbolic link to nothing is there, not missing
    there = folder if exists else next(p for p in folder.absolute().parents if os.path.lexists(p))
    reason = broken_link_reason(there)  # mkdir would fail for every output
    if reason is not None:
        raise ImageWriteError(there, f"{reason}; choose another --output-dir")
    if not there.is_dir():
        raise XrayError(f"{there} is a file, not a folder; choose another --output-dir")
    if exists:
        if not skip_existing:
            check_writable_folder(folder)
        return
    try:  # no output is kept in a folder not made yet: every one is written
        check_writable_folder(there)
    except ImageWriteError as error:
        raise ImageWriteError(folder, f"cannot create this folder: {error}") from None


def _named_before_reading(
    stems: dict[Path, str], path: Path, frame: int, every_frame: bool, folder: Path
) -> Path | None:
    """Where frame `frame` of `path` goes, told from its name and signature, without decoding.

    Parameters
    ----------
    stems : dict of Path to str
        The inputs' output stems (:func:`core.io.output_names.output_stems`).
    path : Path
        The input.
    frame : int
        The frame to write, as an index from 0.
    every_frame : bool
        Whether each frame is written on its own (``--frame all``).
    folder : Path
        The output folder.

    Returns
    -------
    Path or None
        None for the first frame with ``--frame all``: its name depends on whether the
        input has other frames. Later frames of such an input are named by
        :func:`~core.io.output_names.frame_stem`.

    Raises
    ------
    ImageReadError
        If the input is missing, unreadable or of no known format.
    """
    if every_frame and frame == 0:
        return None
    stem = frame_stem(stems, path, frame) if every_frame else stems[path]
    return output_path(stem, path, detect_format(path), folder)


@dataclass(frozen=True)
class RunRecord:
    """What an output's description records of the denoising run that made it.

    Parameters
    ----------
    weights : str
        ``"sha256 <the weights' first 16 hex digits>"``, or ``"unsaved weights"``.
    settings : str
        Sampler, steps, seed (DDPM), strength and views, then the precision, e.g.
        ``"DDIM, 1 step, strength 1, 4 views, bfloat16 on CPU"``
        (:meth:`core.denoise.DenoiseSettings.describe`).
    tiles : str or None
        The tiles, e.g. ``"tile 512 overlap 64"``
        (:func:`core.denoise.events.describe_tiles`), which change the result; None where
        a record holds none or, for a run, where the device's free memory will choose
        them (:func:`core.denoise.pipeline.planned_tiles`).
    """

    weights: str
    settings: str
    tiles: str | None = None

    @classmethod
    def of_output(
        cls, destination: Path, header: pydicom.Dataset | None = None
    ) -> RunRecord | None:
        """Read the record of an existing output's description, or None.

        Parameters
        ----------
        destination : Path
            A DICOM, PNG or TIFF output; only its header or description is read.
        header : Dataset, optional
            A DICOM output's header, read already (:func:`_dicom_header`).

        Returns
        -------
        RunRecord or None
            The last run the description records (a DICOM's DerivationDescription
            holds its source's history first); None where there is none, or the file
            cannot be read.
        """
        if destination.suffix.lower() in DICOM_SUFFIXES:
            header = _dicom_header(destination) if header is None else header
            if header is None:
                return None
            text = str(header.get("DerivationDescription") or "")
        else:
            text = raster_description(destination)
            if text is None:
                return None
        found = list(RECORDED_RUN.finditer(text))
        if not found:
            return None
        from core.denoise.events import TILES  # torch with it: only once a run reads records

        tiles = TILES.search(text, found[-1].end())
        return cls(*found[-1].groups(), tiles[0] if tiles else None)

    def differs_from(self, recorded: RunRecord) -> bool:
        """Whether an output's `recorded` run is not this one.

        Parameters
        ----------
        recorded : RunRecord
            An output's record.

        Returns
        -------
        bool
            True where the weights or settings differ, or where this run's tiles are
            known before it runs and differ from those recorded (or none are).
        """
        if (recorded.weights, recorded.settings) != (self.weights, self.settings):
            return True
        return self.tiles is not None and recorded.tiles != self.tiles

    def differences(self, recorded: RunRecord) -> str:
        """Say how `recorded` differs from this run, e.g. ``"DDIM, 1 step, ...; this run: ..."``.

        Parameters
        ----------
        recorded : RunRecord
            An output's record, differing from this one (:meth:`differs_from`).

        Returns
        -------
        str
            The settings of each (with the weights where those differ), with their tiles
            where this run's are known and differ.
        """
        mine, theirs = self.settings, recorded.settings
        if self.tiles is not None and recorded.tiles != self.tiles:
            mine += f"; {self.tiles}"
            theirs += f"; {recorded.tiles or 'no tiles recorded'}"
        if recorded.weights == self.weights:
            return f"{theirs}; this run: {mine}"
        return f"{recorded.weights}: {theirs}; this run: {self.weights}: {mine}"


@dataclass
class _Batch:
    """What a batch's outputs are checked against.

    Parameters
    ----------
    skip_existing : bool
        Whether an existing output made from the same input and frame is kept.
    inputs : set of Path
        The inputs, resolved: never an output.
    report : DenoiseReport
        The batch's report, which keeps the inputs' SHA-256 (once per input).
    run : RunRecord
        What the outputs of this run record of it, for those kept to be compared with.
    written : set of Path
        The outputs written so far.
    derived_series : dict of str to str
        The derived SeriesInstanceUIDs (:class:`DerivedSeriesUID`) by source
        SeriesInstanceUID (:func:`core.io.dicom_write.derived_series_uid`).
    frame_series : dict of Path to DerivedSeriesUID
        The derived series of the frames of each DICOM input written with ``--frame all``.
    """

    skip_existing: bool
    inputs: set[Path]
    report: DenoiseReport
    run: RunRecord
    written: set[Path] = field(default_factory=set)
    derived_series: dict[str, str] = field(default_factory=dict)
    frame_series: dict[Path, DerivedSeriesUID] = field(default_factory=dict)

    def join_kept_series(
        self, paths: list[Path], stems: dict[Path, str], folder: Path, frame: int | str | None
    ) -> None:
        """Let the derived series this run writes join those of the outputs it will keep.

        Called before any input is denoised, so that an output written joins a kept one
        whatever their order in the batch: a resumed batch adds to the derived series an
        earlier run began, with its SeriesInstanceUID, SeriesDate/Time and SeriesNumber
        (:meth:`DerivedSeriesUID.of_instance`), rather than beginning another. Where the
        outputs kept of one source series (or of one file's frames) are of several
        derived series, made by different runs, the outputs written join that of the
        first kept in the order of the inputs, with a warning naming the others.

        Parameters
        ----------
        paths : list of Path
            The inputs, in the batch's order.
        stems : dict of Path to str
            Their output stems (:func:`core.io.output_names.output_stems`).
        folder : Path
            The output folder.
        frame : int, str or None
            ``--frame``: an index from 0, :data:`ALL_FRAMES`, or None (the first).
        """
        found: dict[str | Path, list[tuple[Path, DerivedSeriesUID]]] = {}
        for path in paths:
            for key, destination, series in self._kept_series_of(path, stems, folder, frame):
                found.setdefault(key, []).append((destination, series))
        for key, kept in found.items():
            first: dict[str, Path] = {}  # the first output kept of each derived series
            for destination, series in kept:
                first.setdefault(str(series), destination)
            if len(first) > 1:
                of = f"frames of {key}" if isinstance(key, Path) else f"source series {key}"
                named = "; ".join(f"{output}: {uid}" for uid, output in first.items())
                tqdm.write(
                    f"xray-denoise: warning: the outputs kept of the {of} are of "
                    f"{len(first)} derived series ({named}); those written join the first "
                    "(use --overwrite to write them all in one)",
                    file=sys.stderr,
                )
            if isinstance(key, Path):
                self.frame_series[key] = kept[0][1]
            else:
                self.derived_series[key] = kept[0][1]

    def _kept_series_of(
        self, path: Path, stems: dict[Path, str], folder: Path, frame: int | str | None
    ) -> Iterator[tuple[str | Path, Path, DerivedSeriesUID]]:
        """Yield the derived series of each DICOM output of `path` that :func:`_kept` keeps.

        Each with what it is a series of: `path` for the frames of a multi-frame DICOM
        written with ``--frame all``, else the source's SeriesInstanceUID. Only headers
        are read; an input or output whose header cannot be read yields nothing (the
        batch says why when it comes to it).
        """
        try:
            dicom = detect_format(path) == "dicom"
        except XrayError:
            return
        source = _dicom_header(path) if dicom else None
        if source is None:
            return
        try:
            count = int(source.get("NumberOfFrames") or 1) if frame == ALL_FRAMES else 1
        except (TypeError, ValueError):
            return
        if count > 1:
            key: str | Path = path
            outputs = [(k, frame_stem(stems, path, k)) for k in range(count)]
        else:
            key = str(source.get("SeriesInstanceUID") or "")
            outputs = [(frame if isinstance(frame, int) else 0, stems[path])]
        for index, stem in outputs:
            destination = output_path(stem, path, "dicom", folder)
            if not key or resolved(destination) in self.inputs or not destination.exists():
                continue
            try:
                problem = made_from(destination, path, index, lambda: self.sha256(path))
            except XrayError:
                continue
            header = None if problem else _dicom_header(destination)
            series = None if header is None else DerivedSeriesUID.of_instance(header)
            if series is not None:
                yield key, destination, series

    def sha256(self, path: Path) -> str:
        """Return the SHA-256 of input `path` as it is now (the report's, read once).

        An existing output is compared with the input as it is; an output written
        records the bytes it was decoded from instead (:func:`_recorded_source`).

        Raises
        ------
        OSError
            If `path` cannot be read.
        """
        digest = self.report.input_sha256(path)
        return file_sha256(path) if digest is None else digest  # None: say why


def _recorded_source(destination: Path, image: XrayImage) -> str:
    """Return what `destination` records of its input in its description, or "".

    The SHA-256 is that of the bytes `image` was decoded from
    (:attr:`XrayImage.source_sha256`), not of the file as it may be by now.
    """
    if not records_by_description(destination) or image.source_sha256 is None:
        return ""
    return source_record(image.source_sha256, image.frame)


def _dicom_header(path: Path) -> pydicom.Dataset | None:
    """Return a DICOM file's header, or None where it cannot be read (a probe)."""
    try:
        return read_dataset(path, stop_before_pixels=True)
    except Exception:  # noqa: BLE001 (a probe of a file in the way: no header)
        return None


def _kept(destination: Path, path: Path, frame: int, batch: _Batch) -> bool:
    """Whether `destination` exists and is kept (``--skip-existing``), `path` not denoised.

    It is kept only if it was made from frame `frame` of `path`
    (:func:`core.io.source_record.made_from`), a ``.npy`` by its name alone (it records
    nothing), with a warning; one whose description records other denoising settings
    than this run's (:class:`RunRecord`), or none, is kept with a warning. (A DICOM kept
    has given its derived series to the outputs to be written before the batch began,
    :meth:`_Batch.join_kept_series`.) Only headers and descriptions are read, never pixels.

    Raises
    ------
    XrayError
        If `destination` is an input, was written for another input in this batch, or
        with ``--skip-existing`` exists but was not shown to be made from `path`.
    """
    if resolved(destination) in batch.inputs:
        raise XrayError(f"{path}: {destination} is an input; choose another --output-dir")
    if destination in batch.written:
        raise XrayError(f"{path}: {destination} was written for another input")
    if not (batch.skip_existing and destination.exists()):
        return False
    if destination.suffix.lower() == ".npy":
        print(
            f"{path}: warning: {destination} kept by its name alone: a .npy records nothing "
            "of its source",
            file=sys.stderr,
        )
        return True
    problem = made_from(destination, path, frame, lambda: batch.sha256(path))
    if problem:
        raise XrayError(f"{path}: {destination} {problem}; {RESUME_HINT}")
    header = _dicom_header(destination) if destination.suffix.lower() in DICOM_SUFFIXES else None
    recorded = RunRecord.of_output(destination, header)
    if recorded is None or batch.run.differs_from(recorded):
        made = (
            "its description records no denoising settings to compare with this run's"
            if recorded is None
            else f"made with other settings ({batch.run.differences(recorded)})"
        )
        print(
            f"{path}: warning: {destination} kept: {made}; use --overwrite to redo it",
            file=sys.stderr,
        )
    return True


def _denoise_into(
    image: XrayImage,
    destination: Path,
    model: DiffusionModel,
    settings: DenoiseSettings,
    label: str,
    overwrite: bool,
    series: tuple[str | None, int | None],
    source: str,
) -> DenoiseResult:
    """Denoise one frame and write it to `destination`, with a progress bar on a terminal.

    `series` is the SeriesInstanceUID and InstanceNumber of a derived DICOM: of a frame
    of a DICOM written with ``--frame all``, or of the series derived from the source's
    (None, the source's number), or (None, None) for a file without one. `source`, where
    not "", ends the description written (:func:`core.io.source_record.source_record`).
    """
    from core.denoise import DenoiseResult, TileProgress, denoise_steps
    from core.io import write_image

    if destination.exists() and not overwrite:  # before the time denoising takes
        raise DestinationExistsError(destination, EXISTS)
    destination.parent.mkdir(parents=True, exist_ok=True)  # only once there is work
    check_writable_folder(destination.parent)  # before the time denoising takes
    with tqdm(total=1.0, desc=label, leave=False, disable=None, bar_format=BAR) as bar:
        for event in denoise_steps(image, model, settings, step_images=False):
            if isinstance(event, TileProgress):
                bar.update(event.fraction - bar.n)
            elif isinstance(event, DenoiseResult):
                result = event
    write_image(
        result.image,
        destination,
        description=f"{result.description()}; {source}" if source else result.description(),
        overwrite=overwrite,
        series_uid=series[0],
        instance_number=series[1],
    )
    return result
