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
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

import core
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig
from core.errors import ModelFileError
from core.training.checkpoint import CHECKPOINT_FORMAT

CARD_FORMAT = "xray-denoise-model"
CARD_FORMAT_VERSION = 1

CODE_FOLDER = Path(core.__file__).parent
"""The ``core`` package, whose checkout's commit a saved card names."""

GIT_TIMEOUT_S = 2.0
"""Longest wait for each git call when a card is saved."""


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
        Validation numbers (PSNR/SSIM per noise level) of the stored weights.
    created : str
        ISO 8601 UTC time of saving.
    code_version : str
        ``core.__version__`` of the code that saved it.
    code_commit : str
        The git commit of the checkout that saved it (:func:`checkout_commit`), with
        ``"-dirty"`` appended where it had uncommitted changes; empty where the code
        did not run from a checkout (an installed package, the app bundle) and in
        cards saved before it was recorded.
    weights_sha256 : str
        SHA-256 of the weights file, checked on load.

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

    def to_json(self) -> dict[str, Any]:
        """Return the card as a JSON-serialisable dict."""
        return {
            "format": CARD_FORMAT,
            "format_version": CARD_FORMAT_VERSION,
            "architecture": {"name": "unet", **self.architecture.to_config()},
            "schedule": self.schedule.to_config(),
            "parameterization": self.parameterization,
            "data": self.data,
            "training": self.training,
            "validation": self.validation,
            "created": self.created,
            "code_version": self.code_version,
            **({"code_commit": self.code_commit} if self.code_commit else {}),
            "weights_sha256": self.weights_sha256,
        }

    @classmethod
    def from_json(cls, card: dict[str, Any]) -> ModelCard:
        """Parse :meth:`to_json` output; raise ``ValueError`` if it is not a model card."""
        if card.get("format") != CARD_FORMAT or card.get("format_version") != CARD_FORMAT_VERSION:
            raise ValueError(
                f"not a {CARD_FORMAT} card of version {CARD_FORMAT_VERSION}: "
                f"format={card.get('format')!r}, version={card.get('format_version')!r}"
            )
        architecture = dict(card["architecture"])
        if architecture.pop("name") != "unet":
            raise ValueError(f"unknown architecture {card['architecture'].get('name')!r}")
        if card["parameterization"] != "eps":
            raise ValueError(f"unknown parameterization {card['parameterization']!r}")
        return cls(
            architecture=UNetConfig.from_config(architecture),
            schedule=NoiseSchedule.from_config(card["schedule"]),
            parameterization=card["parameterization"],
            data=card["data"],
            training=card["training"],
            validation=card["validation"],
            created=card["created"],
            code_version=card["code_version"],
            weights_sha256=card["weights_sha256"],
            code_commit=card.get("code_commit", ""),
        )


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checkout_commit(package: Path) -> str:
    """Name the git commit a package's code came from, when it runs from a checkout.

    Asks git (``git rev-parse HEAD``; ``git status`` for uncommitted changes to
    tracked files) with a short timeout, only when a card is saved. The checkout
    must be the package's own: a package installed into a virtual environment or
    bundled by PyInstaller inside some other repository has none.

    Parameters
    ----------
    package : Path
        The folder of the package (``core``); its checkout is the folder above.

    Returns
    -------
    str
        The commit's full hash, with ``"-dirty"`` appended where tracked files
        differ from it (as ``git describe --dirty`` marks it); empty where git, the
        checkout or an answer within :data:`GIT_TIMEOUT_S` is missing.
    """
    try:
        top, commit = _git(package, "rev-parse", "--show-toplevel", "HEAD").splitlines()
        if Path(top).resolve() != package.resolve().parent:
            return ""
        changed = _git(package, "status", "--porcelain", "--untracked-files=no")
    except (OSError, ValueError, subprocess.SubprocessError):
        return ""  # no git, not a checkout, a folder that is gone, or git too slow
    return f"{commit}-dirty" if changed.strip() else commit


def _git(folder: Path, *args: str) -> str:
    """Run git in ``folder`` without a console window or index lock; return its output."""
    return subprocess.run(
        ["git", *args],
        cwd=folder,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},  # never rewrite the index
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=GIT_TIMEOUT_S,
        check=True,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # Windows only
    ).stdout


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
) -> ModelCard:
    """Write the network's weights as safetensors and its model card as JSON.

    Both files are written to temporary names and renamed into place.

    Parameters
    ----------
    model : DiffusionModel
        A model whose network is a :class:`~core.diffusion.unet.UNet`.
    path : str or Path
        Weights file (``.safetensors``); the card goes to :func:`card_path`.
    data, training, validation : dict or None
        Card sections (see :class:`ModelCard`).

    Returns
    -------
    ModelCard
        The card written, also set as ``model.card`` (and ``path`` as ``model.path``).
    """
    if not isinstance(model.network, UNet):
        raise TypeError("only UNet networks can be saved")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    state = {k: v.detach().cpu().contiguous() for k, v in model.network.state_dict().items()}
    save_file(state, tmp, metadata={"format": CARD_FORMAT})
    os.chmod(tmp, 0o644)  # safetensors creates 0600 files; a model is meant to be shared
    card = ModelCard(
        architecture=model.network.config,
        schedule=model.schedule,
        data=data or {},
        training=training or {},
        validation=validation or {},
        created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        code_version=core.__version__,
        weights_sha256=_sha256(tmp),
        code_commit=checkout_commit(CODE_FOLDER),
    )
    card_file = card_path(path)
    card_tmp = card_file.with_name(card_file.name + ".tmp")
    card_tmp.write_text(json.dumps(card.to_json(), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    os.replace(card_tmp, card_file)
    model.card = card
    model.path = path
    return card


def _is_checkpoint(path: Path) -> bool:
    """Tell whether a safetensors file is a training checkpoint (by its metadata)."""
    try:
        with safe_open(str(path), framework="pt") as f:
            return (f.metadata() or {}).get("format") == CHECKPOINT_FORMAT
    except (OSError, SafetensorError):
        return False


def load_model(path: str | Path, *, device: str | torch.device = "cpu") -> DiffusionModel:
    """Load a model saved by :func:`save_model`, checking the weights' SHA-256.

    Parameters
    ----------
    path : str or Path
        Weights file; its card must sit beside it (:func:`card_path`).
    device : str or torch.device
        Where to put the weights.

    Returns
    -------
    DiffusionModel
        In eval mode, with ``card`` and ``path`` set.

    Raises
    ------
    ModelFileError
        If a file is missing or unreadable, the card is not a model card, the weights
        do not match the card's checksum or the architecture.
    """
    path = Path(path)
    card_file = card_path(path)
    if path.is_file() and not card_file.is_file() and _is_checkpoint(path):
        model = path.with_name(path.name.replace(".checkpoint.safetensors", ".safetensors"))
        raise ModelFileError(path, f"a training checkpoint, not a model; load {model.name}")
    for required in (path, card_file):
        if not required.is_file():
            raise ModelFileError(path, f"missing file {required}")
    try:
        card = ModelCard.from_json(json.loads(card_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ModelFileError(path, f"unreadable model card {card_file.name}: {e}") from e
    if _sha256(path) != card.weights_sha256:
        raise ModelFileError(path, "weights do not match the checksum in the model card")
    network = UNet(card.architecture)
    try:
        network.load_state_dict(load_file(path, device=str(device)))
    except (OSError, SafetensorError) as e:
        raise ModelFileError(path, f"unreadable weights: {e}") from e
    except RuntimeError as e:
        raise ModelFileError(path, "weights do not match the architecture in the card") from e
    return DiffusionModel(network, card.schedule, card, path=path).to(device).eval()
