// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package shmdev

/*
#include <errno.h>
#include <shmdev.h>
*/
import "C"

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Mutex is a robust mutex that lives in the region, 8 bytes at an offset
// that is a multiple of 4 (shmdev_mutex_t). The library makes the OS
// thread that locks it its owner, so Lock wires the calling goroutine to
// its thread (runtime.LockOSThread) until the matching Unlock: call Unlock
// from the goroutine that locked; from any other it fails with EPERM.
// Lock and Unlock pairs nest, on one or several mutexes.
type Mutex struct {
	r   *Region
	off uint64
}

// Mutex is the mutex at off. It checks that the 8 bytes lie in the mapping
// and are aligned; it does not initialise them (Init).
func (r *Region) Mutex(off uint64) (*Mutex, error) {
	if err := r.check("mutex", off, 8, 4); err != nil {
		return nil, err
	}
	return &Mutex{r: r, off: off}, nil
}

func (r *Region) check(op string, off, n, align uint64) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return r.closedErr(op)
	}
	_, err := r.ptrLocked(op, off, n, align)
	return err
}

// hold records that the calling (wired) thread holds the mutex at off.
func (r *Region) hold(off uint64) {
	r.heldMu.Lock()
	if r.held == nil {
		r.held = make(map[uint64]int)
	}
	r.held[off] = syscall.Gettid()
	r.heldMu.Unlock()
}

// unhold forgets the mutex at off and reports whether the calling thread
// held it.
func (r *Region) unhold(off uint64) bool {
	tid := syscall.Gettid()
	r.heldMu.Lock()
	defer r.heldMu.Unlock()
	if t, ok := r.held[off]; !ok || t != tid {
		return false
	}
	delete(r.held, off)
	return true
}

// holds reports whether the calling thread holds the mutex at off.
func (r *Region) holds(off uint64) bool {
	tid := syscall.Gettid()
	r.heldMu.Lock()
	defer r.heldMu.Unlock()
	t, ok := r.held[off]
	return ok && t == tid
}

// mcall runs fn on the mutex's address in the current mapping.
func (m *Mutex) mcall(op string, fn func(p *C.struct_shmdev_region, mp *C.shmdev_mutex_t) C.int) error {
	p, err := m.r.enter(op)
	if err != nil {
		return err
	}
	defer m.r.exit()
	mp, err := m.r.ptrLocked(op, m.off, 8, 4)
	if err != nil {
		return err
	}
	return m.r.err(op, fn(p, (*C.shmdev_mutex_t)(mp)))
}

// Init registers the mutex with the module and sets it unlocked: once, by
// one process, before anybody uses it.
func (m *Mutex) Init() error {
	return m.mcall("mutex init", func(p *C.struct_shmdev_region, mp *C.shmdev_mutex_t) C.int {
		return C.shmdev_mutex_init(p, mp)
	})
}

// Destroy unregisters a free mutex; its bytes are the application's again.
func (m *Mutex) Destroy() error {
	return m.mcall("mutex destroy", func(p *C.struct_shmdev_region, mp *C.shmdev_mutex_t) C.int {
		return C.shmdev_mutex_destroy(p, mp)
	})
}

func (m *Mutex) lock(ctx context.Context, d time.Duration, hasD bool) error {
	const op = "mutex lock"
	runtime.LockOSThread()
	var perr error
	rc, err := m.r.wait(ctx, op, d, hasD, func(p *C.struct_shmdev_region, ns C.int64_t) C.int {
		var mp unsafe.Pointer
		if mp, perr = m.r.ptrLocked(op, m.off, 8, 4); perr != nil {
			return -C.EFAULT
		}
		return C.shmdev_mutex_lock(p, (*C.shmdev_mutex_t)(mp), ns)
	})
	if perr != nil {
		err = perr
	} else if err == nil {
		err = m.r.err(op, rc)
	}
	if err == nil || rc == -C.EOWNERDEAD {
		m.r.hold(m.off)
		return err // held: the thread stays wired until Unlock
	}
	runtime.UnlockOSThread()
	return err
}

// Lock locks the mutex, sleeping while another thread of any process holds
// it, until ctx is done (ctx.Err()). It returns an error for which
// errors.Is(err, ErrOwnerDead) holds when the previous owner died holding
// it: the mutex is then held, repair the data and call Consistent before
// Unlock. ErrNotRecoverable: it was unlocked in that state without
// Consistent. Locking it again from the goroutine holding it is EDEADLK.
func (m *Mutex) Lock(ctx context.Context) error { return m.lock(ctx, 0, false) }

// LockTimeout is Lock with a relative timeout instead of a context: an
// error with Timeout() true (syscall.ETIMEDOUT) when it passes; d <= 0
// tries once.
func (m *Mutex) LockTimeout(d time.Duration) error { return m.lock(nil, d, true) }

// TryLock locks the mutex only if it is free now: nil, ErrOwnerDead (held,
// as with Lock) or ErrBusy (errors.Is).
func (m *Mutex) TryLock() error {
	runtime.LockOSThread()
	rc := C.int(0)
	err := m.mcall("mutex trylock", func(p *C.struct_shmdev_region, mp *C.shmdev_mutex_t) C.int {
		rc = C.shmdev_mutex_trylock(p, mp)
		return rc
	})
	if err != nil && rc != -C.EOWNERDEAD {
		runtime.UnlockOSThread()
		return err
	}
	m.r.hold(m.off)
	return err
}

// Unlock unlocks the mutex, which the calling goroutine must hold. After
// the region was closed it returns ErrClosed and still ends the wiring of
// the goroutine to its thread (the close released the mutex).
func (m *Mutex) Unlock() error {
	err := m.mcall("mutex unlock", func(p *C.struct_shmdev_region, mp *C.shmdev_mutex_t) C.int {
		return C.shmdev_mutex_unlock(p, mp)
	})
	if err == nil {
		m.r.unhold(m.off)
		runtime.UnlockOSThread()
	} else if errors.Is(err, ErrClosed) && m.r.unhold(m.off) {
		// Closing the region released the mutex this goroutine held:
		// its wiring from Lock ends here too, and only then (a wiring
		// of its own stays).
		runtime.UnlockOSThread()
	}
	return err
}

// Consistent marks a mutex acquired with ErrOwnerDead as repaired.
func (m *Mutex) Consistent() error {
	return m.mcall("mutex consistent", func(p *C.struct_shmdev_region, mp *C.shmdev_mutex_t) C.int {
		return C.shmdev_mutex_consistent(p, mp)
	})
}

// Locker is a sync.Locker view of the mutex, for code that takes one.
// Its Lock waits without limit and panics with the error on any failure,
// ErrOwnerDead included (the mutex is then held: recover, repair, call
// Consistent); its Unlock panics when Unlock fails.
func (m *Mutex) Locker() sync.Locker { return locker{m} }

type locker struct{ m *Mutex }

func (l locker) Lock() {
	if err := l.m.Lock(context.Background()); err != nil {
		panic(err)
	}
}

func (l locker) Unlock() {
	if err := l.m.Unlock(); err != nil {
		panic(err)
	}
}

// Cond is a condition variable in the region (shmdev_cond_t, 8 bytes, a
// multiple of 4), used with a Mutex of the same region.
type Cond struct {
	r   *Region
	off uint64
}

// Cond is the condition variable at off (not initialised: Init).
func (r *Region) Cond(off uint64) (*Cond, error) {
	if err := r.check("cond", off, 8, 4); err != nil {
		return nil, err
	}
	return &Cond{r: r, off: off}, nil
}

func (c *Cond) ccall(op string, fn func(p *C.struct_shmdev_region, cp *C.shmdev_cond_t) C.int) error {
	p, err := c.r.enter(op)
	if err != nil {
		return err
	}
	defer c.r.exit()
	cp, err := c.r.ptrLocked(op, c.off, 8, 4)
	if err != nil {
		return err
	}
	return c.r.err(op, fn(p, (*C.shmdev_cond_t)(cp)))
}

// Init sets the condition variable to its initial state, once.
func (c *Cond) Init() error {
	return c.ccall("cond init", func(p *C.struct_shmdev_region, cp *C.shmdev_cond_t) C.int {
		return C.shmdev_cond_init(p, cp)
	})
}

// Signal wakes at least one waiter, if any.
func (c *Cond) Signal() error {
	return c.ccall("cond signal", func(p *C.struct_shmdev_region, cp *C.shmdev_cond_t) C.int {
		return C.shmdev_cond_signal(p, cp)
	})
}

// Broadcast wakes every waiter.
func (c *Cond) Broadcast() error {
	return c.ccall("cond broadcast", func(p *C.struct_shmdev_region, cp *C.shmdev_cond_t) C.int {
		return C.shmdev_cond_broadcast(p, cp)
	})
}

func (c *Cond) wait(ctx context.Context, m *Mutex, d time.Duration, hasD bool) error {
	const op = "cond wait"
	if m == nil || m.r != c.r {
		return &os.PathError{Op: op, Path: c.r.name, Err: syscall.EINVAL}
	}
	// shmdev_cond_wait in three steps, so that its relock, which has no
	// limit, does not hold the region: Close, Resize and Remap, maybe
	// called by the mutex's holder, must get it between two slices.
	r := c.r
	seq, err := c.announce(op, m)
	if err != nil {
		return err
	}
	rc, werr := r.wait(ctx, op, d, hasD, func(p *C.struct_shmdev_region, ns C.int64_t) C.int {
		cp, err := r.ptrLocked(op, c.off, 8, 4)
		if err != nil {
			return -C.EAGAIN // gone from the mapping: the relock says more
		}
		w := (*C.uint32_t)(unsafe.Pointer(&(*C.shmdev_cond_t)(cp).__seq))
		return C.shmdev_wait(p, w, C.uint32_t(seq), ns)
	})
	if _, err := r.enter(op); err == nil {
		if cp, err := r.ptrLocked(op, c.off, 8, 4); err == nil {
			reserved(cp).Add(^uint32(0))
		}
		r.exit()
	}
	var perr error
	lrc, lerr := r.wait(nil, op, 0, false, func(p *C.struct_shmdev_region, ns C.int64_t) C.int {
		var mp unsafe.Pointer
		if mp, perr = r.ptrLocked(op, m.off, 8, 4); perr != nil {
			return -C.EFAULT
		}
		return C.shmdev_mutex_lock(p, (*C.shmdev_mutex_t)(mp), ns)
	})
	switch {
	case perr != nil:
		return perr
	case lerr != nil:
		return lerr // ErrClosed: the close released the mutex
	case lrc == -C.ENOTRECOVERABLE:
		// Not held any more: the goroutine's wiring from Lock ends here.
		r.unhold(m.off)
		runtime.UnlockOSThread()
		return r.err(op, lrc)
	case lrc < 0 && lrc != -C.EOWNERDEAD:
		return r.err(op, lrc)
	}
	r.hold(m.off)
	if lrc == -C.EOWNERDEAD {
		return r.err(op, lrc) // relock errors win, as in the library
	}
	if werr != nil {
		return werr
	}
	if rc < 0 && rc != -C.EAGAIN {
		return r.err(op, rc) // ETIMEDOUT, with m held
	}
	return nil // signalled, or spuriously woken
}

func reserved(cp unsafe.Pointer) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&(*C.shmdev_cond_t)(cp).__reserved))
}

// announce counts the calling thread as a waiter of c, reads c's sequence
// word while it still holds m, and unlocks m, as shmdev_cond_wait does: a
// signal after the read bumps the word, which the wait then sees.
func (c *Cond) announce(op string, m *Mutex) (uint32, error) {
	r := c.r
	p, err := r.enter(op)
	if err != nil {
		return 0, err
	}
	defer r.exit()
	cp, err := r.ptrLocked(op, c.off, 8, 4)
	if err != nil {
		return 0, err
	}
	mp, err := r.ptrLocked(op, m.off, 8, 4)
	if err != nil {
		return 0, err
	}
	// The thread holds m through r, so r's mapping is writable: the
	// count may be written (a read-only mapping would fault).
	if !r.holds(m.off) {
		return 0, &os.PathError{Op: op, Path: r.name, Err: syscall.EPERM}
	}
	reserved(cp).Add(1)
	seq := (*atomic.Uint32)(unsafe.Pointer(&(*C.shmdev_cond_t)(cp).__seq)).Load()
	if rc := C.shmdev_mutex_unlock(p, (*C.shmdev_mutex_t)(mp)); rc < 0 {
		reserved(cp).Add(^uint32(0))
		return 0, r.err(op, rc)
	}
	return seq, nil
}

// Wait unlocks m (held by the calling goroutine), sleeps until a Signal or
// Broadcast, or ctx is done, and locks m again before it returns, in every
// case but ErrNotRecoverable. nil does not prove the condition holds: test
// it in a loop. ErrOwnerDead: m is held, its previous owner died.
func (c *Cond) Wait(ctx context.Context, m *Mutex) error { return c.wait(ctx, m, 0, false) }

// WaitTimeout is Wait with a relative timeout (ETIMEDOUT, m held, when it
// passes).
func (c *Cond) WaitTimeout(m *Mutex, d time.Duration) error { return c.wait(nil, m, d, true) }

// Event is the region's 64-bit event counter.
type Event struct{ r *Region }

// Event is the region's event counter.
func (r *Region) Event() *Event { return &Event{r} }

// Notify adds one to the counter and wakes every waiter.
func (e *Event) Notify() error {
	return e.r.call("notify", func(p *C.struct_shmdev_region) C.int { return C.shmdev_notify(p) })
}

// Seq reads the counter without sleeping.
func (e *Event) Seq() (uint64, error) {
	seq := C.uint64_t(^uint64(0))
	err := e.r.call("event wait", func(p *C.struct_shmdev_region) C.int {
		rc := C.shmdev_event_wait(p, &seq, 0)
		if rc == -C.ETIMEDOUT {
			rc = 0
		}
		return rc
	})
	return uint64(seq), err
}

func (e *Event) wait(ctx context.Context, seq uint64, d time.Duration, hasD bool) (uint64, error) {
	cs := C.uint64_t(seq)
	rc, err := e.r.wait(ctx, "event wait", d, hasD, func(p *C.struct_shmdev_region, ns C.int64_t) C.int {
		return C.shmdev_event_wait(p, &cs, ns)
	})
	if err == nil {
		err = e.r.err("event wait", rc)
	}
	return uint64(cs), err
}

// Wait sleeps while the counter equals seq, until ctx is done, and returns
// the counter.
func (e *Event) Wait(ctx context.Context, seq uint64) (uint64, error) {
	return e.wait(ctx, seq, 0, false)
}

// WaitTimeout is Wait with a relative timeout: ETIMEDOUT and the counter
// (still seq) when it passes.
func (e *Event) WaitTimeout(seq uint64, d time.Duration) (uint64, error) {
	return e.wait(nil, seq, d, true)
}

// RWLock is kernel lock n (0 to 63) of the region, shaped like
// sync.RWMutex. The module's locks belong to the handle, so the goroutines
// of a process that share a Region share one kernel lock: RWLock first
// excludes them from each other in the process (readers share one kernel
// SHARED hold), then takes the kernel lock against other handles. A holder
// that dies releases it; nothing is repaired.
type RWLock struct {
	r *Region
	n int

	mu      sync.Mutex
	readers int  // local readers, sharing the kernel hold
	rtaking bool // the first local reader is taking the kernel lock
	writer  bool // a local writer holds (or is taking) the kernel lock
	wwait   int  // local writers waiting: new readers wait behind them
	change  chan struct{}
}

// RWLock is kernel lock n; every call with the same n returns the same
// *RWLock.
func (r *Region) RWLock(n int) *RWLock {
	r.rwMu.Lock()
	defer r.rwMu.Unlock()
	if r.rw == nil {
		r.rw = make(map[int]*RWLock)
	}
	l := r.rw[n]
	if l == nil {
		l = &RWLock{r: r, n: n, change: make(chan struct{})}
		r.rw[n] = l
	}
	return l
}

func (l *RWLock) broadcast() {
	close(l.change)
	l.change = make(chan struct{})
}

func (l *RWLock) klock(ctx context.Context, mode C.uint, d time.Duration, hasD bool) error {
	if l.n < 0 || l.n >= C.SHMDEV_NR_LOCKS {
		return &os.PathError{Op: "lock", Path: l.r.name, Err: syscall.EINVAL}
	}
	rc, err := l.r.wait(ctx, "lock", d, hasD, func(p *C.struct_shmdev_region, ns C.int64_t) C.int {
		return C.shmdev_lock(p, C.uint(l.n), mode, ns)
	})
	if err == nil {
		err = l.r.err("lock", rc)
	}
	return err
}

func (l *RWLock) kunlock() error {
	return l.r.call("unlock", func(p *C.struct_shmdev_region) C.int {
		return C.shmdev_unlock(p, C.uint(l.n))
	})
}

// localWait waits for a change of the local state, or ctx/the deadline.
func (l *RWLock) localWait(ctx context.Context, ch chan struct{}, deadline time.Time, hasD bool) error {
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	var tc <-chan time.Time
	if hasD {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		tc = t.C
	}
	select {
	case <-ch:
		return nil
	case <-done:
		return ctx.Err()
	case <-tc:
		return &os.PathError{Op: "lock", Path: l.r.name, Err: syscall.ETIMEDOUT}
	}
}

func (l *RWLock) lock(ctx context.Context, d time.Duration, hasD bool) error {
	deadline := time.Now().Add(d)
	l.mu.Lock()
	l.wwait++
	for l.writer || l.readers > 0 || l.rtaking {
		ch := l.change
		l.mu.Unlock()
		err := l.localWait(ctx, ch, deadline, hasD)
		l.mu.Lock()
		if err != nil {
			l.wwait--
			l.broadcast()
			l.mu.Unlock()
			return err
		}
	}
	l.wwait--
	l.writer = true
	l.mu.Unlock()
	err := l.klock(ctx, C.SHMDEV_LOCK_EX, time.Until(deadline), hasD)
	if err != nil {
		l.mu.Lock()
		l.writer = false
		l.broadcast()
		l.mu.Unlock()
	}
	return err
}

func (l *RWLock) rlock(ctx context.Context, d time.Duration, hasD bool) error {
	deadline := time.Now().Add(d)
	l.mu.Lock()
	for l.writer || l.wwait > 0 || l.rtaking {
		ch := l.change
		l.mu.Unlock()
		err := l.localWait(ctx, ch, deadline, hasD)
		l.mu.Lock()
		if err != nil {
			l.mu.Unlock()
			return err
		}
	}
	if l.readers > 0 {
		l.readers++
		l.mu.Unlock()
		return nil
	}
	// The first local reader takes the kernel lock for all, without l.mu:
	// the others wait for it (rtaking) with their own deadline, and
	// TryRLock and TryLock do not wait.
	l.rtaking = true
	l.mu.Unlock()
	err := l.klock(ctx, C.SHMDEV_LOCK_SH, time.Until(deadline), hasD)
	l.mu.Lock()
	l.rtaking = false
	if err == nil {
		l.readers++
	}
	l.broadcast()
	l.mu.Unlock()
	return err
}

// LockContext locks for writing, until ctx is done.
func (l *RWLock) LockContext(ctx context.Context) error { return l.lock(ctx, 0, false) }

// LockTimeout locks for writing within d (ETIMEDOUT).
func (l *RWLock) LockTimeout(d time.Duration) error { return l.lock(nil, d, true) }

// RLockContext locks for reading, until ctx is done.
func (l *RWLock) RLockContext(ctx context.Context) error { return l.rlock(ctx, 0, false) }

// RLockTimeout locks for reading within d (ETIMEDOUT).
func (l *RWLock) RLockTimeout(d time.Duration) error { return l.rlock(nil, d, true) }

// TryLock locks for writing if that needs no wait.
func (l *RWLock) TryLock() bool { return l.lock(nil, 0, true) == nil }

// TryRLock locks for reading if that needs no wait.
func (l *RWLock) TryRLock() bool { return l.rlock(nil, 0, true) == nil }

// Lock locks for writing, waiting without limit; it panics if that fails
// (region closed, say), as sync.RWMutex does on misuse.
func (l *RWLock) Lock() {
	if err := l.LockContext(context.Background()); err != nil {
		panic(err)
	}
}

// RLock locks for reading, waiting without limit; panics as Lock.
func (l *RWLock) RLock() {
	if err := l.RLockContext(context.Background()); err != nil {
		panic(err)
	}
}

// Unlock unlocks a write lock; it panics if the lock is not write-locked.
func (l *RWLock) Unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.writer {
		panic("shmdev: Unlock of unlocked RWLock " + utoa(uint64(l.n)))
	}
	err := l.kunlock()
	l.writer = false
	l.broadcast()
	if err != nil {
		panic(err)
	}
}

// RUnlock undoes one RLock; it panics if the lock is not read-locked.
func (l *RWLock) RUnlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.readers == 0 {
		panic("shmdev: RUnlock of unlocked RWLock " + utoa(uint64(l.n)))
	}
	l.readers--
	if l.readers > 0 {
		return
	}
	err := l.kunlock()
	l.broadcast()
	if err != nil {
		panic(err)
	}
}

// RLocker is a sync.Locker whose Lock and Unlock are RLock and RUnlock.
func (l *RWLock) RLocker() sync.Locker { return rlocker{l} }

type rlocker struct{ l *RWLock }

func (r rlocker) Lock()   { r.l.RLock() }
func (r rlocker) Unlock() { r.l.RUnlock() }
