"""The files a training run writes: checked before it starts, never replaced unasked."""

from __future__ import annotations

from core.diffusion.model import card_path
from core.training.config import TrainConfig


def check_outputs(config: TrainConfig) -> None:
    """Refuse, before any training, a run whose files cannot or must not be written.

    The output's folder is created. A fresh run (not ``resume``) is refused when its
    model, model card or checkpoint exists, unless ``config.overwrite`` is set; a
    resumed run needs its checkpoint.

    Parameters
    ----------
    config : TrainConfig
        ``output``, ``checkpoint_path``, ``resume`` and ``overwrite``.

    Raises
    ------
    ValueError
        With one line that names the file and says what to do.
    """
    output, checkpoint = config.output, config.checkpoint_path
    for path in (output, card_path(output), checkpoint):
        if path.is_dir():
            raise ValueError(f"output {path} is a folder; name a file MODEL.safetensors")
    blocker = next((p for p in output.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise ValueError(f"{blocker} is a file, not a folder: {output} cannot be written")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ValueError(f"cannot create the folder of {output}: {e.strerror or e}") from e
    if config.resume:
        if not checkpoint.is_file():
            raise ValueError(f"cannot resume: no checkpoint at {checkpoint}")
        return
    if config.overwrite:
        return
    if checkpoint.exists():
        raise ValueError(
            f"{checkpoint} exists; resume it (--resume) or start afresh over it (--overwrite)"
        )
    for path in (output, card_path(output)):
        if path.exists():
            raise ValueError(f"{path} exists; choose another output or replace it (--overwrite)")


def start_metrics(config: TrainConfig) -> None:
    """Empty the metrics file of a fresh run (a resumed run appends to it).

    Parameters
    ----------
    config : TrainConfig
        ``metrics_path`` and ``resume``.
    """
    if not config.resume:
        config.metrics_path.unlink(missing_ok=True)
