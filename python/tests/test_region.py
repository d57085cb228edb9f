# SPDX-License-Identifier: GPL-2.0
"""shmdev.Region: open, the buffer protocol, size, resize, stat, unlink,
and what must raise rather than crash."""

import errno
import mmap
import os
import stat as stat_mod
import threading
import time

import pytest

import shmdev

PAGE = mmap.PAGESIZE


def test_create_then_attach_sees_same_bytes(region, name):
    """Two handles of one region map the same memory."""
    memoryview(region)[100:105] = b"hello"
    with shmdev.Region(name) as other:
        assert bytes(memoryview(other)[100:105]) == b"hello"


def test_open_missing_is_FileNotFoundError(name):
    """Attaching a region that does not exist raises FileNotFoundError (ENOENT)."""
    with pytest.raises(FileNotFoundError) as e:
        shmdev.Region(name)
    assert e.value.errno == errno.ENOENT
    assert e.value.filename == name


def test_exclusive_existing_is_FileExistsError(region, name):
    """create=True, exclusive=True on an existing region raises FileExistsError."""
    with pytest.raises(FileExistsError) as e:
        shmdev.Region(name, 4096, create=True, exclusive=True)
    assert e.value.errno == errno.EEXIST


def test_create_size_zero_is_EINVAL(name):
    """Creating a region of 0 bytes is OSError EINVAL."""
    with pytest.raises(OSError) as e:
        shmdev.Region(name, 0, create=True)
    assert e.value.errno == errno.EINVAL


def test_attach_smaller_than_asked_is_EINVAL(region, name):
    """Attaching with a size larger than the region is OSError EINVAL."""
    with pytest.raises(OSError) as e:
        shmdev.Region(name, region.size + PAGE)
    assert e.value.errno == errno.EINVAL


@pytest.mark.parametrize("bad,exc", [(-1, ValueError), (2**64, OverflowError),
                                     ("1", TypeError), (1.5, TypeError)])
def test_bad_size_raises(name, bad, exc):
    """A negative, too large or non-int size raises before any call."""
    with pytest.raises(exc):
        shmdev.Region(name, bad, create=True)


@pytest.mark.parametrize("bad", ["a/b", "", ".", ".."])
def test_bad_name_is_EINVAL(bad):
    """Names with a slash, empty, . and .. are OSError EINVAL."""
    with pytest.raises(OSError) as e:
        shmdev.Region(bad, 4096, create=True)
    assert e.value.errno == errno.EINVAL


def test_name_with_nul_is_ValueError():
    """A name with a NUL byte raises ValueError (it would be cut short)."""
    with pytest.raises(ValueError):
        shmdev.Region("a\0b", 4096, create=True)


def test_name_too_long_is_ENAMETOOLONG():
    """A 256-byte name is OSError ENAMETOOLONG."""
    with pytest.raises(OSError) as e:
        shmdev.Region("x" * 256, 4096, create=True)
    assert e.value.errno == errno.ENAMETOOLONG


def test_bad_mode_is_ValueError(name):
    """A mode beyond 0o777 raises ValueError."""
    with pytest.raises(ValueError):
        shmdev.Region(name, 4096, create=True, mode=0o1000)


def test_size_is_rounded_to_pages(name):
    """size is the mapping's size: the requested size rounded up to pages."""
    with shmdev.Region(name, 100, create=True) as r:
        assert r.size == PAGE
        assert len(memoryview(r)) == PAGE


def test_fileno_is_the_region_file(region):
    """fileno() is an open file of the region: fstat gives its size and mode."""
    st = os.fstat(region.fileno())
    assert st.st_size == region.size
    assert stat_mod.S_IMODE(st.st_mode) == 0o600


def test_stat(region, name):
    """stat() and shmdev.stat(name) report size, mode and this handle."""
    st = region.stat()
    assert st.size == 65536
    assert st.mode & 0o777 == 0o600
    assert st.handles == 1
    assert st.uid == os.getuid()
    assert shmdev.stat(name).size == 65536


def test_stat_missing_is_FileNotFoundError(name):
    """shmdev.stat of a missing name raises FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        shmdev.stat(name)


def test_unlink_removes_the_name(region, name):
    """After unlink() the name is gone; the handle's memory stays usable."""
    region.unlink()
    with pytest.raises(FileNotFoundError):
        shmdev.Region(name)
    memoryview(region)[0] = 7
    assert memoryview(region)[0] == 7


def test_unlink_twice_is_FileNotFoundError(region, name):
    """A second unlink raises FileNotFoundError."""
    shmdev.unlink(name)
    with pytest.raises(FileNotFoundError):
        region.unlink()


def test_mode_denies_other_users(name, fork):
    """A region of mode 0600 refuses another user: PermissionError (EACCES)."""
    if os.getuid() != 0:
        pytest.skip("needs root to change user")
    r = shmdev.Region(name, 4096, create=True, mode=0o600)

    def child(ready):
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        try:
            shmdev.Region(name)
        except PermissionError as e:
            assert e.errno == errno.EACCES
            ready(b"denied")
            return
        ready(b"allowed")
    c = fork(child)
    assert c.wait_ready() == b"denied"
    assert c.join() == 0
    r.close()


def test_readonly_buffer_is_readonly(region, name):
    """A readonly=True handle exports a read-only buffer."""
    with shmdev.Region(name, readonly=True) as ro:
        assert ro.readonly
        mv = memoryview(ro)
        assert mv.readonly
        with pytest.raises(TypeError):
            mv[0] = 1
        mv.release()


def test_close_refused_while_view_alive(region):
    """close() raises BufferError while a memoryview is alive, as mmap does."""
    mv = memoryview(region)
    with pytest.raises(BufferError):
        region.close()
    assert not region.closed
    mv.release()
    region.close()
    assert region.closed


def test_slice_keeps_region_exported(region):
    """A slice of a released memoryview still holds the export."""
    mv = memoryview(region)
    part = mv[10:20]
    mv.release()
    with pytest.raises(BufferError):
        region.close()
    part.release()
    region.close()


def test_resize_refused_while_view_alive(region):
    """resize() raises BufferError while a memoryview is alive."""
    mv = memoryview(region)
    with pytest.raises(BufferError):
        region.resize(2 * 65536)
    assert region.size == 65536
    mv.release()


def test_resize_grows_and_keeps_bytes(region):
    """resize() grows the region and remaps it; contents stay."""
    memoryview(region)[0:3] = b"abc"
    region.resize(4 * 65536)
    assert region.size == 4 * 65536
    mv = memoryview(region)
    assert bytes(mv[0:3]) == b"abc"
    mv[-1] = 9
    mv.release()


def test_resize_shrink_while_other_maps_is_EBUSY(region, name):
    """Shrinking a region another handle maps is OSError EBUSY, and the
    handle stays usable at its old size."""
    with shmdev.Region(name):
        with pytest.raises(OSError) as e:
            region.resize(PAGE)
        assert e.value.errno == errno.EBUSY
        assert region.size == 65536


@pytest.mark.parametrize("bad,exc", [(0, ValueError), (-4096, ValueError),
                                     (2**64, OverflowError), (None, TypeError)])
def test_resize_bad_size(region, bad, exc):
    """resize() to 0, a negative, huge or non-int size raises."""
    with pytest.raises(exc):
        region.resize(bad)


def test_remap_sees_growth_of_another_handle(region, name):
    """remap() maps what another handle grew the region to."""
    with shmdev.Region(name) as other:
        region.resize(2 * 65536)
        assert other.size == 65536
        other.remap()
        assert other.size == 2 * 65536


def test_use_after_close_is_ValueError(region):
    """Every use of a closed region raises ValueError."""
    m = region.mutex(0)
    ev = region.event
    lk = region.lock(0)
    region.close()
    region.close()  # closing twice is fine
    for call in (lambda: region.size, region.fileno, region.stat, region.handle_id,
                 lambda: memoryview(region), lambda: region.resize(8192),
                 region.remap, lambda: region.mutex(0), lambda: region.lock(1),
                 lambda: region.event, m.acquire, m.release, ev.notify,
                 lambda: ev.wait(0, 0), lk.acquire, lk.release,
                 lambda: region.ring(0), lambda: region.ring_init(0)):
        with pytest.raises(ValueError):
            call()


def test_context_manager_closes(name):
    """with Region(...) as r: closes r at the end."""
    with shmdev.Region(name, 4096, create=True) as r:
        pass
    assert r.closed


def test_handle_id(region, name):
    """handle_id() is positive and differs between handles."""
    with shmdev.Region(name) as other:
        assert region.handle_id() > 0
        assert region.handle_id() != other.handle_id()


def test_autodestroy_goes_with_last_handle(name):
    """autodestroy=True: the name disappears when the last handle closes."""
    r = shmdev.Region(name, 4096, create=True, autodestroy=True)
    shmdev.stat(name)
    r.close()
    with pytest.raises(FileNotFoundError):
        shmdev.stat(name)


def test_init_runs_once(name):
    """init runs for the creator only, before anyone else sees the region."""
    calls = []

    def init(r):
        calls.append(r)
        memoryview(r)[0] = 42
    with shmdev.Region(name, 4096, create=True, init=init) as r:
        assert calls == [r]
        with shmdev.Region(name, 4096, create=True, init=init) as r2:
            assert memoryview(r2)[0] == 42
    assert len(calls) == 1


def test_init_failure_propagates_and_next_caller_inits(name):
    """An init that raises raises from Region(); the next opener inits."""
    def bad(r):
        raise RuntimeError("init failed")
    with pytest.raises(RuntimeError):
        shmdev.Region(name, 4096, create=True, init=bad)
    assert shmdev.stat(name).region_flags & 0x200  # SHMDEV_REGION_UNREADY
    done = []
    with shmdev.Region(name, 4096, create=True, init=done.append):
        assert len(done) == 1


def test_init_failure_with_kept_view_does_not_crash(name):
    """A view kept by a failing init is not left pointing at nothing."""
    kept = []

    def bad(r):
        kept.append(memoryview(r))
        raise RuntimeError("init failed")
    with pytest.raises(RuntimeError):
        shmdev.Region(name, 4096, create=True, init=bad)
    kept[0][0] = 1  # zeroed anonymous memory, not a segfault
    assert kept[0][0] == 1


def test_fork_child_writes_are_seen(region, fork):
    """A forked child's writes through the inherited mapping reach the parent."""
    def child(ready):
        memoryview(region)[0:5] = b"child"
    c = fork(child)
    assert c.join() == 0
    assert bytes(memoryview(region)[0:5]) == b"child"


def test_init_cannot_close_its_region(name, fork):
    """Closing the region inside its own init raises BufferError out of
    Region(): shmdev_open_init still uses the handle after init returns
    (a close there was a use-after-free and a double free)."""
    def child(ready):
        def init(r):
            r.close()
        with pytest.raises(BufferError):
            shmdev.Region(name, 4096, create=True, init=init)
    assert fork(child).join() == 0


def test_init_closing_the_descriptor_is_EBADF(name, fork):
    """An init that closes its handle's descriptor makes Region() raise
    OSError EBADF: the library cannot mark the region ready and closes the
    handle itself, which the Region must then forget (it closed it a
    second time: a double free)."""
    def child(ready):
        def init(r):
            os.close(r.fileno())
        with pytest.raises(OSError) as e:
            shmdev.Region(name, 4096, create=True, init=init)
        assert e.value.errno == errno.EBADF
    assert fork(child).join() == 0


def test_init_in_subinterpreter_raises_there(name, fork):
    """An init that raises in a subinterpreter runs there and its exception
    comes out of Region() there (it ran in the main interpreter's thread
    state, which kept the exception, and Region() raised OSError)."""
    interpreters = pytest.importorskip("_xxsubinterpreters")
    code = """if 1:
        import shmdev
        def bad(r):
            raise KeyError("from init")
        try:
            shmdev.Region(%r, 4096, create=True, init=bad)
        except KeyError:
            pass
        else:
            raise AssertionError("Region() did not raise KeyError")
        """ % name

    def child(ready):
        sid = interpreters.create()
        interpreters.run_string(sid, code)
        interpreters.destroy(sid)
    assert fork(child).join() == 0


def test_fork_child_may_close_what_a_parent_thread_waits_on(region, fork):
    """A child forked while another thread of the parent sleeps in a call
    on the region can close the region: that thread is not in the child,
    whose close() raised BufferError for ever."""
    ev = region.event
    t = threading.Thread(target=ev.wait, args=(ev.seq, 60))
    t.start()
    while True:  # until the thread is in its call
        try:
            region.remap()
        except BufferError:
            break
        time.sleep(0.01)

    def child(ready):
        region.close()
    try:
        assert fork(child).join() == 0
    finally:
        ev.notify()
        t.join()
