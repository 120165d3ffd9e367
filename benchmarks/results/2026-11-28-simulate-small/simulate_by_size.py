"""End to end: simulate without --photons on phantoms; exit status by size, quanta, bits."""

import contextlib
import io
import tempfile
from pathlib import Path

from core.cli import main

tmp = Path(tempfile.mkdtemp())
for bits in ("12", "16", "8"):
    for size in (64, 128, 192, 256, 384, 512):
        for photons in (None, 5000, 20000, 100000, 200000):
            rcs = []
            for seed in range(8 if size < 512 else 4):
                src = tmp / "p.dcm"
                a = [
                    "phantom",
                    str(src),
                    "--size",
                    str(size),
                    "--seed",
                    str(seed),
                    "--bits",
                    bits,
                    "--compression",
                    "raw",
                    "--overwrite",
                ]
                if photons:
                    a += ["--photons", str(photons)]
                with (
                    contextlib.redirect_stdout(io.StringIO()),
                    contextlib.redirect_stderr(io.StringIO()),
                ):
                    assert main(a) == 0
                    rcs.append(
                        main(
                            [
                                "simulate",
                                str(src),
                                "--dose",
                                "0.25",
                                "--output",
                                str(tmp / "o.dcm"),
                                "--overwrite",
                            ]
                        )
                    )
            print(
                bits,
                size,
                photons,
                "refused",
                rcs.count(2),
                "/",
                len(rcs),
                "other",
                [r for r in rcs if r not in (0, 2)],
                flush=True,
            )
