# SPDX-License-Identifier: GPL-2.0
"""Region.mutex: robust mutexes in the region; Condition on them."""

import errno
import gc
import threading
import time
import weakref

import pytest

import shmdev


@pytest.fixture
def mutex(region):
    """An initialised mutex at offset 0 of the region."""
    m = region.mutex(0)
    m.init()
    return m


@pytest.fixture
def other(region, name):
    """A second handle: a second owner for the same thread."""
    with shmdev.Region(name) as r:
        yield r


def test_acquire_release(mutex):
    """acquire() returns True; release() frees it for the next acquire."""
    assert mutex.acquire() is True
    mutex.release()
    assert mutex.acquire(blocking=False) is True
    mutex.release()


def test_held_by_other_handle(mutex, other):
    """A mutex held through one handle: another handle's non-blocking
    acquire is False, a timed one False after the timeout."""
    om = other.mutex(0)
    with mutex:
        assert om.acquire(blocking=False) is False
        t = time.monotonic()
        assert om.acquire(timeout=0.2) is False
        assert time.monotonic() - t >= 0.2
    assert om.acquire(timeout=0) is True
    om.release()


def test_nonblocking_with_timeout_is_ValueError(mutex):
    """acquire(blocking=False, timeout=1) raises ValueError, as threading.Lock."""
    with pytest.raises(ValueError):
        mutex.acquire(False, 1)


def test_timeout_minus_one_float_is_forever(mutex):
    """acquire(timeout=-1.0) waits forever, as threading.Lock's does: True on
    a free mutex (it raised ValueError; only the int -1 was accepted)."""
    assert mutex.acquire(timeout=-1.0) is True
    mutex.release()


def test_timeout_beyond_a_C_long_is_forever(mutex):
    """An int timeout too large for a C long waits as good as forever: True
    on a free mutex, not SystemError (an OverflowError was left set)."""
    assert mutex.acquire(timeout=2**64) is True
    mutex.release()


def test_timeout_below_a_C_long_is_ValueError(mutex):
    """An int timeout too negative for a C long raises ValueError, as any
    negative timeout but -1, not SystemError."""
    with pytest.raises(ValueError):
        mutex.acquire(timeout=-2**64)


def test_relock_is_EDEADLK(mutex):
    """Locking a mutex this thread holds is OSError EDEADLK."""
    with mutex:
        with pytest.raises(OSError) as e:
            mutex.acquire()
        assert e.value.errno == errno.EDEADLK


def test_release_unowned_is_PermissionError(mutex):
    """Releasing a mutex this thread does not hold is PermissionError (EPERM)."""
    with pytest.raises(PermissionError) as e:
        mutex.release()
    assert e.value.errno == errno.EPERM


def test_uninitialised_is_EINVAL(region):
    """A mutex never initialised (zeroed bytes) is OSError EINVAL."""
    with pytest.raises(OSError) as e:
        region.mutex(64).acquire()
    assert e.value.errno == errno.EINVAL


def test_destroy(mutex):
    """destroy() unregisters: the mutex is then EINVAL; a held one is EBUSY."""
    with mutex:
        with pytest.raises(OSError) as e:
            mutex.destroy()
        assert e.value.errno == errno.EBUSY
    mutex.destroy()
    with pytest.raises(OSError) as e:
        mutex.acquire()
    assert e.value.errno == errno.EINVAL


@pytest.mark.parametrize("off,exc", [(2, ValueError), (-8, ValueError), (65536, IndexError),
                                     (65532, IndexError), (2**70, IndexError),
                                     ("0", TypeError), (0.0, TypeError)])
def test_bad_offsets(region, off, exc):
    """Misaligned, negative, out-of-range and non-int offsets raise."""
    with pytest.raises(exc):
        region.mutex(off)


def test_offset_checked_again_after_shrink(name):
    """A mutex beyond the end after a shrink raises IndexError, not a fault."""
    r = shmdev.Region(name, 65536, create=True)
    m = r.mutex(65536 - 8)
    m.init()
    m.destroy()
    r.resize(4096)
    with pytest.raises(IndexError):
        m.acquire()
    r.close()


def test_readonly_is_PermissionError(mutex, name):
    """A mutex through a read-only handle is PermissionError (EACCES)."""
    with shmdev.Region(name, readonly=True) as ro:
        with pytest.raises(PermissionError) as e:
            ro.mutex(0).acquire()
        assert e.value.errno == errno.EACCES


def test_threads_exclude_each_other(mutex):
    """Threads sharing the handle exclude each other: no increment is lost
    (and each waits with the GIL released, or this would not finish)."""
    mv = memoryview(mutex.region).cast("I")

    def work():
        for _ in range(200):
            with mutex:
                v = mv[4]
                time.sleep(0)
                mv[4] = v + 1
    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert mv[4] == 800
    mv.release()


def _die_holding(ready, name):
    r = shmdev.Region(name)
    r.mutex(0).acquire()
    ready()
    time.sleep(60)


def test_killed_owner_gives_OwnerDied_then_consistent(mutex, name, fork):
    """kill -9 of the owner: acquire() raises OwnerDied (EOWNERDEAD) with the
    mutex held; after consistent() and release() it is an ordinary mutex."""
    c = fork(_die_holding, name)
    c.wait_ready()
    c.kill()
    with pytest.raises(shmdev.OwnerDied) as e:
        mutex.acquire(timeout=5)
    assert e.value.errno == errno.EOWNERDEAD
    with pytest.raises(OSError) as e2:  # held by us: relocking is EDEADLK
        mutex.acquire()
    assert e2.value.errno == errno.EDEADLK
    mutex.consistent()
    mutex.release()
    assert mutex.acquire(timeout=0) is True
    mutex.release()


def test_owner_died_without_consistent_is_ENOTRECOVERABLE(mutex, name, fork):
    """Releasing after OwnerDied without consistent() makes the mutex not
    recoverable: the next acquire is OSError ENOTRECOVERABLE."""
    c = fork(_die_holding, name)
    c.wait_ready()
    c.kill()
    with pytest.raises(shmdev.OwnerDied):
        mutex.acquire(timeout=5)
    mutex.release()
    with pytest.raises(OSError) as e:
        mutex.acquire()
    assert e.value.errno == errno.ENOTRECOVERABLE


def test_consistent_when_not_owner_dead_is_EINVAL(mutex):
    """consistent() on a mutex not acquired with OwnerDied is OSError EINVAL."""
    with mutex:
        with pytest.raises(OSError) as e:
            mutex.consistent()
        assert e.value.errno == errno.EINVAL


def test_with_owner_died_raises_and_does_not_run_body(mutex, name, fork):
    """`with mutex` meeting OwnerDied raises it; the body does not run."""
    c = fork(_die_holding, name)
    c.wait_ready()
    c.kill()
    with pytest.raises(shmdev.OwnerDied):
        with mutex:
            pytest.fail("the body must not run")


def test_keyboard_interrupt_ends_wait(mutex, other, alarm):
    """A KeyboardInterrupt from a signal handler ends a mutex wait."""
    with mutex:
        alarm(0.1)
        t = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            other.mutex(0).acquire()
        assert time.monotonic() - t < 5


def test_signal_keeps_deadline(mutex, other, alarm):
    """A handler that returns does not end a timed mutex wait early."""
    with mutex:
        hits = alarm(0.1, raise_=False)
        t = time.monotonic()
        assert other.mutex(0).acquire(timeout=0.4) is False
        assert time.monotonic() - t >= 0.4
    assert hits


# ---- Condition

@pytest.fixture
def cond(region, mutex):
    """A condition at offset 8, on the mutex at 0."""
    c = shmdev.Condition(mutex, 8)
    c.init()
    return c


def test_cond_wait_timeout_returns_False_with_mutex_held(cond, mutex):
    """wait(timeout) returns False after the timeout, the mutex held again."""
    with cond:
        t = time.monotonic()
        assert cond.wait(0.1) is False
        assert time.monotonic() - t >= 0.1
        with pytest.raises(OSError) as e:  # still ours
            mutex.acquire()
        assert e.value.errno == errno.EDEADLK


def test_cond_notify_wakes_thread(cond, region):
    """notify() wakes a thread waiting in wait(); wait returns True."""
    mv = memoryview(region).cast("I")
    res = []

    def waiter():
        with cond:
            mv[5] = 1  # here, and holding the mutex until wait() gives it up
            while mv[4] == 0:
                res.append(cond.wait(5))
    t = threading.Thread(target=waiter)
    t.start()
    deadline = time.monotonic() + 10
    while mv[5] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert mv[5] == 1
    with cond:  # taken only once the waiter sleeps in wait()
        mv[4] = 1
        cond.notify()
    t.join()
    assert res and res[-1] is True
    mv.release()


def test_cond_notify_all_wakes_every_thread(cond, region):
    """notify_all() wakes all waiters."""
    mv = memoryview(region).cast("I")
    woke = []

    def waiter():
        with cond:
            woke.append(cond.wait_for(lambda: mv[4] == 1, 5))
    ts = [threading.Thread(target=waiter) for _ in range(3)]
    for t in ts:
        t.start()
    time.sleep(0.1)
    with cond:
        mv[4] = 1
        cond.notify_all()
    for t in ts:
        t.join()
    assert woke == [True, True, True]
    mv.release()


def test_cond_wait_for_times_out(cond):
    """wait_for returns the predicate's false value after its timeout."""
    with cond:
        assert cond.wait_for(lambda: 0, 0.05) == 0


def test_cond_wait_without_mutex_is_PermissionError(cond):
    """wait() without holding the mutex is PermissionError (EPERM)."""
    with pytest.raises(PermissionError) as e:
        cond.wait(0)
    assert e.value.errno == errno.EPERM


def test_cond_across_processes(cond, mutex, region, name, fork):
    """A forked child with its own handle signals the parent's condition."""
    mv = memoryview(region).cast("I")

    def child(ready):
        r = shmdev.Region(name)
        c = shmdev.Condition(r.mutex(0), 8)
        ready()
        with c:
            memoryview(r).cast("I")[4] = 5
            c.notify()
    with cond:
        c = fork(child)
        c.wait_ready()
        assert cond.wait_for(lambda: mv[4] == 5, 5)
    assert c.join() == 0
    mv.release()


def test_cond_bad_arguments(region, mutex):
    """Condition needs a Mutex and an offset that fits."""
    with pytest.raises(TypeError):
        shmdev.Condition(region, 8)
    with pytest.raises(IndexError):
        shmdev.Condition(mutex, 65536)
    with pytest.raises(ValueError):
        shmdev.Condition(mutex, 9)


def test_mutex_reinit_is_RuntimeError(mutex, name):
    """Mutex.__init__ on a mutex already set up raises RuntimeError and
    leaves it on its region: re-pointing it dropped the region under an
    acquire() that another thread sleeps in (a use-after-free)."""
    with shmdev.Region(name) as other:
        with pytest.raises(RuntimeError):
            mutex.__init__(other, 0)
        assert mutex.region is not other


def test_cond_reinit_is_RuntimeError(cond, name):
    """Condition.__init__ on a condition already set up raises RuntimeError
    and keeps its mutex, for the same reason as a Mutex's."""
    with shmdev.Region(name) as other:
        om = other.mutex(0)
        with pytest.raises(RuntimeError):
            cond.__init__(om, 8)
        assert cond.mutex is not om

# ---- Event

def test_event_notify_bumps_seq(region):
    """notify() changes the counter; wait(old) returns the new one at once."""
    ev = region.event
    s = ev.seq
    ev.notify()
    assert ev.wait(s, 0) == s + 1
    assert ev.seq == s + 1


def test_event_wait_timeout_is_TimeoutError(region):
    """wait(current, timeout) raises TimeoutError when nobody notifies."""
    ev = region.event
    t = time.monotonic()
    with pytest.raises(TimeoutError):
        ev.wait(ev.seq, 0.1)
    assert time.monotonic() - t >= 0.1


def test_event_woken_by_other_process(region, name, fork):
    """A notify from another process wakes a waiter."""
    ev = region.event
    s = ev.seq

    def child(ready):
        time.sleep(0.1)
        shmdev.Region(name).event.notify()
    c = fork(child)
    assert ev.wait(s, 5) > s
    assert c.join() == 0


def test_event_keyboard_interrupt(region, alarm):
    """KeyboardInterrupt ends an event wait."""
    alarm(0.1)
    with pytest.raises(KeyboardInterrupt):
        region.event.wait(region.event.seq)


@pytest.mark.parametrize("bad,exc", [(-1, ValueError), (2**64, OverflowError), ("x", TypeError)])
def test_event_bad_seq(region, bad, exc):
    """A seq outside 0..2**64-1 raises."""
    with pytest.raises(exc):
        region.event.wait(bad, 0)


def test_mutex_and_condition_in_a_cycle_are_collected(name):
    """A Mutex subclass and a Condition that refer to each other are freed
    by the garbage collector, and with them their Region, which closes
    (the collector did not see their references: all three leaked, the
    region's handle and mapping with them)."""
    class M(shmdev.Mutex):
        pass
    r = shmdev.Region(name, 4096, create=True)
    m = M(r, 0)
    m.cond = shmdev.Condition(m, 8)
    ref = weakref.ref(r)
    del r, m
    gc.collect()
    assert ref() is None
