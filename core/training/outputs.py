"""The files a training run writes: checked before it starts, never replaced unasked."""

from __future__ import annotations

import json

from core.diffusion.model import card_path
from core.io.atomic import atomic_write
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


def clear_outputs(config: TrainConfig) -> None:
    """Remove the checkpoint an ``overwrite`` run replaces, once the run is about to train.

    Called when the data are read and every check has passed, so that a run refused
    (a data folder that cannot be read, say) touches nothing. The old run's model and
    card stay until the new run's first export replaces them, atomically, so a run
    killed before it leaves the old model usable; with its checkpoint gone, ``resume``
    cannot take the old run's place beside the new run's metrics (which
    :func:`start_metrics` empties). Nothing is removed without ``overwrite`` or on
    ``resume``.

    Parameters
    ----------
    config : TrainConfig
        ``checkpoint_path``, ``resume`` and ``overwrite``.

    Raises
    ------
    ValueError
        With one line that names the checkpoint where it could not be removed.
    """
    if not config.overwrite or config.resume:
        return
    try:
        config.checkpoint_path.unlink(missing_ok=True)
    except OSError as e:
        raise ValueError(
            f"cannot remove {config.checkpoint_path} to start afresh: {e.strerror or e}"
        ) from e


def start_metrics(config: TrainConfig, step: int) -> None:
    """Empty the metrics file of a fresh run; keep a resumed run's up to its checkpoint.

    A resumed run goes on from its checkpoint's step and writes the steps after it
    again, so the records after that step (written before a Cancel or a crash) are
    dropped. The file is replaced atomically: a reader sees the old file or the new
    one, never a part. Lines torn by a killed process are dropped too.

    Parameters
    ----------
    config : TrainConfig
        ``metrics_path`` and ``resume``.
    step : int
        The checkpoint's step (the step the run goes on from).
    """
    path = config.metrics_path
    if not config.resume:
        path.unlink(missing_ok=True)
        return
    if not path.is_file():
        return
    kept = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("step"), int):
            if record["step"] <= step:
                kept.append(line + "\n")
    with atomic_write(path, overwrite=True) as file:
        file.write("".join(kept).encode("utf-8"))
