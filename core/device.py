"""Which torch device to compute on, in what precision, how to name it, and its free memory."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

import torch

__all__ = [
    "DEVICE_CHOICES",
    "PRECISION_CHOICES",
    "check_device_preference",
    "UNKNOWN_FREE_MEMORY",
    "cpu_has_amx",
    "device_label",
    "free_memory_bytes",
    "inference_dtype",
    "precision_label",
    "select_device",
]

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
"""Device preferences a user can give (``"cuda:N"`` picks one of several GPUs)."""

UNKNOWN_FREE_MEMORY = 2 * 1024**3
"""Free memory assumed where the system does not say (2 GiB)."""


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def check_device_preference(preference: str) -> str:
    """Check the spelling of a device preference, not whether the machine has it.

    Parameters
    ----------
    preference : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"`` (any case).

    Returns
    -------
    str
        The preference in lower case without surrounding spaces.

    Raises
    ------
    ValueError
        If it is none of those.
    """
    name = preference.strip().lower() if isinstance(preference, str) else ""
    if name in DEVICE_CHOICES or (name.startswith("cuda:") and name[5:].isdigit()):
        return name
    raise ValueError(
        f"unknown device {preference!r}; use one of {', '.join(DEVICE_CHOICES)} or cuda:N"
    )


def select_device(preference: str = "auto") -> torch.device:
    """Pick the compute device.

    Parameters
    ----------
    preference : str
        ``"auto"`` (CUDA, then Apple MPS, then the CPU), ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"mps"``.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If the preference is unknown or names a device this machine does not have.
    """
    name = check_device_preference(preference)
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "mps":
        if not _mps_available():
            raise ValueError("device 'mps' is not available (needs Apple silicon); use auto or cpu")
        return torch.device("mps")
    if not torch.cuda.is_available():
        raise ValueError(
            f"device {preference!r} is not available: no CUDA GPU or no CUDA build of "
            "PyTorch; use auto or cpu"
        )
    device = torch.device(name)
    if device.index is not None and device.index >= torch.cuda.device_count():
        raise ValueError(
            f"device {preference!r} is not available: this machine has "
            f"{torch.cuda.device_count()} CUDA GPU(s)"
        )
    return device


PRECISION_CHOICES = ("auto", "float32")
"""Network precisions a user can ask for (:func:`inference_dtype`)."""


def cpu_has_amx() -> bool:
    """Tell whether this CPU has AMX tiles (Intel Sapphire Rapids and later).

    Asks PyTorch's private ``torch.cpu._is_amx_tile_supported``; False where this
    build of PyTorch lacks it or it fails.

    Returns
    -------
    bool
    """
    try:
        return bool(torch.cpu._is_amx_tile_supported())
    except Exception:  # a private API: missing, renamed or failing in another build
        return False


def inference_dtype(device: torch.device, precision: str) -> torch.dtype:
    """Choose the type the network computes in (under autocast) on a device.

    Parameters
    ----------
    device : torch.device
        Where the network runs.
    precision : {"auto", "float32"}
        ``"auto"``: float16 on CUDA, bfloat16 on a CPU with AMX (:func:`cpu_has_amx`),
        float32 elsewhere (Apple MPS, other CPUs). ``"float32"``: float32 everywhere.

    Returns
    -------
    torch.dtype

    Raises
    ------
    ValueError
        If the precision is neither.
    """
    if precision not in PRECISION_CHOICES:
        raise ValueError(f"unknown precision {precision!r}; use auto or float32")
    if precision == "float32":
        return torch.float32
    if device.type == "cuda":
        return torch.float16
    if device.type == "cpu" and cpu_has_amx():
        return torch.bfloat16
    return torch.float32


def precision_label(dtype: torch.dtype, device: torch.device) -> str:
    """Name the precision a network ran in, and on what kind of device, for a record.

    Parameters
    ----------
    dtype : torch.dtype
        From :func:`inference_dtype`.
    device : torch.device

    Returns
    -------
    str
        For example ``"bfloat16 on CPU"``, ``"float16 on CUDA"`` or ``"float32 on MPS"``.
    """
    return f"{str(dtype).removeprefix('torch.')} on {device.type.upper()}"


def device_label(device: torch.device) -> str:
    """Name a device for a user interface.

    Parameters
    ----------
    device : torch.device

    Returns
    -------
    str
        ``"CUDA: <GPU name>"``, ``"Apple MPS"`` or ``"CPU (n threads)"``.
    """
    if device.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "Apple MPS"
    threads = torch.get_num_threads()
    return f"CPU ({threads} thread{'' if threads == 1 else 's'})"


MACOS_RAM_SHARE = 0.5
"""Share of the RAM taken as available on macOS, which counts only its free pages (few:
it keeps the rest as cache and compressed memory, and gives them up on demand)."""


def _available_ram_bytes() -> int:
    """RAM the system can give without swapping: MemAvailable, the free pages, or a guess."""
    if sys.platform == "darwin":
        try:
            physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            return UNKNOWN_FREE_MEMORY
        return int(physical * MACOS_RAM_SHARE)
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    if sys.platform == "win32":
        return _windows_available_ram()
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return UNKNOWN_FREE_MEMORY


def _windows_available_ram() -> int:
    class MemoryStatus(ctypes.Structure):
        _fields_ = [  # MEMORYSTATUSEX
            ("length", ctypes.c_ulong),
            ("memory_load", ctypes.c_ulong),
            ("total_phys", ctypes.c_ulonglong),
            ("avail_phys", ctypes.c_ulonglong),
            ("total_page_file", ctypes.c_ulonglong),
            ("avail_page_file", ctypes.c_ulonglong),
            ("total_virtual", ctypes.c_ulonglong),
            ("avail_virtual", ctypes.c_ulonglong),
            ("avail_extended_virtual", ctypes.c_ulonglong),
        ]

    status = MemoryStatus(length=ctypes.sizeof(MemoryStatus))
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
        return UNKNOWN_FREE_MEMORY
    return int(status.avail_phys)


def free_memory_bytes(device: torch.device) -> int:
    """Memory free for tensors on a device, in bytes.

    Parameters
    ----------
    device : torch.device

    Returns
    -------
    int
        CUDA: the driver's free memory plus what PyTorch's cache holds unused;
        MPS: the recommended working set less what is allocated (unified memory,
        so never more than the free RAM; the free RAM stands for the working set
        where PyTorch, before 2.5, does not give it); CPU: the RAM available
        without swapping (:data:`UNKNOWN_FREE_MEMORY` where the system does not say).
    """
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        cached = torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
        return int(free + cached)
    ram = _available_ram_bytes()
    if device.type == "mps":
        recommended = getattr(torch.mps, "recommended_max_memory", None)  # torch >= 2.5
        working_set = recommended() if recommended is not None else ram
        budget = working_set - torch.mps.driver_allocated_memory()
        return int(max(0, min(budget, ram)))
    return int(ram)
