"""How many views a denoise may average over, in a module without torch.

The command line builds its ``--views`` help and messages from it at start-up, before
torch loads; :mod:`core.denoise.views`, which takes the views, and
:class:`core.denoise.DenoiseSettings`, which checks the count, read it from here.
"""

VIEW_COUNTS = (1, 2, 4, 8)
"""Allowed numbers of views: the identity, then mirror images, then rotations."""


def view_counts_text() -> str:
    """Say the allowed numbers of views in words, for help and messages.

    Returns
    -------
    str
        :data:`VIEW_COUNTS` as ``"1, 2, 4 or 8"``.
    """
    *first, last = VIEW_COUNTS
    return f"{', '.join(map(str, first))} or {last}"
