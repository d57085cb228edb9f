# SPDX-License-Identifier: GPL-2.0
"""Region.lock: the module's kernel locks, owned by handles."""

import errno
import math
import threading
import time

import pytest

import shmdev


@pytest.fixture
def other(region, name):
    """A second handle of the region: a second lock owner in this process."""
    with shmdev.Region(name) as r:
        yield r


def test_exclusive_excludes_other_handle(region, other):
    """An exclusive lock makes another handle's timeout-0 acquire TimeoutError."""
    with region.lock(3):
        with pytest.raises(TimeoutError) as e:
            other.lock(3, timeout=0).acquire()
        assert e.value.errno == errno.ETIMEDOUT
    with other.lock(3, timeout=0):
        pass


def test_shared_locks_coexist(region, other):
    """Two shared holders at once; an exclusive request times out meanwhile."""
    with region.lock(1, shared=True), other.lock(1, shared=True, timeout=0):
        with shmdev.Region(region.name) as third:
            with pytest.raises(TimeoutError):
                third.lock(1, timeout=0.01).acquire()


def test_timeout_waits_that_long(region, other):
    """A float timeout waits about that long before TimeoutError."""
    with region.lock(0):
        t = time.monotonic()
        with pytest.raises(TimeoutError):
            other.lock(0, timeout=0.2).acquire()
        assert time.monotonic() - t >= 0.2


def test_acquire_timeout_overrides(region, other):
    """acquire(timeout=...) overrides the lock's own timeout."""
    with region.lock(0):
        with pytest.raises(TimeoutError):
            other.lock(0).acquire(timeout=0)


@pytest.mark.parametrize("n", [-1, shmdev.NR_LOCKS, 2**40])
def test_lock_number_out_of_range(region, n):
    """A lock number outside 0..NR_LOCKS-1 raises ValueError or OverflowError."""
    with pytest.raises((ValueError, OverflowError)):
        region.lock(n)


@pytest.mark.parametrize("bad", [-1, -0.5, math.nan])
def test_bad_timeout_is_ValueError(region, bad):
    """Negative and NaN timeouts raise ValueError."""
    with pytest.raises(ValueError):
        region.lock(0, timeout=bad)


def test_huge_timeout_is_forever(region):
    """A timeout of 1e300 s does not overflow: the free lock is taken."""
    with region.lock(0, timeout=1e300):
        pass


def test_relock_same_handle_is_EDEADLK(region):
    """Taking a lock the handle holds is OSError EDEADLK."""
    with region.lock(2):
        with pytest.raises(OSError) as e:
            region.lock(2).acquire()
        assert e.value.errno == errno.EDEADLK


def test_release_unheld_is_PermissionError(region):
    """Releasing a lock the handle does not hold is PermissionError (EPERM)."""
    with pytest.raises(PermissionError) as e:
        region.lock(5).release()
    assert e.value.errno == errno.EPERM


def test_readonly_exclusive_is_PermissionError(region, name):
    """An exclusive lock through a read-only handle is PermissionError."""
    with shmdev.Region(name, readonly=True) as ro:
        with pytest.raises(PermissionError):
            ro.lock(0).acquire()
        with ro.lock(0, shared=True):
            pass


def test_killed_holder_releases_and_next_gets_OwnerDied(name, region, fork):
    """kill -9 of an exclusive holder releases the lock; the next exclusive
    acquire raises OwnerDied (EOWNERDEAD) with the lock held."""
    def child(ready):
        r = shmdev.Region(name)
        r.lock(7).acquire()
        ready()
        time.sleep(60)
    c = fork(child)
    assert c.wait_ready() == b"r"
    with pytest.raises(TimeoutError):
        region.lock(7, timeout=0).acquire()
    c.kill()
    with pytest.raises(shmdev.OwnerDied) as e:
        region.lock(7).acquire(timeout=5)
    assert e.value.errno == errno.EOWNERDEAD
    assert isinstance(e.value, OSError)
    # held: another handle cannot take it, and we can release it
    with shmdev.Region(name) as o, pytest.raises(TimeoutError):
        o.lock(7, timeout=0).acquire()
    region.lock(7).release()


def test_with_owner_died_releases(name, region, fork):
    """`with lock` that meets OwnerDied raises it and leaves the lock free."""
    def child(ready):
        shmdev.Region(name).lock(8).acquire()
        ready()
        time.sleep(60)
    c = fork(child)
    c.wait_ready()
    c.kill()
    with pytest.raises(shmdev.OwnerDied):
        with region.lock(8, timeout=5):
            pytest.fail("the body must not run")
    with shmdev.Region(name) as o, o.lock(8, timeout=0):
        pass


def test_keyboard_interrupt_ends_wait(region, other, alarm):
    """A KeyboardInterrupt raised by a signal handler ends a lock wait."""
    with region.lock(0):
        alarm(0.1)
        t = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            other.lock(0).acquire()
        assert time.monotonic() - t < 5


def test_signal_keeps_deadline(region, other, alarm):
    """A handler that returns does not end the wait, nor restart its timeout:
    the wait ends at the original deadline."""
    with region.lock(0):
        hits = alarm(0.1, raise_=False)
        t = time.monotonic()
        with pytest.raises(TimeoutError):
            other.lock(0, timeout=0.4).acquire()
        took = time.monotonic() - t
    assert hits
    assert 0.4 <= took < 0.45 + 0.5


def test_gil_released_while_waiting(region, other):
    """A thread waiting for a lock lets the main thread run (GIL released)."""
    got = []
    with region.lock(0):
        t = threading.Thread(target=lambda: got.append(other.lock(0, timeout=5).acquire()))
        t.start()
        time.sleep(0.1)
    t.join()
    assert got == [None]
    other.lock(0).release()


def test_close_refused_while_thread_waits(region, other):
    """close() of a handle a thread is sleeping in raises BufferError."""
    contended = region.stat().lock_contended
    with region.lock(0):
        t = threading.Thread(target=lambda: other.lock(0, timeout=5).acquire())
        t.start()
        # Counted once the thread is inside acquire() and waiting.
        deadline = time.monotonic() + 10
        while region.stat().lock_contended == contended and time.monotonic() < deadline:
            time.sleep(0.01)
        assert region.stat().lock_contended == contended + 1
        with pytest.raises(BufferError):
            other.close()
    t.join()
    other.lock(0).release()
