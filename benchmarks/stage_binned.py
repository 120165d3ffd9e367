"""Carry 8-bit training data, binned 2 x 2, losslessly, to a lent GPU machine, and back out.

A lent GPU machine takes at most 64 MiB of files with each call, the project's own files
(the shipped model's 36 MB among them) included. ``../shared/data/xray-train`` is 50 MB
of PNGs, so a fine-tune of the shipped model cannot carry them as they are. Training with
``--binning 2`` only ever uses each image's 2 x 2 block means, so this script carries
those instead:

- ``pack`` splits the folder by patient as training does (:mod:`core.training.data`,
  the same ``--val-fraction`` and ``--split-seed``). Held-out images travel as they are,
  byte for byte: validation sees what it always sees. Each training image travels as
  the sums of its 2 x 2 blocks (rows and columns beyond the last whole block dropped,
  as :func:`core.binning.block_means` drops them), coded losslessly: each sum's
  difference from its left neighbour, zigzagged, low and high bytes in two LZMA streams.
  ``data.csv`` and the text files beside the images travel as they are.
- ``unpack`` rebuilds the folder with each training image as a float32 TIFF of its
  block means over 255, in ``[0, 1]``, under its own name with ``.tif``.

Trained on the unpacked folder with ``--binning 1 --normalisation range``, the model sees
the same training pixels as with ``--binning 2 --normalisation range`` on the PNGs
(``2 m / 255 - 1`` for block means ``m``, to float32 rounding), the same split and the
same validation images (the shipped model's second stage was trained so). With the
default ``--normalisation percentiles`` the percentiles of the block means are not those
of the films, so the pixels differ by the two maps' difference::

    python benchmarks/stage_binned.py pack ../shared/data/xray-train .stage
    python benchmarks/stage_binned.py unpack .stage /tmp/data/xray-train

``unpack`` needs only numpy and tifffile, so it runs where the project's other
dependencies are not installed.
"""

from __future__ import annotations

import argparse
import json
import lzma
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

INDEX = "index.json"
"""The pack's list of files: training images with their shapes, files carried as they are."""
LOW_BYTES = "low.xz"
HIGH_BYTES = "high.xz"
AS_IS = "as_is"
"""Folder of the pack holding the files carried byte for byte, by their relative paths."""
BLOCK = 2


def encode(sums: np.ndarray) -> np.ndarray:
    """Return the zigzag residuals of block sums from their left neighbours, as uint16.

    Parameters
    ----------
    sums : ndarray of int64, shape (rows, cols)
        Block sums, 0 to 1020; the first column's left neighbour counts as 0.

    Returns
    -------
    ndarray of uint16
        ``2 r`` for residuals ``r >= 0``, ``-2 r - 1`` below.
    """
    residuals = np.diff(sums, axis=1, prepend=0)
    return np.where(residuals >= 0, 2 * residuals, -2 * residuals - 1).astype(np.uint16)


def decode(codes: np.ndarray) -> np.ndarray:
    """Invert :func:`encode`.

    Parameters
    ----------
    codes : ndarray of uint16, shape (rows, cols)
        Zigzag residuals.

    Returns
    -------
    ndarray of int64
        The block sums.
    """
    codes = codes.astype(np.int64)
    residuals = np.where(codes % 2 == 0, codes // 2, -(codes + 1) // 2)
    return np.cumsum(residuals, axis=1)


def block_sums(pixels: np.ndarray) -> np.ndarray:
    """Sum ``2 x 2`` blocks, dropping the rows and columns beyond the last whole block."""
    rows, cols = (side // BLOCK * BLOCK for side in pixels.shape)
    tiles = (
        pixels[:rows, :cols].astype(np.int64).reshape(rows // BLOCK, BLOCK, cols // BLOCK, BLOCK)
    )
    return tiles.sum(axis=(1, 3))


def pack(data: Path, out: Path, *, val_fraction: float, split_seed: int) -> None:
    """Write the pack of ``data`` to ``out`` (see the module's docstring)."""
    from PIL import Image

    from core.training.data import assign_patients, find_images, split_by_patient

    records = assign_patients(data, find_images(data))
    train, _ = split_by_patient(records, val_fraction=val_fraction, seed=split_seed)
    train_paths = {r.path for r in train}
    out.mkdir(parents=True)
    index: dict[str, list] = {"binned": [], "as_is": []}
    codes = []
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        relative = path.relative_to(data).as_posix()
        if path not in train_paths:
            target = out / AS_IS / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            index["as_is"].append(relative)
            continue
        with Image.open(path) as image:
            if image.mode != "L" or getattr(image, "n_frames", 1) != 1:
                raise SystemExit(f"{path}: only single-frame 8-bit greyscale images are packed")
            sums = block_sums(np.asarray(image))
        index["binned"].append([relative, *sums.shape])
        codes.append(encode(sums).ravel())
    joined = np.concatenate(codes)
    (out / LOW_BYTES).write_bytes(lzma.compress((joined & 255).astype(np.uint8).tobytes()))
    (out / HIGH_BYTES).write_bytes(lzma.compress((joined >> 8).astype(np.uint8).tobytes()))
    (out / INDEX).write_text(json.dumps(index))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(
        f"{out}: {len(index['binned'])} training images binned, {len(index['as_is'])} files "
        f"as they are, {size / 2**20:.1f} MiB"
    )


def unpack(pack_folder: Path, data: Path) -> None:
    """Rebuild a data folder from a pack (see the module's docstring)."""
    import tifffile

    index = json.loads((pack_folder / INDEX).read_text())
    low = np.frombuffer(lzma.decompress((pack_folder / LOW_BYTES).read_bytes()), np.uint8)
    high = np.frombuffer(lzma.decompress((pack_folder / HIGH_BYTES).read_bytes()), np.uint8)
    joined = low.astype(np.uint16) | (high.astype(np.uint16) << 8)
    start = 0
    for relative, rows, cols in index["binned"]:
        codes = joined[start : start + rows * cols].reshape(rows, cols)
        start += rows * cols
        means = (decode(codes) / (BLOCK * BLOCK * 255.0)).astype(np.float32)
        target = (data / relative).with_suffix(".tif")
        target.parent.mkdir(parents=True, exist_ok=True)
        tifffile.imwrite(target, means)
    if start != joined.size:
        raise SystemExit(f"{pack_folder}: {joined.size - start} residuals left over")
    for relative in index["as_is"]:
        target = data / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pack_folder / AS_IS / relative, target)
    print(
        f"{data}: {len(index['binned'])} training images, {len(index['as_is'])} files as they are"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run ``pack`` or ``unpack`` from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    packing = verbs.add_parser("pack", help="pack a data folder")
    packing.add_argument("data", type=Path)
    packing.add_argument("out", type=Path, help="a new folder")
    packing.add_argument("--val-fraction", type=float, default=0.1)
    packing.add_argument("--split-seed", type=int, default=0)
    unpacking = verbs.add_parser("unpack", help="rebuild a data folder from a pack")
    unpacking.add_argument("pack", type=Path)
    unpacking.add_argument("data", type=Path, help="a new folder")
    args = parser.parse_args(argv)
    if args.verb == "pack":
        pack(args.data, args.out, val_fraction=args.val_fraction, split_seed=args.split_seed)
    else:
        unpack(args.pack, args.data)


if __name__ == "__main__":
    main()
