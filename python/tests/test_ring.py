# SPDX-License-Identifier: GPL-2.0
"""Ring: send, recv, and peek's zero-copy view that cannot outlive release."""

import errno
import struct
import time

import pytest

import shmdev

RING_SIZE = shmdev.RING_HEADER + shmdev.RING_MIN_CAPACITY


@pytest.fixture
def ring(region):
    """A minimal ring at offset 0 of the region, attached."""
    region.ring_init(0, RING_SIZE)
    with region.ring(0) as g:
        yield g


def test_send_recv_in_order(ring):
    """Messages come out as sent, in order, empty ones too."""
    msgs = [b"one", b"", b"three" * 50, bytearray(b"four")]
    for m in msgs:
        ring.send(m)
    assert [ring.recv() for _ in msgs] == [bytes(m) for m in msgs]


def test_recv_empty_times_out(ring):
    """recv(timeout) on an empty ring raises TimeoutError after the timeout."""
    t = time.monotonic()
    with pytest.raises(TimeoutError) as e:
        ring.recv(0.1)
    assert e.value.errno == errno.ETIMEDOUT
    assert time.monotonic() - t >= 0.1


def test_send_too_large_is_EMSGSIZE(ring):
    """A message over max_msg is OSError EMSGSIZE."""
    st = ring.stat()
    with pytest.raises(OSError) as e:
        ring.send(b"x" * (st.max_msg + 1))
    assert e.value.errno == errno.EMSGSIZE
    ring.send(b"x" * st.max_msg)
    assert len(ring.recv()) == st.max_msg


def test_send_full_times_out(ring):
    """send(timeout) to a full ring raises TimeoutError."""
    st = ring.stat()
    ring.send(b"a" * st.max_msg, 0)  # two of these fill the ring
    ring.send(b"a" * st.max_msg, 0)
    with pytest.raises(TimeoutError):
        ring.send(b"b" * st.max_msg, 0.05)


def test_stat(ring):
    """stat() reports the capacity and what was received."""
    st = ring.stat()
    assert st.capacity == shmdev.RING_MIN_CAPACITY
    assert st.max_msg == st.capacity // 2 - 8
    ring.send(b"abc")
    ring.recv()
    assert ring.stat().received == st.received + 1


def test_peek_is_zero_copy_and_readonly(ring, region):
    """peek() returns a read-only view into the region itself."""
    ring.send(b"payload")
    mv = ring.peek()
    assert bytes(mv) == b"payload"
    assert mv.readonly
    with pytest.raises(TypeError):
        mv[0] = 0
    # the view's bytes are the region's: find them there
    whole = memoryview(region)
    assert bytes(whole).find(b"payload") >= shmdev.RING_HEADER
    whole.release()
    mv.release()
    ring.release()


def test_release_refused_while_peek_view_alive(ring):
    """release() raises BufferError while the peeked view is alive."""
    ring.send(b"m1")
    mv = ring.peek()
    with pytest.raises(BufferError):
        ring.release()
    assert bytes(mv) == b"m1"
    mv.release()
    ring.release()
    with pytest.raises(TimeoutError):
        ring.peek(0)


def test_peek_with_statement(ring):
    """`with ring.peek() as m:` releases the view, then release() works."""
    ring.send(b"m2")
    with ring.peek() as m:
        assert bytes(m) == b"m2"
    ring.release()


def test_peek_twice_same_message(ring):
    """A second peek before release sees the same message."""
    ring.send(b"a")
    ring.send(b"b")
    with ring.peek() as m1, ring.peek() as m2:
        assert bytes(m1) == bytes(m2) == b"a"
    ring.release()
    assert ring.recv() == b"b"


def test_recv_refused_while_peek_view_alive(ring):
    """recv() raises BufferError while a peeked view is alive."""
    ring.send(b"a")
    mv = ring.peek()
    with pytest.raises(BufferError):
        ring.recv()
    mv.release()
    assert ring.recv() == b"a"


def test_release_without_peek_is_ValueError(ring):
    """release() with nothing peeked raises ValueError."""
    with pytest.raises(ValueError):
        ring.release()


def test_region_close_refused_while_ring_attached(region, ring):
    """Closing or resizing the region under an attached ring is BufferError."""
    with pytest.raises(BufferError):
        region.close()
    with pytest.raises(BufferError):
        region.resize(2 * 65536)
    ring.close()
    region.resize(2 * 65536)


def test_ring_close_refused_while_peek_view_alive(ring):
    """ring.close() with a live peeked view raises BufferError."""
    ring.send(b"x")
    mv = ring.peek()
    with pytest.raises(BufferError):
        ring.close()
    mv.release()
    ring.close()
    assert ring.closed


def test_use_after_close_is_ValueError(ring):
    """Every call on a closed ring raises ValueError."""
    ring.close()
    for call in (lambda: ring.send(b"x"), ring.recv, ring.peek, ring.release, ring.stat):
        with pytest.raises(ValueError):
            call()


def test_ring_init_bad_placement(region):
    """ring_init: misaligned offset ValueError, too small ValueError, beyond
    the mapping IndexError."""
    with pytest.raises(ValueError):
        region.ring_init(8, RING_SIZE)
    with pytest.raises(ValueError):
        region.ring_init(0, RING_SIZE - 1)
    with pytest.raises(IndexError):
        region.ring_init(0, 65536 + 64)
    with pytest.raises(IndexError):
        region.ring_init(65536 + 64)


def test_attach_where_no_ring_is_EINVAL(region):
    """Attaching where no ring was formatted is OSError EINVAL."""
    with pytest.raises(OSError) as e:
        region.ring(0)
    assert e.value.errno == errno.EINVAL


def test_attach_beyond_mapping_is_IndexError(region):
    """A ring offset whose header does not fit raises IndexError."""
    with pytest.raises(IndexError):
        region.ring(65536 - 64)


def test_producer_in_other_process(ring, name, fork):
    """A forked child with its own handle and view sends; the parent receives."""
    def child(ready):
        r = shmdev.Region(name)
        g = r.ring(0)
        for i in range(100):
            g.send(struct.pack("I", i) * (i % 7), 5)
        g.close()
    c = fork(child)
    for i in range(100):
        assert ring.recv(5) == struct.pack("I", i) * (i % 7)
    assert c.join() == 0


def test_killed_producer_does_not_block(ring, name, fork):
    """A producer killed while attached frees its slot; messages flow on."""
    def child(ready):
        r = shmdev.Region(name)
        g = r.ring(0)
        g.send(b"before")
        ready()
        time.sleep(60)
    c = fork(child)
    c.wait_ready()
    c.kill()
    assert ring.recv(5) == b"before"
    ring.send(b"after")
    assert ring.recv(5) == b"after"
    assert ring.stat().producers == 1  # ourselves


def test_garbage_in_ring_is_an_error_not_a_crash(ring, region):
    """Bytes of a message header overwritten by anyone: recv raises OSError
    EBADMSG, the process lives."""
    ring.send(b"0123456789abcdef")
    mv = memoryview(region)
    hdr = shmdev.RING_HEADER
    mv[hdr:hdr + 8] = struct.pack("<Q", (2 << 62) | 0xFFFFFFF0)  # COMMIT, huge length
    mv.release()
    with pytest.raises(OSError) as e:
        ring.recv(0)
    assert e.value.errno == errno.EBADMSG


def test_keyboard_interrupt_ends_recv(ring, alarm):
    """KeyboardInterrupt ends a recv wait."""
    alarm(0.1)
    with pytest.raises(KeyboardInterrupt):
        ring.recv()


def test_signal_keeps_recv_deadline(ring, alarm):
    """A handler that returns does not end recv before its timeout."""
    hits = alarm(0.1, raise_=False)
    t = time.monotonic()
    with pytest.raises(TimeoutError):
        ring.recv(0.4)
    assert time.monotonic() - t >= 0.4
    assert hits


def test_ring_kept_by_failing_init_does_not_crash(name, fork):
    """A ring view kept by an init that fails raises ValueError when used
    and closes without touching the ring the library unmapped (giving back
    its producer slot there was a segfault)."""
    def child(ready):
        kept = []

        def bad(r):
            r.ring_init()
            ring = r.ring()
            ring.send(b"x")        # takes a producer slot
            kept.append(ring)
            raise RuntimeError("init failed")
        with pytest.raises(RuntimeError):
            shmdev.Region(name, 65536, create=True, init=bad)
        with pytest.raises(ValueError):
            kept[0].send(b"y")
        kept[0].close()
        assert kept[0].closed
    assert fork(child).join() == 0
