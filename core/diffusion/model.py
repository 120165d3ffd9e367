"""The eps-parameterised diffusion model: a network plus the schedule it was trained with.

:class:`DiffusionModel` is the thin wrapper that maps ``(x_t, t)`` to the network and
turns its noise prediction into an estimate of the clean image. Models are stored as
safetensors weights (no pickle) next to a JSON model card.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import itertools
import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as deserialize
from safetensors.torch import save as serialize
from torch import nn

import core
from core.code_version import code_commit
from core.device import select_device
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.errors import ModelFileError
from core.io.atomic import atomic_write
from core.io.notice import DISCLAIMER
from core.io.safetensors_header import MAX_HEADER_BYTES, parse_header, read_header
from core.training.checkpoint import CHECKPOINT_FORMAT, NEWER

CARD_FORMAT = "xray-denoise-model"
CARD_FORMAT_VERSION = 1

CODE_FOLDER = Path(core.__file__).parent
"""The ``core`` package, whose checkout's commit a saved card names."""

DESCRIBED_IN_WEIGHTS = ("architecture", "schedule")
"""Card sections that :func:`save_model` also writes into the weights file's metadata
(canonical JSON), where the weights' SHA-256 covers them."""

NOT_A_MODEL = "not a model file (a .safetensors with its .json card)"
"""The refusal of a file that is not a safetensors file (an image given as the model)."""


SHOWN_NAMES = 3
"""How many tensor names a refusal lists of each kind (missing, unexpected, misshaped)."""

INTENDED_USE = (
    f"{DISCLAIMER}: research and teaching (what a lower dose looks like and what a denoiser "
    "recovers and invents); not for diagnosis, reporting or any clinical decision, and not a "
    "medical device"
)
"""What the card of every model saved says it is for (:attr:`ModelCard.intended_use`)."""


@dataclass(frozen=True)
class ModelCard:
    """What a stored model is, how it was made and how well it did.

    Parameters
    ----------
    architecture : UNetConfig
        The network.
    schedule : NoiseSchedule
        The schedule it was trained with.
    parameterization : str
        What the network predicts; ``"eps"`` (the noise, [1]_).
    data : dict
        Training data: description, licence, attribution, image and patient counts.
    training : dict
        Training settings and the number of steps taken.
    validation : dict
        Validation numbers (PSNR/SSIM per noise level) of the stored weights; with
        ``at_doses`` where the run also validated at physical doses through the blind
        denoise (:mod:`core.training.dose_validation`), with the settings that made them.
    validation_start : dict
        A fine-tune's: its starting model's validation on the same held-out images
        (step 0), in the shape of ``validation``; empty otherwise (and in cards saved
        before it was recorded).
    validation_change : dict
        A fine-tune's: ``validation``'s PSNR against ``validation_start``'s, per level,
        and the levels where it fell (:func:`core.training.loop.validation_change`);
        empty otherwise.
    created : str
        ISO 8601 UTC time of saving.
    code_version : str
        ``core.__version__`` of the code that saved it.
    code_commit : str
        The git commit of the code that saved it (:func:`core.code_version.code_commit`:
        the app bundle's, else the checkout's), with ``"-dirty"`` appended where it had
        uncommitted changes; empty where the code names none (an installed package) and
        in cards saved before it was recorded.
    weights_sha256 : str
        SHA-256 of the weights file, checked on load.
    intended_use : str
        What the model is for and not for: :data:`INTENDED_USE` in cards saved since it
        was recorded; empty in those saved before (the shipped model's).

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    """

    architecture: UNetConfig
    schedule: NoiseSchedule
    parameterization: str = "eps"
    data: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    code_version: str = ""
    weights_sha256: str = ""
    code_commit: str = ""
    validation_start: dict[str, Any] = field(default_factory=dict)
    validation_change: dict[str, Any] = field(default_factory=dict)
    intended_use: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the card as a JSON-serialisable dict."""
        return {
            "format": CARD_FORMAT,
            "format_version": CARD_FORMAT_VERSION,
            "architecture": {"name": "unet", **self.architecture.to_config()},
            "schedule": self.schedule.to_config(),
            "parameterization": self.parameterization,
            **({"intended_use": self.intended_use} if self.intended_use else {}),
            "data": self.data,
            "training": self.training,
            "validation": self.validation,
            **({"validation_start": self.validation_start} if self.validation_start else {}),
            **({"validation_change": self.validation_change} if self.validation_change else {}),
            "created": self.created,
            "code_version": self.code_version,
            **({"code_commit": self.code_commit} if self.code_commit else {}),
            "weights_sha256": self.weights_sha256,
        }

    @classmethod
    def from_json(cls, card: Any) -> ModelCard:
        """Parse :meth:`to_json` output.

        Raises
        ------
        ValueError
            If it is not a model card: not a JSON object, another format or version, a
            field missing or of the wrong type (``32.0`` for an integer), an unknown
            architecture, schedule or parameterisation, or a size out of bounds.
        """
        card = _card_object(card)
        architecture = dict(_field(card, "architecture", dict))
        name = architecture.pop("name", None)
        if name != "unet":
            raise ValueError(f"unknown architecture {name!r}")
        parameterization = _field(card, "parameterization", str)
        if parameterization != "eps":
            raise ValueError(f"unknown parameterization {parameterization!r}")
        return cls(
            architecture=UNetConfig.from_config(architecture),
            schedule=NoiseSchedule.from_config(_field(card, "schedule", dict)),
            parameterization=parameterization,
            data=_field(card, "data", dict),
            training=_field(card, "training", dict),
            validation=_field(card, "validation", dict),
            created=_field(card, "created", str),
            code_version=_field(card, "code_version", str),
            weights_sha256=_field(card, "weights_sha256", str).strip().lower(),
            code_commit=_field(card, "code_commit", str, default=""),
            validation_start=_field(card, "validation_start", dict, default={}),
            validation_change=_field(card, "validation_change", dict, default={}),
            intended_use=_field(card, "intended_use", str, default=""),
        )


class NewerCardError(ValueError):
    """A model card of this format whose version is later than this version reads."""


def _card_object(card: Any) -> dict[str, Any]:
    """Return a parsed model card if it is a JSON object of this format and version.

    Raises
    ------
    NewerCardError
        If it is a card of this format but of a later version.
    ValueError
        If it is not (a JSON list, another format, an unknown version).
    """
    if not isinstance(card, dict):
        raise ValueError(f"not a JSON object but a JSON {type(card).__name__}")
    version = card.get("format_version")
    if card.get("format") == CARD_FORMAT and type(version) is int and version > CARD_FORMAT_VERSION:
        raise NewerCardError(NEWER.format(version=version, reads=CARD_FORMAT_VERSION))
    if card.get("format") != CARD_FORMAT or version != CARD_FORMAT_VERSION:
        raise ValueError(
            f"not a {CARD_FORMAT} card of version {CARD_FORMAT_VERSION}: "
            f"format={card.get('format')!r}, version={card.get('format_version')!r}"
        )
    return card


_TYPE_NAMES = {dict: "a JSON object", str: "a string"}


def _field(card: dict[str, Any], key: str, kind: type, *, default: Any = None) -> Any:
    """Return ``card[key]``; refuse it missing (where no default is given) or of another type."""
    if key not in card and default is not None:
        return default
    if key not in card:
        raise ValueError(f"no {key!r}")
    if not isinstance(card[key], kind):
        raise ValueError(f"{key} must be {_TYPE_NAMES[kind]}, got {card[key]!r}")
    return card[key]


class DiffusionModel(nn.Module):
    """A noise-predicting network bound to its schedule (eps parameterisation [1]_).

    The forward process is ``x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps``
    ([1]_, eq. 4); the network predicts ``eps`` from ``(x_t, t)``.

    Parameters
    ----------
    network : nn.Module
        Maps ``(x_t of shape (N, C, H, W), t of shape (N,))`` to ``eps`` of the shape of
        ``x_t``; usually a :class:`~core.diffusion.unet.UNet`.
    schedule : NoiseSchedule
        The schedule the network was trained with.
    card : ModelCard or None
        Provenance, when loaded from or saved to disk.
    path : Path or None
        The weights file it was loaded from or last saved to; None for weights never
        saved. Its stem is the model's name (the shipped file's, or the one chosen when
        training).

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    """

    def __init__(
        self,
        network: nn.Module,
        schedule: NoiseSchedule,
        card: ModelCard | None = None,
        *,
        path: Path | None = None,
    ) -> None:
        super().__init__()
        self.network = network
        self.schedule = schedule
        self.card = card
        self.path = path

    @property
    def device(self) -> torch.device:
        """Where the model computes: its first parameter's device, else its first buffer's.

        The CPU for a network with neither (an analytic noise predictor, say).
        """
        for tensor in itertools.chain(self.parameters(), self.buffers()):
            return tensor.device
        return torch.device("cpu")

    def _times(self, t: float | torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Return ``t`` as an (N,) tensor and ``1/sqrt(abar_t)``, ``sigma_t`` as (N,1,1,1)."""
        t_arr = torch.as_tensor(t, dtype=torch.float64).detach().cpu().reshape(-1)
        t_arr = t_arr.expand(x.shape[0]) if t_arr.numel() == 1 else t_arr
        sigma = torch.from_numpy(self.schedule.sigma(t_arr.numpy()).reshape(-1, 1, 1, 1))
        inv_sqrt_abar = torch.sqrt(1.0 + sigma * sigma)  # 1 / sqrt(abar_t), in float64
        as_x = {"dtype": x.dtype, "device": x.device}
        return t_arr.to(**as_x), inv_sqrt_abar.to(**as_x), sigma.to(**as_x)

    def predict_eps(self, x_t: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
        """Predict the noise ``eps`` in ``x_t`` (one network evaluation).

        Parameters
        ----------
        x_t : Tensor, shape (N, C, H, W)
            Noisy images at time ``t``.
        t : float or Tensor of shape (N,)
            Continuous time(s) in ``[0, T]``.

        Returns
        -------
        Tensor
            ``eps_theta(x_t, t)``, shape of ``x_t``.
        """
        t_vec, _, _ = self._times(t, x_t)
        return self.network(x_t, t_vec)

    def predict_x0(
        self, x_t: torch.Tensor, t: float | torch.Tensor, eps: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Estimate the clean image from ``x_t`` (the posterior mean for an exact ``eps``).

        ``x_0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)`` ([1]_, eq. 15), computed as
        ``x_t / sqrt(abar_t) - sigma_t eps``.

        Parameters
        ----------
        x_t : Tensor, shape (N, C, H, W)
            Noisy images at time ``t``.
        t : float or Tensor of shape (N,)
            Continuous time(s) in ``[0, T]``.
        eps : Tensor or None
            A noise prediction already made for ``(x_t, t)``; evaluated if None.

        Returns
        -------
        Tensor
            ``x_0`` estimate (``pred_original_sample`` in diffusers), shape of ``x_t``.

        References
        ----------
        .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
           NeurIPS 2020.
        """
        t_vec, inv_sqrt_abar, sigma = self._times(t, x_t)
        if eps is None:
            eps = self.network(x_t, t_vec)
        return x_t * inv_sqrt_abar - sigma * eps


MISMATCH = (
    "weights do not match the checksum in the model card; where training was stopped "
    "while exporting them, `xray-denoise train DATA --output MODEL --resume` exports them again"
)
"""Why a model whose weights and card disagree is refused."""


def card_path(weights: str | Path) -> Path:
    """Return the model card path that belongs to a weights file (same stem, ``.json``)."""
    return Path(weights).with_suffix(".json")


def save_model(
    model: DiffusionModel,
    path: str | Path,
    *,
    data: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
    validation: dict[str, Any] | None = None,
    validation_start: dict[str, Any] | None = None,
    validation_change: dict[str, Any] | None = None,
) -> ModelCard:
    """Write the network's weights as safetensors and its model card as JSON.

    Both files are written whole to temporary names and flushed to disk before either
    is renamed into place, the card first (:func:`core.io.atomic.atomic_write`): a
    write that fails (a full disk) removes its temporary files and leaves the files
    there before, a pair that loads, as they were; a process killed between the two
    renames leaves this export's card beside the earlier weights, which
    :func:`load_model` refuses (:data:`MISMATCH`), or alone. The weights
    file's metadata holds the card's architecture and schedule too
    (:func:`weights_metadata`), so that the SHA-256 in the card covers them. Its header
    is written with sorted keys: the same weights and description give the same bytes,
    and so the same SHA-256, in every run.

    Parameters
    ----------
    model : DiffusionModel
        A model whose network is a :class:`~core.diffusion.unet.UNet`.
    path : str or Path
        Weights file (``.safetensors``); the card goes to :func:`card_path`.
    data, training, validation, validation_start, validation_change : dict or None
        Card sections (see :class:`ModelCard`).

    Returns
    -------
    ModelCard
        The card written, also set as ``model.card`` (and ``path`` as ``model.path``).

    Raises
    ------
    ImageWriteError
        If either file cannot be written (a full disk, a file-size limit, no
        permission): ``"<file>: <the system's reason>"``, bad input to the command line.
    """
    if not isinstance(model.network, UNet):
        raise TypeError("only UNet networks can be saved")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.network.state_dict().items()}
    description = {"architecture": model.network.config, "schedule": model.schedule}
    metadata = {"format": CARD_FORMAT, **weights_metadata(**description)}
    weights = _canonical(serialize(state, metadata=metadata))
    card = ModelCard(
        architecture=model.network.config,
        schedule=model.schedule,
        data=data or {},
        training=training or {},
        validation=validation or {},
        validation_start=validation_start or {},
        validation_change=validation_change or {},
        created=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        code_version=core.__version__,
        weights_sha256=hashlib.sha256(weights).hexdigest(),
        code_commit=code_commit(CODE_FOLDER),
        intended_use=INTENDED_USE,
    )
    # Readable UTF-8, as the weights header; a lone surrogate left in a name is written
    # as its JSON escape (\udcf6), as ensure_ascii did, rather than failing the save.
    text = json.dumps(card.to_json(), indent=2, ensure_ascii=False) + "\n"
    text = text.encode("utf-8", "backslashreplace")
    with atomic_write(path, overwrite=True, needed=len(weights)) as file:
        os.chmod(file.name, 0o644)  # a model is meant to be shared, whatever the umask
        file.write(weights)
        file.flush()
        os.fsync(file.fileno())  # the weights whole on disk before the card is renamed
        with atomic_write(card_path(path), overwrite=True, needed=len(text)) as card_file:
            card_file.write(text)
    model.card = card
    model.path = path
    return card


def _canonical(serialized: bytes) -> bytes:
    """Return a safetensors file with its header's keys sorted: equal tensors, equal bytes.

    safetensors writes its metadata map in an arbitrary order, which changes from one
    call to the next, so bit-identical weights would get another SHA-256 each time. The
    format: an 8-byte little-endian length N, N bytes of JSON (padded with spaces to a
    multiple of 8), then the data, whose offsets count from the data's start; rewriting
    the header leaves them valid.
    """
    (length,) = struct.unpack_from("<Q", serialized)
    header = json.loads(serialized[8 : 8 + length])
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    encoded = text.encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + memoryview(serialized)[8 + length :]


def weights_metadata(architecture: UNetConfig, schedule: NoiseSchedule) -> dict[str, str]:
    """Describe a network and its schedule for a weights file's metadata, as the card does.

    Parameters
    ----------
    architecture : UNetConfig
        The network.
    schedule : NoiseSchedule
        Its schedule.

    Returns
    -------
    dict of str to str
        ``"architecture"`` and ``"schedule"``: the card's sections as canonical JSON
        (sorted keys, no spaces), so that equal descriptions give equal bytes.
    """
    sections = {"architecture": {"name": "unet", **architecture.to_config()}}
    sections["schedule"] = schedule.to_config()
    return {
        key: json.dumps(value, sort_keys=True, separators=(",", ":"))
        for key, value in sections.items()
    }


def _is_safetensors(path: Path) -> bool:
    """Tell whether a file is named and begins as a safetensors file, reading 9 bytes.

    The format begins with the little-endian length of its JSON header, at most
    :data:`MAX_HEADER_BYTES`, and the header with ``{``. Only the start is judged: a
    file cut short later is the checksum's to refuse.
    """
    if path.suffix.lower() != ".safetensors":
        return False
    try:
        with path.open("rb") as file:
            start = file.read(9)
    except OSError:
        return True  # unreadable: said by the checks that read it
    if len(start) < 9:
        return False
    (length,) = struct.unpack_from("<Q", start)
    return 2 <= length <= MAX_HEADER_BYTES and start[8:9] == b"{"


def _is_checkpoint(path: Path) -> bool:
    """Tell whether a safetensors file is a training checkpoint (by its metadata)."""
    try:
        return read_header(path).metadata.get("format") == CHECKPOINT_FORMAT
    except (OSError, ValueError):
        return False


def load_model(path: str | Path, *, device: str | torch.device = "cpu") -> DiffusionModel:
    """Load a model saved by :func:`save_model`, checking the weights' SHA-256.

    The checks run from the cheapest on: a file that is not named and does not begin as
    a safetensors file (an image given as the model) is refused as not a model before
    its card is looked for; the card is parsed and the weights' hash compared with it
    before anything is built from the card; the architecture and schedule the weights
    file holds (files saved since they are written there) must be the card's; the
    tensors' names and shapes are compared with the architecture's
    before the network is built; every weight must be finite.

    Parameters
    ----------
    path : str or Path
        Weights file; its card must sit beside it (:func:`card_path`).
    device : str or torch.device
        Where to put the weights; a name as :func:`core.device.select_device` takes
        it (``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``).

    Returns
    -------
    DiffusionModel
        In eval mode, with ``card`` and ``path`` set.

    Raises
    ------
    ValueError
        If `device` is unknown or not on this machine (:func:`core.device.select_device`),
        before the file is read.
    ModelFileError
        If a file is missing or unreadable, `path` is a folder or not a safetensors
        file, the card is not a model card, or one of a later version (``"model card
        <name> made by a newer xray-denoise ..."``), the weights do not match the card's
        checksum, architecture or schedule (the message names the first tensors
        missing, unexpected or of another shape),
        or a weight is NaN or infinite.
    """
    if isinstance(device, str):
        device = select_device(device)
    path = Path(path)
    card_file = card_path(path)
    if path.is_dir():
        raise ModelFileError(path, "is a folder, not a model file (.safetensors)")
    if not path.is_file():
        raise ModelFileError(path, f"missing file {path}")
    if not _is_safetensors(path):
        raise ModelFileError(path, NOT_A_MODEL)
    if not card_file.is_file() and _is_checkpoint(path):
        model = path.with_name(path.name.replace(".checkpoint.safetensors", ".safetensors"))
        raise ModelFileError(path, f"a training checkpoint, not a model; load {model.name}")
    if not card_file.is_file():
        raise ModelFileError(path, f"missing file {card_file}")
    try:
        raw = _card_object(json.loads(card_file.read_text(encoding="utf-8")))
        expected_sha = _field(raw, "weights_sha256", str).strip().lower()
    except NewerCardError as e:  # whole, only newer: not "unreadable"
        raise ModelFileError(path, f"model card {card_file.name} {e}") from e
    except (OSError, ValueError, RecursionError) as e:
        raise ModelFileError(path, f"unreadable model card {card_file.name}: {e}") from e
    try:
        read_header(path)  # a file its header does not describe is refused unread
        data = path.read_bytes()  # once: the bytes hashed are the bytes loaded
    except OSError as e:
        raise ModelFileError(path, f"unreadable weights: {e.strerror or e}") from e
    except ValueError as e:
        raise ModelFileError(path, f"unreadable weights: {e}") from e
    actual_sha = hashlib.sha256(data).hexdigest()
    if actual_sha != expected_sha:
        raise ModelFileError(path, MISMATCH)
    try:
        card = ModelCard.from_json(raw)
    except (ValueError, TypeError) as e:
        raise ModelFileError(path, f"unreadable model card {card_file.name}: {e}") from e
    metadata, shapes = _header(path, data)
    _check_described(path, metadata, card)
    try:
        with torch.device("meta"):  # names and shapes only: nothing is allocated
            expected = {k: tuple(v.shape) for k, v in UNet(card.architecture).state_dict().items()}
        _check_tensors(path, metadata, expected, shapes)
        network = UNet(card.architecture)
        state = deserialize(data)  # on the CPU, moved below: a device fault is no file's
        _check_finite(path, state, order=list(expected))
        network.load_state_dict(state)
    except (OSError, SafetensorError) as e:
        raise ModelFileError(path, f"unreadable weights: {e}") from e
    except (TypeError, ValueError) as e:  # a network the card describes cannot be built
        raise ModelFileError(path, f"model card {card_file.name}: {e}") from e
    except RuntimeError as e:
        raise ModelFileError(path, f"weights do not fit the architecture in the card: {e}") from e
    return DiffusionModel(network, card.schedule, card, path=path).to(device).eval()


def _header(path: Path, data: bytes) -> tuple[dict[str, str], dict[str, tuple[int, ...]]]:
    """Read the metadata and tensors' shapes of `path`'s bytes `data` (no tensor is loaded)."""
    try:
        header = parse_header(data)
    except ValueError as e:
        raise ModelFileError(path, f"unreadable weights: {e}") from e
    return header.metadata, header.shapes


def _check_described(path: Path, metadata: dict[str, str], card: ModelCard) -> None:
    """Refuse a card whose architecture or schedule is not the one the weights file holds.

    Files saved before :func:`save_model` wrote them there hold neither: nothing to check.
    Both sides are read back through ``from_config``, so that a field added later (with
    its default) reads alike in both.
    """
    ours = {"architecture": card.architecture.to_config(), "schedule": card.schedule.to_config()}
    for section in DESCRIBED_IN_WEIGHTS:
        if section not in metadata:
            continue
        try:
            stored = _described(section, json.loads(metadata[section]))
        except (ValueError, TypeError, RecursionError) as e:
            raise ModelFileError(path, f"the {section} in the weights file is unreadable") from e
        differ = [
            f"{key} {ours[section][key]!r} in the card, {stored[key]!r} in the weights file"
            for key in ours[section]
            if stored[key] != ours[section][key]
        ]
        if differ:
            raise ModelFileError(
                path,
                f"the model card's {section} is not the one saved with the weights: "
                + "; ".join(differ[:SHOWN_NAMES]),
            )


def _described(section: str, stored: Any) -> dict[str, Any]:
    """Rebuild an architecture or schedule read from a weights file's metadata as a config."""
    if section == "schedule":
        return NoiseSchedule.from_config(stored).to_config()
    architecture = dict(stored)
    if architecture.pop("name", None) != "unet":
        raise ValueError("not a unet")
    return UNetConfig.from_config(architecture).to_config()


def _check_tensors(
    path: Path,
    metadata: dict[str, str],
    expected: dict[str, tuple[int, ...]],
    shapes: dict[str, tuple[int, ...]],
) -> None:
    """Refuse tensors that are not the architecture's, naming the first few of each kind."""
    missing = [key for key in expected if key not in shapes]
    unexpected = sorted(key for key in shapes if key not in expected)
    misshaped = [key for key in expected if key in shapes and shapes[key] != expected[key]]
    if not (missing or unexpected or misshaped):
        return
    if metadata.get("format") != CARD_FORMAT and len(missing) == len(expected):
        raise ModelFileError(
            path, f"not an xray-denoise model: none of its {len(shapes)} tensors is this network's"
        )
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing ({_first(missing)})")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected ({_first(unexpected)})")
    if misshaped:
        shown = [f"{key} {shapes[key]} instead of {expected[key]}" for key in misshaped]
        problems.append(f"{len(misshaped)} of another shape ({_first(shown)})")
    raise ModelFileError(
        path, "weights do not match the architecture in the card: " + "; ".join(problems)
    )


def _first(names: list[str]) -> str:
    """List the first :data:`SHOWN_NAMES` names, with ``...`` where there are more."""
    return ", ".join(names[:SHOWN_NAMES]) + (", ..." if len(names) > SHOWN_NAMES else "")


def _check_finite(path: Path, state: dict[str, torch.Tensor], *, order: list[str]) -> None:
    """Refuse weights holding NaN or infinity, with their count and the first tensor's name."""
    bad = {
        key: int((~torch.isfinite(state[key])).sum())
        for key in order
        if state[key].is_floating_point()
    }
    total = sum(bad.values())
    if total:
        first = next(key for key, count in bad.items() if count)
        raise ModelFileError(
            path, f"weights contain {total} NaN or infinite values (first in {first})"
        )


def model_name(model: DiffusionModel) -> str:
    """Name a model so that a person can look it up: its file, architecture and schedule.

    Parameters
    ----------
    model : DiffusionModel
        A loaded or saved model (its file's stem leads the name), or one never saved.

    Returns
    -------
    str
        For example ``"xray-diffusion (unet32, channel_mult 1-2-4-4, blocks_per_level 2,
        mid_blocks 6, cosine-v1)"``: the depth is named with the model card's fields,
        so models of one width trained or deepened differently read differently; any
        other field that differs from :class:`UNetConfig`'s default (``norm group``,
        ``unshuffle 1``...) and a schedule length other than 1000 (``cosine-v1
        T=500``) are named too. Without the stem for weights never saved.
    """
    config = getattr(model.network, "config", None)
    if isinstance(config, UNetConfig):
        parts = [
            f"unet{config.base_channels}",
            "channel_mult " + "-".join(map(str, config.channel_mult)),
            f"blocks_per_level {config.blocks_per_level}",
            f"mid_blocks {config.mid_blocks}",
            *_unusual_fields(config),
        ]
    else:
        parts = [type(model.network).__name__.lower()]
    schedule = model.schedule
    default_length = NoiseSchedule.__dataclass_fields__["n_timesteps"].default
    steps = "" if schedule.n_timesteps == default_length else f" T={schedule.n_timesteps}"
    architecture = ", ".join([*parts, schedule.name + steps])
    return architecture if model.path is None else f"{model.path.stem} ({architecture})"


def _unusual_fields(config: UNetConfig) -> list[str]:
    """Name the architecture's other fields where they differ from the defaults.

    ``groups`` counts only with GroupNorm and ``attention_heads`` only with attention.
    """
    default = UNetConfig()
    fields = ["in_channels", "unshuffle", "norm", "time_embed_mult"]
    fields += ["groups"] if config.norm == "group" else []
    fields += ["attention_heads"] if config.attention else []
    named = [
        f"{field} {getattr(config, field)}"
        for field in fields
        if getattr(config, field) != getattr(default, field)
    ]
    return (["attention"] if config.attention else []) + named
