"""Write ../shared/data/xray-train as a detector's images: 16-bit PNGs of 20000 + 8 p.

A pedestal of 20,000 and 8 stored values a film grey level: the films' content fills 6 % of
the 15 bits that hold it. The folder goes to /tmp/normexp/det with data.csv, the licence
and attribution; the 14 films of the 7 held-out patients also to /tmp/normexp/heldout_det.
Run from the repository root; nothing is written into the project.
"""

import csv
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

SOURCE = Path("../shared/data/xray-train")
TRAINING = Path("/tmp/normexp/det")
HELD_OUT = Path("/tmp/normexp/heldout_det")
HELD_OUT_PATIENTS = {
    *("0a359802", "177330aa", "6a66932a", "b0f73b8c", "e5c29e19", "f722f605", "ff488d3e"),
}


def main() -> None:
    """Write the two folders."""
    (TRAINING / "png").mkdir(parents=True, exist_ok=True)
    HELD_OUT.mkdir(parents=True, exist_ok=True)
    for name in ("ATTRIBUTION.md", "LICENSE", "data.csv"):
        shutil.copy(SOURCE / name, TRAINING / name)
    with (SOURCE / "data.csv").open(newline="") as table:
        patients = {row["image_id"]: row["patient_id"] for row in csv.DictReader(table)}
    for path in sorted((SOURCE / "png").glob("*.png")):
        grey = np.asarray(Image.open(path).convert("L"), dtype=np.uint16)
        detector = Image.fromarray((20000 + 8 * grey).astype(np.uint16))
        detector.save(TRAINING / "png" / path.name)
        if patients.get(path.stem) in HELD_OUT_PATIENTS:
            detector.save(HELD_OUT / path.name)


if __name__ == "__main__":
    main()
