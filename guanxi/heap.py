"""Keep memory a big batch job frees for its own reuse instead of handing it back to the system.

A 1M-company load (``guanxi load``, ``guanxi generate``) builds and drops
hundreds of large arrays one after another. With glibc's defaults each
array above a small threshold is a fresh mapping from the kernel, given back
when the array is freed, and the next one is faulted in again page by page,
zero-filled (as 2 MB transparent huge pages for NumPy's arrays): at a million
companies a quarter of the load's CPU time was the kernel clearing pages.
For this process only, :func:`keep_freed_memory` makes glibc's malloc serve
arrays up to 32 MB from its heap and keep freed memory there for reuse
(mmap threshold, trim threshold, top pad), and stops NumPy from asking for
huge pages, whose first touch clears 2 MB.

Measured on the 1M load: 92 -> 85 CPU s (system time 24 -> 17 s), peak
memory 4.82 -> 4.88 GiB. Arrow keeps its own allocator: routing it through
glibc saved 4 s more but added 1.4 GiB of peak memory. Other systems and C
libraries are left as they are; a long-running process (the explorer) does
not call it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

#: glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
#: the largest block served from the heap (glibc's maximum on 64-bit systems)
MMAP_THRESHOLD = 32 * 2**20
#: free memory at the top of the heap kept before any is returned (mallopt takes a C int)
TRIM_THRESHOLD = 2**31 - 1
#: extra memory asked of the kernel each time the heap grows
TOP_PAD = 2**30


def keep_freed_memory() -> bool:
    """Tune the allocator for a batch job; True when glibc's malloc was tuned (Linux), else False.

    >>> isinstance(keep_freed_memory(), bool)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:  # not glibc
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    tuned = all(
        mallopt(param, value) == 1
        for param, value in (
            (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
            (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
            (M_TOP_PAD, TOP_PAD),
        )
    )
    if not tuned:
        return False
    import numpy as np

    # NumPy's switch is not public API: used when present, else huge pages stay as they are
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    set_hugepage = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if callable(set_hugepage):
        set_hugepage(False)
    return True
