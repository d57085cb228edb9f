# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""shmdev: named shared-memory regions of /dev/shmdev, for Python.

The C extension shmdev._shmdev binds libshmdev; this module adds the thin
parts: Condition's threading-shaped helpers and SharedMemory, a drop-in for
multiprocessing.shared_memory.SharedMemory. See docs/python.md.
"""

import os as _os
import time as _time

from ._shmdev import (  # noqa: F401  (re-exported)
    NR_LOCKS,
    REGION_UNLINKED,
    RING_ALIGN,
    RING_HEADER,
    RING_MIN_CAPACITY,
    Event,
    Lock,
    Mutex,
    OwnerDied,
    Region,
    RegionStat,
    Ring,
    RingStat,
    _Condition,
    stat,
    unlink,
)

__all__ = [
    "Region", "Lock", "Mutex", "Condition", "Event", "Ring", "SharedMemory",
    "OwnerDied", "RegionStat", "RingStat", "stat", "unlink",
    "NR_LOCKS", "RING_HEADER", "RING_MIN_CAPACITY", "RING_ALIGN",
]


class Condition(_Condition):
    """Condition(mutex, offset): a condition variable at offset of the
    mutex's region, used with that mutex, shaped like threading.Condition.

    with cond:                      # acquires the mutex
        while not ready():
            cond.wait(timeout)      # False when the timeout passed
        ...
    cond.notify()                   # or notify_all()
    """

    def acquire(self, *args, **kwargs):
        return self.mutex.acquire(*args, **kwargs)

    def release(self):
        self.mutex.release()

    def __enter__(self):
        return self.mutex.__enter__()

    def __exit__(self, *exc):
        return self.mutex.__exit__(*exc)

    def wait_for(self, predicate, timeout=None):
        """Wait until predicate() is true, at most timeout seconds; return
        its last value (as threading.Condition.wait_for does)."""
        end = None if timeout is None else _time.monotonic() + timeout
        result = predicate()
        while not result:
            if end is not None:
                left = end - _time.monotonic()
                if left <= 0:
                    break
                self.wait(left)
            else:
                self.wait()
            result = predicate()
        return result

    def __repr__(self):
        return "<shmdev.Condition at offset %r with %r>" % (self.offset, self.mutex)


def _region_name(name):
    # multiprocessing names POSIX segments "/psm_..."; shmdev names hold no
    # slash, so the leading ones go (as shm_open ignores them).
    return name.lstrip("/")


class SharedMemory:
    """A drop-in for multiprocessing.shared_memory.SharedMemory on shmdev.

    SharedMemory(name=None, create=False, size=0): create=True makes a new
    region (a fresh random name when name is None), size > 0 bytes; else
    attach to the region called name, whatever its size (size is ignored).
    The region outlives every process until unlink(). Unlike the stdlib's
    class, nothing is registered with multiprocessing's resource tracker:
    a process that only attached never unlinks the region at its exit.
    The size is the region's, rounded up to whole pages.
    """

    # as in the stdlib class, so subclasses that set _flags keep working
    _flags = _os.O_RDWR
    _mode = 0o600
    _prepend_leading_slash = True

    _name = None
    _region = None
    _buf = None
    _size = 0

    def __init__(self, name=None, create=False, size=0):
        if not size >= 0:
            raise ValueError("'size' must be a positive integer")
        if create:
            self._flags = _os.O_CREAT | _os.O_EXCL | _os.O_RDWR
            if size == 0:
                raise ValueError("'size' must be a positive number different from zero")
        if name is None and not self._flags & _os.O_EXCL:
            raise ValueError("'name' can only be None if create=True")
        creating = bool(self._flags & _os.O_CREAT)
        exclusive = bool(self._flags & _os.O_EXCL)
        if name is None:
            from multiprocessing import shared_memory as _mp_shm
            while True:
                name = _mp_shm._make_filename()
                try:
                    region = Region(_region_name(name), size, create=True,
                                    exclusive=True, mode=self._mode)
                except FileExistsError:
                    continue
                break
        else:
            if self._prepend_leading_slash and not name.startswith("/"):
                name = "/" + name
            region = Region(_region_name(name), size if creating else 0,
                            create=creating, exclusive=exclusive, mode=self._mode)
        self._name = name
        self._region = region
        self._size = region.size
        self._buf = memoryview(region)

    def __del__(self):
        try:
            self.close()
        except (OSError, BufferError, ValueError):
            pass

    def __reduce__(self):
        return (self.__class__, (self.name, False, self.size))

    def __repr__(self):
        return f"{self.__class__.__name__}({self.name!r}, size={self.size})"

    @property
    def buf(self):
        "A memoryview of the contents of the shared memory block."
        return self._buf

    @property
    def name(self):
        "Unique name that identifies the shared memory block."
        reported = self._name
        if self._prepend_leading_slash and reported.startswith("/"):
            reported = reported[1:]
        return reported

    @property
    def size(self):
        "Size in bytes (after close() too, as the stdlib's)."
        return self._size

    def close(self):
        """Closes access to the shared memory from this instance but does
        not destroy the shared memory block. BufferError while views of
        buf (slices, numpy arrays) are alive."""
        if self._buf is not None:
            self._buf.release()
        if self._region is not None:
            try:
                self._region.close()
            except BufferError:
                self._buf = memoryview(self._region)
                raise
            self._buf = None
            self._region = None

    def unlink(self):
        """Requests that the underlying shared memory block be destroyed:
        its name goes now, its memory once every process closed it."""
        unlink(_region_name(self._name))
