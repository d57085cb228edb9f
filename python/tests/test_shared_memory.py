# SPDX-License-Identifier: GPL-2.0
"""shmdev.SharedMemory as a drop-in for multiprocessing.shared_memory's."""

import pickle
from multiprocessing import resource_tracker

import pytest

import shmdev
from shmdev import SharedMemory


@pytest.fixture
def shm():
    """A new SharedMemory of 100 bytes, closed and unlinked at the end."""
    s = SharedMemory(create=True, size=100)
    yield s
    try:
        s.close()
    except BufferError:
        pass
    try:
        s.unlink()
    except FileNotFoundError:
        pass


def test_random_name_and_region(shm):
    """create=True without a name makes a region named psm_...; it exists."""
    assert shm.name.startswith("psm_")
    assert shmdev.stat(shm.name).size == shm.size
    assert shm.size >= 100


def test_attach_shares_bytes(shm):
    """Attaching by name shares the bytes."""
    shm.buf[:3] = b"abc"
    other = SharedMemory(shm.name)
    assert bytes(other.buf[:3]) == b"abc"
    other.close()


def test_leading_slash_accepted(shm):
    """A name with a leading slash (as POSIX shm names have) attaches too."""
    other = SharedMemory("/" + shm.name)
    assert other.name == shm.name
    other.close()


def test_pickle_attaches(shm):
    """Unpickling attaches to the same region."""
    shm.buf[0] = 9
    copy = pickle.loads(pickle.dumps(shm))
    assert copy.name == shm.name and copy.buf[0] == 9
    copy.close()


def test_close_refused_while_slice_alive(shm):
    """close() raises BufferError while a view of buf is alive; buf stays usable."""
    part = shm.buf[0:10]
    with pytest.raises(BufferError):
        shm.close()
    shm.buf[0] = 1
    part.release()
    shm.close()
    assert shm.buf is None


def test_size_kept_after_close(shm):
    """size stays the block's after close(), as the stdlib class's does
    (it was 0, which a caller that logs or pickles it after close sees)."""
    size = shm.size
    shm.close()
    assert shm.size == size > 0


def test_nothing_registered_with_resource_tracker(monkeypatch):
    """Neither creating nor attaching registers with the resource tracker,
    so no tracker unlinks a region at some process's exit."""
    calls = []
    monkeypatch.setattr(resource_tracker, "register", lambda *a: calls.append(a))
    monkeypatch.setattr(resource_tracker, "unregister", lambda *a: calls.append(a))
    s = SharedMemory(create=True, size=10)
    t = SharedMemory(s.name)
    t.close()
    s.close()
    s.unlink()
    assert calls == []


@pytest.mark.parametrize("kwargs", [dict(create=True, size=0), dict(create=True, size=-1),
                                    dict(create=False)])
def test_bad_arguments_are_ValueError(kwargs):
    """size <= 0 with create, or no name without create, is ValueError."""
    with pytest.raises(ValueError):
        SharedMemory(**kwargs)


def test_missing_is_FileNotFoundError():
    """Attaching a missing name is FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        SharedMemory("pyt_not_there")
