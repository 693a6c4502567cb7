"""Thread counts for torch's CPU work: one place decides how a call runs on one thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch's CPU work of this thread on one thread (torch keeps the count per thread).

    torch.set_num_threads also sets the default that threads not yet started on torch work take
    up, so it is called only on a thread with more than one (a helper already has one), and
    the count is put back after: the default ends where it was.
    """
    before = torch.get_num_threads()
    if before == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
