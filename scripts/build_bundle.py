"""Build the PyInstaller bundle ``dist/xraygui/`` and smoke-test it in a clean environment.

Run from anywhere with the project's virtual environment::

    .venv/bin/python scripts/build_bundle.py            # build, then smoke-test
    .venv/bin/python scripts/build_bundle.py --skip-build --quick

Steps:

0. refuse a CUDA build of torch unless ``--cuda`` is given (the default bundle is CPU-only);
1. install the pinned PyInstaller into the running interpreter's environment if it is
   missing or another version, and its dependencies at the versions in ``constraints.txt``;
2. build ``build.spec`` into ``dist/`` (work files in ``build/``; both git-ignored; or the
   folders ``--dist-dir`` and ``--work-dir`` name);
3. check the licence notices beside the executable (``THIRD-PARTY-NOTICES.txt``,
   ``LICENSES/``) and that nothing GPL-only or test-only was bundled;
4. check that ``xraygui`` and ``xraygui-cli`` (``.exe`` on Windows) start (``--version``);
   run ``dist/xraygui/xraygui-cli --smoke-test FILE --report-dir DIR`` (the executable with a
   console, which prints on Windows too) on the bundled sample
   and on real DICOM files with compressed transfer syntaxes (JPEG 2000 and RLE phantoms
   written by ``xray-denoise phantom``, and pydicom's bundled JPEG extended, JPEG lossless,
   JPEG-LS and CT test files),
   from a temporary working directory in a clean environment (only ``PATH`` of the system's
   folders, ``QT_QPA_PLATFORM=offscreen`` and a fresh ``HOME``; on Windows ``SYSTEMROOT``,
   ``TEMP``, ``TMP``, ``USERPROFILE``, ``LOCALAPPDATA`` and ``APPDATA`` instead of ``HOME``): no
   virtual environment, no source tree on the path;
5. check that each run exits 0 and wrote the PDF/JSON/CSV report and the denoised image;
6. run the training wizard's worker mode, ``xraygui-cli --train``, for 3 steps of the tiny
   network on four phantoms in the same clean environment, and check the model and its card.

It prints the build time, the bundle size and each smoke test's time, and exits 1 if
any step fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from third_party_notices import CC_BY_3_URI, LICENSES_DIR, NOTICES_NAME, QT_DIR

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
PYINSTALLER_VERSION = "6.22.3"
BUNDLE_NAME = "xraygui"
CONSOLE_NAME = "xraygui-cli"
"""The bundle's executable with a console (build.spec), which prints on Windows too."""
SMOKE_TIMEOUT_S = 900
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"
"""``PATH`` of the smoke tests on Linux and macOS; on Windows the system's own folders."""
WINDOWS_KEPT = ["SYSTEMROOT", "TEMP", "TMP", "USERPROFILE", "LOCALAPPDATA", "APPDATA"]
"""Variables the smoke tests keep on Windows, where Python, Qt and torch need them."""
NOT_BUNDLED = [
    "_libjpeg*",  # pylibjpeg-libjpeg's decoder (GPL-3.0)
    "libjpeg",
    "pylibjpeg_libjpeg-*",
    "hypothesis*",  # test-only
    "pytest*",
    "_pytest",
]
"""Names that must not appear in the bundle's ``_internal/`` (glob patterns)."""
NOT_BUNDLED_ON = {"linux": ["libreadline.so*"], "darwin": ["libreadline*.dylib"]}
"""Per system (``sys.platform``), libraries that must not appear in ``_internal/`` either:
GNU readline (GPL-3.0), which Python for Windows does not use."""
NOT_BUNDLED_ANYWHERE = ["*qvnc*", "direct_url.json"]
"""Names that must appear nowhere in the bundle (glob patterns): Qt's VNC server plugin, and
pip's record of the editable checkout the bundle was built from."""


@dataclass
class SmokeCase:
    """One smoke-test input: a label and a file (``None``: the bundle's own sample)."""

    label: str
    path: Path | None


def on_windows() -> bool:
    """Return whether this is Windows, where the bundle's executables end in ``.exe``."""
    return os.name == "nt"


def executables(bundle: Path) -> tuple[Path, Path]:
    """Return the bundle's app and the executable to smoke-test it with.

    Parameters
    ----------
    bundle : Path
        ``dist/xraygui``.

    Returns
    -------
    tuple of (Path, Path)
        On Windows ``xraygui.exe`` and ``xraygui-cli.exe``, the app having no console;
        elsewhere ``xraygui`` twice: it prints in the terminal it is started from.
    """
    if on_windows():
        return bundle / f"{BUNDLE_NAME}.exe", bundle / f"{CONSOLE_NAME}.exe"
    return (bundle / BUNDLE_NAME,) * 2


def clean_environment(home: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment the smoke tests run the bundle in: no venv, no user settings.

    Parameters
    ----------
    home : Path
        A fresh folder, the ``HOME`` of Linux and macOS.
    environ : Mapping of str to str, optional
        The environment Windows keeps :data:`WINDOWS_KEPT` from (``os.environ``).

    Returns
    -------
    dict of str to str
        ``QT_QPA_PLATFORM=offscreen``, a ``PATH`` of the system's folders, and ``HOME``, or on
        Windows those of :data:`WINDOWS_KEPT` that are set.
    """
    environ = os.environ if environ is None else environ
    env = {"QT_QPA_PLATFORM": "offscreen"}
    if not on_windows():
        return env | {"PATH": CLEAN_PATH, "HOME": str(home)}
    env |= {name: environ[name] for name in WINDOWS_KEPT if name in environ}
    system = environ.get("SYSTEMROOT", r"C:\Windows")
    return env | {"PATH": f"{PureWindowsPath(system, 'System32')};{system}"}


def ensure_pyinstaller(python: str) -> None:
    """Install ``pyinstaller==PYINSTALLER_VERSION`` into `python`'s environment if needed.

    With its dependencies at the versions in ``constraints.txt``: pip leaves alone what
    matches them (offline too) and brings the rest there, a pyinstaller-hooks-contrib of
    another version, say, whose hooks decide what the bundle collects.

    Parameters
    ----------
    python : str
        The interpreter whose environment builds the bundle.
    """
    print(f"pyinstaller=={PYINSTALLER_VERSION}, its dependencies as constraints.txt pins them")
    subprocess.run(pyinstaller_install_command(python), check=True)


def pyinstaller_install_command(python: str) -> list[str]:
    """Return the pip command that installs the pinned PyInstaller into `python`'s environment."""
    pyinstaller = f"pyinstaller=={PYINSTALLER_VERSION}"
    return [python, "-m", "pip", "install", "--quiet", pyinstaller, "-c", str(CONSTRAINTS)]


def constrained_torch_version() -> str:
    """Return the torch version pinned in ``constraints.txt`` (``"<version>"`` if none)."""
    lines = CONSTRAINTS.read_text(encoding="utf-8").splitlines() if CONSTRAINTS.is_file() else []
    pins = [line.split("==", 1)[1].strip() for line in lines if line.startswith("torch==")]
    return pins[0] if pins else "<version>"


def torch_cuda_version(python: str) -> str:
    """Return the CUDA version `python`'s torch was built for, or ``""`` for a CPU build."""
    probe = subprocess.run(
        [python, "-c", "import torch; print(torch.version.cuda or '')"],
        capture_output=True,
        text=True,
        check=True,
    )
    return probe.stdout.strip()


def build(python: str, dist: Path, work: Path) -> float:
    """Build ``build.spec`` into `dist` and return the seconds it took.

    Parameters
    ----------
    python : str
        The interpreter that runs PyInstaller.
    dist, work : Path
        The folders the bundle and PyInstaller's work files go to.

    Returns
    -------
    float
        Wall-clock seconds of the build.
    """
    start = time.perf_counter()
    subprocess.run(
        [
            python,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "build.spec"),
        ],
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - start


def notice_problems(bundle: Path, platform: str = sys.platform) -> list[str]:
    """Return what is wrong with the bundle's licence notices and contents (nothing: ``[]``).

    Parameters
    ----------
    bundle : Path
        The folder holding the executable.
    platform : str
        The system the bundle was built for (``sys.platform``): which libraries of
        :data:`NOT_BUNDLED_ON` to look for.

    Returns
    -------
    list of str
        A missing ``THIRD-PARTY-NOTICES.txt`` or CC BY 3.0 URI in it, a missing licence of
        the app or of Qt in ``LICENSES/``, every ``NOT_BUNDLED`` name (and the system's
        ``NOT_BUNDLED_ON``) in ``_internal/`` and every ``NOT_BUNDLED_ANYWHERE`` name anywhere.
    """
    notices = bundle / NOTICES_NAME
    licences = bundle / LICENSES_DIR
    problems = []
    if not notices.is_file():
        problems.append(f"no {NOTICES_NAME}")
    elif CC_BY_3_URI not in notices.read_text(encoding="utf-8"):
        problems.append(f"{NOTICES_NAME} does not give the CC BY 3.0 URI")
    for required in ("xray-denoise/LICENSE", f"{QT_DIR}/LGPL-3.0.txt", f"{QT_DIR}/GPL-3.0.txt"):
        if not (licences / required).is_file():
            problems.append(f"no {LICENSES_DIR}/{required}")
    for pattern in NOT_BUNDLED + NOT_BUNDLED_ON.get(platform, []):
        problems += [f"bundled: {path.name}" for path in (bundle / "_internal").glob(pattern)]
    for pattern in NOT_BUNDLED_ANYWHERE:
        problems += [f"bundled: {path.relative_to(bundle)}" for path in bundle.rglob(pattern)]
    return problems


def folder_size(folder: Path) -> int:
    """Return the total size in bytes of the regular files under `folder` (links not followed)."""
    return sum(
        path.lstat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


def make_inputs(python: str, scratch: Path, quick: bool) -> list[SmokeCase]:
    """Write or find the files the bundle is smoke-tested on (DICOM, a JPEG, an LZW TIFF).

    Parameters
    ----------
    python : str
        The build interpreter (runs ``core.cli phantom`` and finds pydicom's test files).
    scratch : Path
        Folder for the generated files.
    quick : bool
        Only the bundled sample and the JPEG 2000 MONOCHROME1 phantom.

    Returns
    -------
    list of SmokeCase
    """
    scratch.mkdir(parents=True, exist_ok=True)
    cases = [SmokeCase("bundled sample", None)]
    phantoms = (
        [("j2k", "MONOCHROME1")] if quick else [("j2k", "MONOCHROME1"), ("rle", "MONOCHROME2")]
    )
    for compression, photometric in phantoms:
        out = scratch / f"phantom_{compression}.dcm"
        subprocess.run(
            [python, "-m", "core.cli", "phantom", str(out), "--size", "512", "--photons", "20000",
             "--compression", compression, "--photometric", photometric, "--overwrite"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        cases.append(SmokeCase(f"phantom {compression} {photometric}", out))
    if not quick:
        # imagecodecs' JPEG extended, JPEG lossless (RGB) and JPEG-LS decoders
        # (core.io.jpeg_decode); a signed CT.
        jpeg_files = ["JPGExtended.dcm", "SC_rgb_jpeg_gdcm.dcm", "MR_small_jpeg_ls_lossless.dcm"]
        for name in (*jpeg_files, "CT_small.dcm"):
            found = subprocess.run(
                [
                    python,
                    "-c",
                    f"from pydicom.data import get_testdata_file as g; print(g({name!r}))",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            copy = scratch / name
            shutil.copyfile(found, copy)
            cases.append(SmokeCase(f"pydicom {name}", copy))
        # Pillow's JPEG plugin, which the bundle must carry for JPEG files.
        jpeg = scratch / "phantom.jpg"
        write_jpeg = (
            "import sys, numpy as np; from PIL import Image; "
            "from core.noise import phantom_image; "
            "p = phantom_image((384, 384), bits_stored=8, photons_per_pixel=20000.0, seed=2); "
            "Image.fromarray(p.astype(np.uint8)).save(sys.argv[1], quality=95)"
        )
        subprocess.run([python, "-c", write_jpeg, str(jpeg)], cwd=ROOT, check=True)
        cases.append(SmokeCase("phantom JPEG", jpeg))
        # imagecodecs' LZW decoder, which tifffile needs for most tools' TIFF files.
        lzw = scratch / "phantom_lzw.tif"
        write_lzw = (
            "import sys, tifffile; from core.noise import phantom_image; "
            "p = phantom_image((384, 384), bits_stored=16, photons_per_pixel=20000.0, seed=3); "
            "tifffile.imwrite(sys.argv[1], p.astype('uint16'), compression='lzw')"
        )
        subprocess.run([python, "-c", write_lzw, str(lzw)], cwd=ROOT, check=True)
        cases.append(SmokeCase("phantom TIFF (LZW)", lzw))
    return cases


def version_test(executable: Path, scratch: Path) -> tuple[bool, str]:
    """Run ``EXECUTABLE --version`` in a clean environment, to see that it starts.

    Parameters
    ----------
    executable : Path
        ``xraygui`` or ``xraygui-cli``.
    scratch : Path
        A fresh folder: the working directory and ``HOME``.

    Returns
    -------
    tuple of (bool, str)
        Whether it exited 0 and, except for the Windows app (which has no console to
        print to), printed ``xraygui <version>``; and its output.
    """
    home = scratch / "home"
    home.mkdir(parents=True)
    try:
        run = subprocess.run(
            [str(executable), "--version"],
            cwd=scratch,
            env=clean_environment(home),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, "timed out after 300 s"
    silent = on_windows() and executable.stem == BUNDLE_NAME
    said = silent or run.stdout.startswith(f"{BUNDLE_NAME} ")
    return run.returncode == 0 and said, run.stdout + run.stderr


def smoke_test(executable: Path, case: SmokeCase, scratch: Path) -> tuple[bool, float, str]:
    """Run the bundled ``--smoke-test`` on one input in a clean environment.

    Parameters
    ----------
    executable : Path
        ``dist/xraygui/xraygui-cli`` (:func:`executables`).
    case : SmokeCase
        The input.
    scratch : Path
        A fresh folder: the working directory, ``HOME`` and the report folder go here.

    Returns
    -------
    tuple of (bool, float, str)
        Whether it passed (exit 0 and every output present), its seconds, and its output.
    """
    home = scratch / "home"
    report_dir = scratch / "report"
    home.mkdir(parents=True)
    command = [str(executable), "--smoke-test", *([str(case.path)] if case.path else [])]
    command += ["--report-dir", str(report_dir)]
    start = time.perf_counter()
    try:
        run = subprocess.run(
            command,
            cwd=scratch,
            env=clean_environment(home),
            capture_output=True,
            text=True,
            timeout=SMOKE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, time.perf_counter() - start, f"timed out after {SMOKE_TIMEOUT_S} s"
    seconds = time.perf_counter() - start
    output = run.stdout + run.stderr
    missing = [
        pattern
        for pattern in ("*.pdf", "*.json", "*.csv", "*_denoised.*")
        if not any(report_dir.glob(pattern))
    ]
    if missing:
        output += f"\nmissing outputs in {report_dir}: {', '.join(missing)}"
    return run.returncode == 0 and not missing, seconds, output


def train_smoke_test(python: str, executable: Path, scratch: Path) -> tuple[bool, float, str]:
    """Run the training wizard's worker mode, ``--train``, for 3 steps of a tiny model.

    Parameters
    ----------
    python : str
        The build interpreter (writes four small phantoms to train on).
    executable : Path
        ``dist/xraygui/xraygui-cli`` (:func:`executables`).
    scratch : Path
        A fresh folder for the images, ``HOME`` and the model.

    Returns
    -------
    tuple of (bool, float, str)
        Whether it passed (exit 0, model and card written), its seconds, and its output.
    """
    images = scratch / "images"
    images.mkdir(parents=True)
    for seed in range(1, 5):
        subprocess.run(
            [python, "-m", "core.cli", "phantom", str(images / f"p{seed}.dcm"), "--size", "256",
             "--seed", str(seed)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    home = scratch / "home"
    home.mkdir()
    model = scratch / "model" / "tiny.safetensors"
    model.parent.mkdir()
    command = [str(executable), "--train", str(images), "--output", str(model)]
    command += ["--architecture", "tiny", "--steps", "3", "--batch-size", "2", "--patch-size", "32"]
    command += ["--val-every", "0", "--checkpoint-every", "3", "--log-every", "1", "--no-progress"]
    command += ["--device", "cpu"]
    start = time.perf_counter()
    try:
        run = subprocess.run(
            command,
            cwd=scratch,
            env=clean_environment(home),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, time.perf_counter() - start, "timed out after 600 s"
    seconds = time.perf_counter() - start
    output = run.stdout + run.stderr
    missing = [p.name for p in (model, model.with_suffix(".json")) if not p.is_file()]
    if missing:
        output += f"\nnot written: {', '.join(missing)}"
    return run.returncode == 0 and not missing, seconds, output


def main(argv: list[str] | None = None) -> int:
    """Build and smoke-test the bundle; return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name.

    Returns
    -------
    int
        0 if the build and every smoke test passed, else 1.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="smoke-test the existing dist/")
    parser.add_argument(
        "--quick", action="store_true", help="smoke-test the sample and one JPEG 2000 file only"
    )
    parser.add_argument(
        "--cuda", action="store_true", help="allow building with a CUDA build of torch"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the smoke tests' scratch folder and print it"
    )
    parser.add_argument(
        "--dist-dir", type=Path, default=ROOT / "dist", help="where the bundle goes (dist/)"
    )
    parser.add_argument(
        "--work-dir", type=Path, default=ROOT / "build", help="PyInstaller's work files (build/)"
    )
    args = parser.parse_args(argv)
    python = sys.executable
    if not args.skip_build:
        cuda = torch_cuda_version(python)
        if cuda and not args.cuda:
            print(
                f"torch in {sys.prefix} is a CUDA {cuda} build; the default bundle is CPU-only.\n"
                "Install the CPU wheel first:\n"
                f"  {python} -m pip install --force-reinstall --no-deps "
                f"torch=={constrained_torch_version()} --index-url https://download.pytorch.org/whl/cpu\n"
                "or pass --cuda to build a CUDA bundle on purpose.",
                file=sys.stderr,
            )
            return 1
        print(f"torch: {'CUDA ' + cuda if cuda else 'CPU'} build", flush=True)
        ensure_pyinstaller(python)
        seconds = build(python, args.dist_dir.resolve(), args.work_dir.resolve())
        print(f"build: {seconds:.0f} s", flush=True)
    app, executable = executables(args.dist_dir.resolve() / BUNDLE_NAME)
    missing = [program for program in (app, executable) if not program.is_file()]
    if missing:
        print(f"no bundle at {missing[0]}; build it first", file=sys.stderr)
        return 1
    size = folder_size(executable.parent)
    print(f"bundle: {executable.parent} {size / 2**20:.0f} MiB", flush=True)

    problems = notice_problems(executable.parent)
    print(f"licence notices {'FAIL' if problems else 'PASS'}", flush=True)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr, flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="xraygui-bundle-smoke-"))
    failures = 1 if problems else 0
    try:
        for program in dict.fromkeys([app, executable]):
            passed, output = version_test(program, scratch / f"version-{program.stem}")
            print(f"{program.name} --version {'PASS' if passed else 'FAIL'}: {output.strip()}")
            failures += 0 if passed else 1
        for index, case in enumerate(make_inputs(python, scratch / "inputs", args.quick)):
            passed, seconds, output = smoke_test(executable, case, scratch / f"run{index}")
            print(f"smoke test {'PASS' if passed else 'FAIL'} {case.label}: {seconds:.0f} s")
            if not passed:
                failures += 1
                print(output, file=sys.stderr, flush=True)
        passed, seconds, output = train_smoke_test(python, executable, scratch / "train")
        print(f"smoke test {'PASS' if passed else 'FAIL'} {executable.name} --train "
              f"(tiny, 3 steps): {seconds:.0f} s")  # fmt: skip
        if not passed:
            failures += 1
            print(output, file=sys.stderr, flush=True)
    finally:
        if args.keep:
            print(f"scratch kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
