"""Keep memory a big batch job frees for its own reuse instead of handing it back to the system.

A 1M-company load (``guanxi load``, ``guanxi generate``) builds and drops
hundreds of large arrays one after another. With the allocators' defaults
each large array is a fresh mapping from the kernel, given back when the array
is freed, and the next one is faulted in again page by page, zero-filled (as
2 MB transparent huge pages for NumPy's arrays): at a million companies a
fifth of the load's CPU time was the kernel clearing pages. For this process
only, :func:`keep_freed_memory`

* makes glibc's malloc serve every size from its heap (no per-array
  mappings) and keep freed memory for reuse (trim threshold, top pad);
* has Arrow allocate through that malloc (its system memory pool) instead of
  its own allocator, which returns memory to the kernel within milliseconds;
* stops NumPy from asking for huge pages, whose first touch clears 2 MB.

The peak memory is what the job needs at its largest plus some fragmentation
(measured: +12% at 300k companies). Other systems and C libraries are left
as they are, and a long-running process (the explorer) does not call it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

#: glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_MAX = -4
#: free memory at the top of the heap kept before any is returned (mallopt takes a C int)
TRIM_THRESHOLD = 2**31 - 1
#: extra memory asked of the kernel each time the heap grows
TOP_PAD = 2**30


def keep_freed_memory() -> bool:
    """Tune the allocators for a batch job; True when glibc's malloc was tuned (Linux), else False.

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
        for param, value in ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_TOP_PAD, TOP_PAD))
    )
    if not tuned:
        return False
    import numpy as np
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    # NumPy's switch is not public API: used when present, else huge pages stay as they are
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    set_hugepage = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if callable(set_hugepage):
        set_hugepage(False)
    return True
