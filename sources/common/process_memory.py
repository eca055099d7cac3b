"""Memory the build process keeps after a step has freed it.

pyarrow's allocator (mimalloc) keeps freed memory for reuse instead of returning it to the system. A step
that made large Arrow tables or pandas frames (pandas' strings are Arrow) leaves the process holding
hundreds of MB it no longer uses, on top of what the next step needs: at scale 1, 570 MB of the 1.3 GB the
build process held when linkage started. Returning it after each step keeps a build's peak that of its
largest step (benchmarks/README.md, peak memory by stage).
"""

from __future__ import annotations

import pyarrow as pa


def release_unused_memory() -> None:
    """Give the memory pyarrow's pool holds but no longer uses back to the system."""
    pa.default_memory_pool().release_unused()
