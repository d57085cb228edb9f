// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package shmdev

/*
#include <errno.h>
#include <shmdev.h>

struct shmdevgo_res {
	int ret;
	void *p;
	size_t len;
};

static struct shmdevgo_res shmdevgo_ring_reserve(struct shmdev_ring *ring, size_t len, int64_t ns)
{
	struct shmdevgo_res res = { 0, NULL, len };

	res.ret = shmdev_ring_reserve(ring, len, &res.p, ns);
	return res;
}

static struct shmdevgo_res shmdevgo_ring_peek(struct shmdev_ring *ring, int64_t ns)
{
	struct shmdevgo_res res = { 0, NULL, 0 };

	res.ret = shmdev_ring_peek(ring, &res.p, &res.len, ns);
	return res;
}

static int shmdevgo_ring_commit(struct shmdev_ring *ring, uintptr_t ptr)
{
	return shmdev_ring_commit(ring, (void *)ptr);
}
*/
import "C"

import (
	"context"
	"io"
	"os"
	"reflect"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// RingHeader is the bytes of control data before a ring's data area.
const RingHeader = C.SHMDEV_RING_HEADER

// RingMinCapacity is the smallest data area of a ring.
const RingMinCapacity = C.SHMDEV_RING_MIN_CAPACITY

// InitRing formats a ring of size bytes at off (a multiple of 64), once,
// before anybody attaches.
func (r *Region) InitRing(off, size uint64) error {
	return r.call("ring init", func(p *C.struct_shmdev_region) C.int {
		return C.shmdev_ring_init(p, C.uint64_t(off), C.uint64_t(size))
	})
}

// Ring is this process's view of the message ring at an offset of a
// region: one consumer, one or many producers in any processes. It is an
// io.Writer and an io.Reader of whole messages. Its methods may be called
// from several goroutines; they take turns. The region's Close, Resize and
// Remap close it.
type Ring struct {
	r   *Region
	off uint64

	mu sync.Mutex // one library call at a time
	p  *C.struct_shmdev_ring
}

// Ring attaches the ring at off.
func (r *Region) Ring(off uint64) (*Ring, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p == nil {
		return nil, r.closedErr("ring attach")
	}
	var rp *C.struct_shmdev_ring
	if rc := C.shmdev_ring_attach(r.p, C.uint64_t(off), &rp); rc < 0 {
		return nil, r.err("ring attach", rc)
	}
	g := &Ring{r: r, off: off, p: rp}
	if r.rings == nil {
		r.rings = make(map[*Ring]struct{})
	}
	r.rings[g] = struct{}{}
	return g, nil
}

// closeRings closes every ring of r; under r.mu, written.
func (r *Region) closeRings() {
	for g := range r.rings {
		g.mu.Lock()
		if g.p != nil {
			C.shmdev_ring_close(g.p)
			g.p = nil
		}
		g.mu.Unlock()
	}
	r.rings = nil
}

// Close detaches: gives back the producer slot and the consumer role.
// Reservations not committed are dropped.
func (g *Ring) Close() error {
	g.r.mu.Lock()
	defer g.r.mu.Unlock()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.p == nil {
		return g.r.closedErr("ring close")
	}
	rc := C.shmdev_ring_close(g.p)
	g.p = nil
	delete(g.r.rings, g)
	return g.r.err("ring close", rc)
}

// rwait is Region.wait with the ring's lock held around each call.
func (g *Ring) rwait(ctx context.Context, op string, d time.Duration, hasD bool,
	fn func(rp *C.struct_shmdev_ring, ns C.int64_t) C.int) (C.int, error) {
	closed := false
	rc, err := g.r.wait(ctx, op, d, hasD, func(_ *C.struct_shmdev_region, ns C.int64_t) C.int {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.p == nil {
			closed = true
			return -C.EBADF
		}
		return fn(g.p, ns)
	})
	if closed {
		return rc, g.r.closedErr(op)
	}
	if err == nil {
		err = g.r.err(op, rc)
	}
	return rc, err
}

func sliceData(b []byte) uintptr {
	return (*reflect.SliceHeader)(unsafe.Pointer(&b)).Data
}

func (g *Ring) send(ctx context.Context, b []byte, d time.Duration, hasD bool) error {
	_, err := g.rwait(ctx, "ring send", d, hasD, func(rp *C.struct_shmdev_ring, ns C.int64_t) C.int {
		var bp unsafe.Pointer
		if len(b) > 0 {
			bp = unsafe.Pointer(&b[0])
		}
		return C.shmdev_ring_send(rp, bp, C.size_t(len(b)), ns)
	})
	return err
}

// Send sends b as one message, waiting for space until ctx is done.
// EMSGSIZE: b is longer than the ring's largest message.
func (g *Ring) Send(ctx context.Context, b []byte) error { return g.send(ctx, b, 0, false) }

// SendTimeout is Send with a relative timeout (ETIMEDOUT).
func (g *Ring) SendTimeout(b []byte, d time.Duration) error { return g.send(nil, b, d, true) }

// Write sends p as one message, waiting for space without limit.
func (g *Ring) Write(p []byte) (int, error) {
	if err := g.send(context.Background(), p, 0, false); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (g *Ring) recv(ctx context.Context, b []byte, d time.Duration, hasD bool) (int, error) {
	rc, err := g.rwait(ctx, "ring recv", d, hasD, func(rp *C.struct_shmdev_ring, ns C.int64_t) C.int {
		var bp unsafe.Pointer
		if len(b) > 0 {
			bp = unsafe.Pointer(&b[0])
		}
		return C.shmdev_ring_recv(rp, bp, C.size_t(len(b)), ns)
	})
	if rc == -C.EMSGSIZE {
		return 0, io.ErrShortBuffer
	}
	if err != nil {
		return 0, err
	}
	return int(rc), nil
}

// Recv receives the next message into b, waiting until ctx is done, and
// returns its length. io.ErrShortBuffer: the message is longer than b; it
// stays first in the ring (Peek tells its length).
func (g *Ring) Recv(ctx context.Context, b []byte) (int, error) { return g.recv(ctx, b, 0, false) }

// RecvTimeout is Recv with a relative timeout (ETIMEDOUT).
func (g *Ring) RecvTimeout(b []byte, d time.Duration) (int, error) { return g.recv(nil, b, d, true) }

// Read receives one message into p, waiting without limit, as Recv.
func (g *Ring) Read(p []byte) (int, error) { return g.recv(context.Background(), p, 0, false) }

// Reserve reserves a message of n bytes in the ring and returns its
// payload, for the caller to fill and pass to Commit. The slice aliases
// the ring: do not touch it after Commit, the ring's Close or the region's
// Close, Resize or Remap.
func (g *Ring) Reserve(ctx context.Context, n int) ([]byte, error) {
	if n < 0 {
		return nil, &os.PathError{Op: "ring reserve", Path: g.r.name, Err: syscall.EINVAL}
	}
	var res C.struct_shmdevgo_res
	_, err := g.rwait(ctx, "ring reserve", 0, false, func(rp *C.struct_shmdev_ring, ns C.int64_t) C.int {
		res = C.shmdevgo_ring_reserve(rp, C.size_t(n), ns)
		return res.ret
	})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return unsafe.Slice((*byte)(res.p), 0), nil
	}
	return unsafe.Slice((*byte)(res.p), n), nil
}

// Commit publishes the message Reserve returned as buf. EINVAL: buf is not
// an open reservation of this ring.
func (g *Ring) Commit(buf []byte) error {
	ptr := sliceData(buf)
	_, err := g.rwait(nil, "ring commit", 0, true, func(rp *C.struct_shmdev_ring, _ C.int64_t) C.int {
		return C.shmdevgo_ring_commit(rp, C.uintptr_t(ptr))
	})
	return err
}

// Peek waits for the next message, until ctx is done, and returns it
// without taking it: the slice aliases the ring and stays valid until
// Release (or a Close, Resize or Remap). EBUSY: another live consumer
// holds the ring; EBADMSG: the ring's memory holds something that is no
// message.
func (g *Ring) Peek(ctx context.Context) ([]byte, error) {
	var res C.struct_shmdevgo_res
	_, err := g.rwait(ctx, "ring peek", 0, false, func(rp *C.struct_shmdev_ring, ns C.int64_t) C.int {
		res = C.shmdevgo_ring_peek(rp, ns)
		return res.ret
	})
	if err != nil {
		return nil, err
	}
	if res.len == 0 {
		return []byte{}, nil
	}
	return unsafe.Slice((*byte)(res.p), int(res.len)), nil
}

// Release drops the message Peek returned. EINVAL: none is peeked.
func (g *Ring) Release() error {
	_, err := g.rwait(nil, "ring release", 0, true, func(rp *C.struct_shmdev_ring, _ C.int64_t) C.int {
		return C.shmdev_ring_release(rp)
	})
	return err
}

// RingStat is a ring's size and counters.
type RingStat struct {
	Capacity     uint64 // bytes of the data area
	MaxMsg       uint64 // the largest message
	Used         uint64 // bytes reserved and not yet released
	Received     uint64 // messages released by consumers
	Dropped      uint64 // messages lost to producers that went away
	DroppedBytes uint64
	Producers    uint32 // live producers
	Consumer     bool   // a live consumer holds the ring
}

// Stat reports the ring's size and counters.
func (g *Ring) Stat() (RingStat, error) {
	var st C.struct_shmdev_ring_stat
	_, err := g.rwait(nil, "ring stat", 0, true, func(rp *C.struct_shmdev_ring, _ C.int64_t) C.int {
		return C.shmdev_ring_stat(rp, &st)
	})
	if err != nil {
		return RingStat{}, err
	}
	return RingStat{
		Capacity: uint64(st.capacity), MaxMsg: uint64(st.max_msg), Used: uint64(st.used),
		Received: uint64(st.received), Dropped: uint64(st.dropped),
		DroppedBytes: uint64(st.dropped_bytes), Producers: uint32(st.producers),
		Consumer: st.consumer != 0,
	}, nil
}

// Offsets of the ring's control data, for the tests that corrupt it.
const (
	ringOffHead = C.SHMDEV_RING_OFF_HEAD
	ringOffTail = C.SHMDEV_RING_OFF_TAIL
)
