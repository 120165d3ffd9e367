"""Multi-process training through PyTorch's own engine (torchrun + DDP).

Launched by ``torchrun``, every process reads ``RANK``, ``LOCAL_RANK`` and
``WORLD_SIZE`` from its environment; a plain launch is a world of one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from core.device import select_device


def resolve_device(name: str, local_rank: int = 0) -> torch.device:
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"`` into a device.

    The choice and its checks are :func:`core.device.select_device`'s, as for
    denoising: ``"auto"`` picks CUDA, then MPS, then the CPU, and a device this
    machine lacks is refused. Under torchrun a bare ``"cuda"`` (or ``"auto"`` that
    picks CUDA) means this process's GPU, ``cuda:LOCAL_RANK``.

    Parameters
    ----------
    name : str
        The device asked for.
    local_rank : int
        This process's rank on its machine (torchrun's ``LOCAL_RANK``).

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If the name is unknown or names a device this machine does not have, in one
        line (``"device 'cuda:0' is not available: ..."``).
    """
    device = select_device(name)
    if device.type == "cuda" and device.index is None:
        return torch.device("cuda", local_rank)
    return device


@dataclass(frozen=True)
class DistributedContext:
    """The place of this process in the training world.

    Parameters
    ----------
    rank : int
        Global rank; rank 0 alone writes files and validates.
    world_size : int
        Number of processes.
    device : torch.device
        This process's device.
    owns_group : bool
        Whether this context initialised the process group (and so must destroy it).
    """

    rank: int
    world_size: int
    device: torch.device
    owns_group: bool

    @property
    def is_main(self) -> bool:
        """True on rank 0."""
        return self.rank == 0

    @classmethod
    def from_env(cls, device: str) -> DistributedContext:
        """Join the process group that torchrun describes, if there is one.

        Parameters
        ----------
        device : str
            Requested device (see :func:`resolve_device`).
        """
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        resolved = resolve_device(device, local_rank)
        if world_size == 1:
            return cls(rank=0, world_size=1, device=resolved, owns_group=False)
        owns = not dist.is_initialized()
        if owns:
            if resolved.type == "cuda":
                torch.cuda.set_device(resolved)
            dist.init_process_group(backend="nccl" if resolved.type == "cuda" else "gloo")
        return cls(dist.get_rank(), dist.get_world_size(), resolved, owns)

    def agree(self, flag: bool) -> bool:
        """Return rank 0's ``flag`` on every rank (for decisions such as stopping)."""
        if self.world_size == 1:
            return flag
        value = torch.tensor([1.0 if flag else 0.0], device=self.device)
        dist.broadcast(value, src=0)
        return bool(value.item())

    def share(self, value: float) -> float:
        """Return rank 0's ``value`` on every rank (a clock reading, say)."""
        if self.world_size == 1:
            return value
        tensor = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.broadcast(tensor, src=0)
        return float(tensor.item())

    def barrier(self) -> None:
        """Wait until every rank gets here (nothing to wait for alone)."""
        if self.world_size > 1:
            dist.barrier()

    def close(self) -> None:
        """Destroy the process group if this context created it."""
        if self.owns_group and dist.is_initialized():
            dist.destroy_process_group()
