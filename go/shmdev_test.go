// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package shmdev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// slack is what a wait may overrun its deadline by under emulation.
const slack = 2 * time.Second

// regionName is a name of the test's own, unlinked when it ends.
func regionName(t *testing.T) string {
	name := "gotest." + strconv.Itoa(os.Getpid()) + "." + strings.ReplaceAll(t.Name(), "/", ".")
	t.Cleanup(func() { Unlink(name) })
	return name
}

// newRegion creates a fresh region of size bytes, closed at the end.
func newRegion(t *testing.T, size uint64) *Region {
	t.Helper()
	r, err := Open(regionName(t), size, Create|Excl, 0o600)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func wantErrno(t *testing.T, err error, want syscall.Errno) {
	t.Helper()
	var pe *os.PathError
	if !errors.Is(err, want) || !errors.As(err, &pe) {
		t.Fatalf("got error %v (%T), want an *os.PathError of %v", err, err, want)
	}
}

// Opening a missing region is ENOENT, which is also os.ErrNotExist.
func TestOpenMissingIsNotExist(t *testing.T) {
	_, err := Open(regionName(t), 0, 0, 0)
	wantErrno(t, err, syscall.ENOENT)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("errors.Is(%v, os.ErrNotExist) is false", err)
	}
}

// Create|Excl of an existing region is EEXIST, also os.ErrExist.
func TestOpenExclExists(t *testing.T) {
	r := newRegion(t, 4096)
	_, err := Open(r.Name(), 4096, Create|Excl, 0o600)
	wantErrno(t, err, syscall.EEXIST)
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("errors.Is(%v, os.ErrExist) is false", err)
	}
}

// A name with a slash is EINVAL.
func TestOpenBadName(t *testing.T) {
	_, err := Open("a/b", 4096, Create, 0o600)
	wantErrno(t, err, syscall.EINVAL)
}

// Two handles of one region see each other's stores through Bytes.
func TestBytesShared(t *testing.T) {
	r := newRegion(t, 8192)
	r2, err := Open(r.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	b, b2 := r.Bytes(), r2.Bytes()
	if len(b) != 8192 || len(b2) != 8192 {
		t.Fatalf("len %d, %d, want 8192", len(b), len(b2))
	}
	copy(b[100:], "hello")
	if string(b2[100:105]) != "hello" {
		t.Fatalf("second handle reads %q", b2[100:105])
	}
}

func wantPanic(t *testing.T, substr string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		v := recover()
		if v == nil {
			t.Fatalf("no panic, want one saying %q", substr)
		}
		if s, _ := v.(string); !strings.Contains(s, substr) {
			t.Fatalf("panic %v, want one saying %q", v, substr)
		}
	}()
	fn()
}

// Uint32 and Uint64 refuse misaligned and out-of-range offsets with a panic
// that says why, never a fault.
func TestWordAccessorsCheck(t *testing.T) {
	r := newRegion(t, 4096)
	wantPanic(t, "not aligned to 4", func() { r.Uint32(2) })
	wantPanic(t, "not aligned to 8", func() { r.Uint64(4) })
	wantPanic(t, "outside the mapping", func() { r.Uint32(4096) })
	wantPanic(t, "outside the mapping", func() { r.Uint64(1 << 62) })
	wantPanic(t, "outside the mapping", func() { r.Uint64(^uint64(7)) })
	r.Uint32(4092).Store(1) // the last word is in range
	r.Close()
	wantPanic(t, "region closed", func() { r.Uint32(0) })
}

// Atomic words are shared by handles: adds from two handles all count.
func TestWordAtomicAcrossHandles(t *testing.T) {
	r := newRegion(t, 4096)
	r2, err := Open(r.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	var wg sync.WaitGroup
	for _, h := range []*Region{r, r2} {
		w := h.Uint64(8)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10000; i++ {
				w.Add(1)
			}
		}()
	}
	wg.Wait()
	if v := r.Uint64(8).Load(); v != 20000 {
		t.Fatalf("counter %d, want 20000", v)
	}
}

// After Close every method fails with ErrClosed (or reports nothing) and
// nothing faults.
func TestUseAfterClose(t *testing.T) {
	r := newRegion(t, 4096)
	m, err := r.Mutex(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Init(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"Close": r.Close(), "Lock": m.Lock(context.Background()), "Unlock": m.Unlock(),
		"Resize": r.Resize(8192), "Notify": r.Event().Notify(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", what, err)
		}
	}
	if _, err := r.Stat(); !errors.Is(err, ErrClosed) {
		t.Errorf("Stat after Close: %v", err)
	}
	if r.Bytes() != nil || r.Fd() != -1 || r.Size() != 0 {
		t.Errorf("Bytes/Fd/Size after Close: %v %d %d", r.Bytes() != nil, r.Fd(), r.Size())
	}
}

// Resize grows the region and Bytes has the new size; a shrink that leaves
// a mutex outside the mapping makes its calls fail instead of faulting.
func TestResize(t *testing.T) {
	r := newRegion(t, 4096)
	m, _ := r.Mutex(4096 - 8)
	if err := m.Init(); err != nil {
		t.Fatal(err)
	}
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	if err := r.Resize(3 * 4096); err != nil {
		t.Fatal(err)
	}
	if len(r.Bytes()) != 3*4096 || r.Size() != 3*4096 {
		t.Fatalf("after grow: len %d size %d", len(r.Bytes()), r.Size())
	}
	m2, _ := r.Mutex(3*4096 - 8)
	if err := r.Resize(4096); err != nil {
		t.Fatal(err)
	}
	if err := m2.Lock(context.Background()); err == nil || !strings.Contains(err.Error(), "outside the mapping") {
		t.Fatalf("Lock outside the mapping after shrink: %v", err)
	}
}

// Stat reports size, mode and the number of handles.
func TestStat(t *testing.T) {
	r := newRegion(t, 8192)
	r2, err := Open(r.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	st, err := r.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Size != 8192 || st.Mode != 0o600 || st.Handles != 2 || st.UID != uint32(os.Getuid()) {
		t.Fatalf("stat %+v", st)
	}
	st2, err := StatName(r.Name())
	if err != nil || st2.Size != 8192 {
		t.Fatalf("StatName: %+v %v", st2, err)
	}
}

// Unlink removes the name: StatName is then ENOENT, the handle still works.
func TestUnlink(t *testing.T) {
	r := newRegion(t, 4096)
	if err := r.Unlink(); err != nil {
		t.Fatal(err)
	}
	_, err := StatName(r.Name())
	wantErrno(t, err, syscall.ENOENT)
	wantErrno(t, Unlink(r.Name()), syscall.ENOENT)
	r.Uint32(0).Store(7)
}

// Fd is an open file of the region: fstat gives its size.
func TestFd(t *testing.T) {
	r := newRegion(t, 3*4096)
	var st syscall.Stat_t
	if err := syscall.Fstat(r.Fd(), &st); err != nil {
		t.Fatal(err)
	}
	if st.Size != 3*4096 {
		t.Fatalf("fstat size %d", st.Size)
	}
}

// OpenInit runs init in the creator only, returns init's error as is, and
// the region init is given cannot be closed by it (EBUSY).
func TestOpenInit(t *testing.T) {
	name := regionName(t)
	errMine := errors.New("mine")
	if _, err := OpenInit(name, 4096, Create, 0o600, func(*Region) error { return errMine }); err != errMine {
		t.Fatalf("failing init: %v, want its error", err)
	}
	calls := 0
	init := func(r *Region) error {
		calls++
		r.Uint32(0).Store(42)
		return nil
	}
	if _, err := OpenInit(name, 4096, Create, 0o600, func(r *Region) error { return r.Close() }); !errors.Is(err, syscall.EBUSY) {
		t.Fatalf("init closing its region: %v, want EBUSY", err)
	}
	r1, err := OpenInit(name, 4096, Create, 0o600, init)
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := OpenInit(name, 4096, Create, 0o600, init)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if calls != 1 || r2.Uint32(0).Load() != 42 {
		t.Fatalf("init ran %d times, word %d", calls, r2.Uint32(0).Load())
	}
}

func newMutex(t *testing.T, r *Region, off uint64) *Mutex {
	t.Helper()
	m, err := r.Mutex(off)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Init(); err != nil {
		t.Fatal(err)
	}
	return m
}

// inGoroutine runs fn in a goroutine of its own (so on another thread
// than a caller that holds a mutex) and returns its result.
func inGoroutine(fn func() error) error {
	ch := make(chan error)
	go func() { ch <- fn() }()
	return <-ch
}

// Mutex placement is checked: misaligned or outside the mapping is an error.
func TestMutexPlacement(t *testing.T) {
	r := newRegion(t, 4096)
	if _, err := r.Mutex(2); err == nil || !strings.Contains(err.Error(), "aligned") {
		t.Errorf("Mutex(2): %v", err)
	}
	if _, err := r.Mutex(4092); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("Mutex(4092): %v", err)
	}
}

// A mutex never initialised is EINVAL.
func TestMutexUninitialised(t *testing.T) {
	r := newRegion(t, 4096)
	m, _ := r.Mutex(0)
	wantErrno(t, m.Lock(context.Background()), syscall.EINVAL)
}

// TryLock of a mutex another goroutine holds is EBUSY; Unlock from a
// goroutine that does not hold it is EPERM; relocking is EDEADLK.
func TestMutexOwnership(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	if err := m.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, inGoroutine(m.TryLock), syscall.EBUSY)
	wantErrno(t, inGoroutine(m.Unlock), syscall.EPERM)
	wantErrno(t, m.Lock(context.Background()), syscall.EDEADLK)
	if err := m.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := inGoroutine(func() error {
		if err := m.TryLock(); err != nil {
			return err
		}
		return m.Unlock()
	}); err != nil {
		t.Fatalf("TryLock of the free mutex: %v", err)
	}
}

// Goroutines on different threads exclude each other: a plain counter
// incremented under the mutex loses no increment.
func TestMutexExcludes(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	b := r.Bytes()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				if err := m.Lock(context.Background()); err != nil {
					t.Error(err)
					return
				}
				v := int(b[64]) | int(b[65])<<8 | int(b[66])<<16
				runtime.Gosched()
				v++
				b[64], b[65], b[66] = byte(v), byte(v>>8), byte(v>>16)
				if err := m.Unlock(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if v := int(b[64]) | int(b[65])<<8 | int(b[66])<<16; v != 8000 {
		t.Fatalf("counter %d, want 8000", v)
	}
}

// holdIn holds m in a goroutine of its own until release is closed.
func holdIn(t *testing.T, m *Mutex) (release func()) {
	t.Helper()
	locked, done := make(chan error), make(chan struct{})
	go func() {
		err := m.Lock(context.Background())
		locked <- err
		if err != nil {
			return
		}
		<-done
		m.Unlock()
		close(locked)
	}()
	if err := <-locked; err != nil {
		t.Fatal(err)
	}
	return func() { close(done); <-locked }
}

// LockTimeout on a held mutex fails with ETIMEDOUT (Timeout() true) after
// the timeout, not before.
func TestMutexLockTimeout(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	defer holdIn(t, m)()
	start := time.Now()
	err := m.LockTimeout(200 * time.Millisecond)
	el := time.Since(start)
	wantErrno(t, err, syscall.ETIMEDOUT)
	if te, ok := err.(interface{ Timeout() bool }); !ok || !te.Timeout() {
		t.Errorf("%v: Timeout() is not true", err)
	}
	if el < 200*time.Millisecond || el > 200*time.Millisecond+slack {
		t.Fatalf("timed out after %v", el)
	}
}

// A context cancelled without a deadline ends a Lock promptly, with
// context.Canceled; one with a deadline ends it with DeadlineExceeded.
func TestMutexLockContext(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	defer holdIn(t, m)()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	if err := m.Lock(ctx); err != context.Canceled {
		t.Fatalf("cancelled Lock: %v", err)
	}
	if el := time.Since(start); el > 100*time.Millisecond+waitSlice+slack {
		t.Fatalf("cancelled Lock returned after %v", el)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := m.Lock(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Lock past the deadline: %v", err)
	}
}

// A handle that goes away holding a mutex makes the next Lock
// ErrOwnerDead with the lock held; unlocking it without Consistent makes
// it ErrNotRecoverable.
func TestMutexNotRecoverable(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	ownerDead(t, r, 0)
	err := m.Lock(context.Background())
	if !errors.Is(err, ErrOwnerDead) {
		t.Fatalf("Lock after the owner's handle closed: %v", err)
	}
	if err := m.Unlock(); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, m.Lock(context.Background()), syscall.ENOTRECOVERABLE)
	if !errors.Is(m.TryLock(), ErrNotRecoverable) {
		t.Fatal("TryLock is not ErrNotRecoverable")
	}
}

// ownerDead makes m owner-died: a second handle locks it and closes.
func ownerDead(t *testing.T, r *Region, off uint64) {
	t.Helper()
	r2, err := Open(r.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := r2.Mutex(off)
	if err := inGoroutine(func() error { return m2.Lock(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	r2.Close()
}

// reschedule sleeps in blocking system calls while other goroutines keep
// every P busy, so that the runtime hands the caller's P to another thread
// and a goroutine that is not wired to its thread resumes on another one.
func reschedule() (moved bool) {
	var stop atomic.Bool
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		go func() {
			for !stop.Load() {
			}
		}()
	}
	tid := syscall.Gettid()
	ts := syscall.Timespec{Nsec: int64(2 * time.Millisecond)}
	for i := 0; i < 20 && !moved; i++ {
		syscall.Nanosleep(&ts, nil)
		moved = syscall.Gettid() != tid
	}
	stop.Store(true)
	return moved
}

// A Lock that returns ErrOwnerDead holds the mutex with the goroutine wired
// to its thread, as a plain Lock: Consistent and Unlock work after the
// goroutine was rescheduled.
func TestMutexOwnerDeadWired(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	ownerDead(t, r, 0)
	err := inGoroutine(func() error {
		if err := m.Lock(context.Background()); !errors.Is(err, ErrOwnerDead) {
			return fmt.Errorf("Lock: %v, want ErrOwnerDead", err)
		}
		if reschedule() {
			return errors.New("the goroutine left its thread while it holds the mutex")
		}
		if err := m.Consistent(); err != nil {
			return err
		}
		return m.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The sync.Locker view works with sync.Cond-free code and panics on error.
func TestMutexLocker(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	var l sync.Locker = m.Locker()
	l.Lock()
	wantErrno(t, inGoroutine(m.TryLock), syscall.EBUSY)
	l.Unlock()
	defer func() {
		if v := recover(); v == nil || !errors.Is(v.(error), syscall.EPERM) {
			t.Fatalf("Locker Unlock of a free mutex: panic %v, want EPERM", v)
		}
	}()
	l.Unlock()
}

// A Cond wakes a waiter that a Signal made under the mutex; WaitTimeout
// returns ETIMEDOUT with the mutex held.
func TestCond(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	c, err := r.Cond(8)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Init(); err != nil {
		t.Fatal(err)
	}
	flag := r.Uint32(16)
	done := make(chan error)
	go func() {
		if err := m.Lock(context.Background()); err != nil {
			done <- err
			return
		}
		for flag.Load() == 0 {
			if err := c.Wait(context.Background(), m); err != nil {
				done <- err
				return
			}
		}
		done <- m.Unlock()
	}()
	time.Sleep(50 * time.Millisecond)
	if err := inGoroutine(func() error {
		if err := m.Lock(context.Background()); err != nil {
			return err
		}
		flag.Store(1)
		if err := c.Signal(); err != nil {
			return err
		}
		return m.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if err := m.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, c.WaitTimeout(m, 100*time.Millisecond), syscall.ETIMEDOUT)
	if err := m.Unlock(); err != nil {
		t.Fatalf("Unlock after a timed-out wait: %v", err)
	}
	wantErrno(t, inGoroutine(func() error { return c.WaitTimeout(m, 0) }), syscall.EPERM)
}

// RWLock: readers of one process share the lock, a writer of another
// handle cannot take it meanwhile, a reader of another handle can.
func TestRWLockShared(t *testing.T) {
	r := newRegion(t, 4096)
	r2, err := Open(r.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	l, l2 := r.RWLock(3), r2.RWLock(3)
	if r.RWLock(3) != l {
		t.Fatal("RWLock(3) twice gives two locks")
	}
	l.RLock()
	if err := inGoroutine(func() error { return l.RLockTimeout(time.Second) }); err != nil {
		t.Fatalf("second local reader: %v", err)
	}
	if l2.TryLock() {
		t.Fatal("another handle took the write lock from readers")
	}
	wantErrno(t, l2.LockTimeout(100*time.Millisecond), syscall.ETIMEDOUT)
	if !l2.TryRLock() {
		t.Fatal("another handle could not share the read lock")
	}
	l2.RUnlock()
	l.RUnlock()
	l.RUnlock()
	if !l2.TryLock() {
		t.Fatal("write lock refused once every reader left")
	}
	if l.TryRLock() || l.TryLock() {
		t.Fatal("lock taken while another handle writes")
	}
	l2.Unlock()
}

// RWLock excludes writers of one process from each other.
func TestRWLockLocalWriters(t *testing.T) {
	r := newRegion(t, 4096)
	l := r.RWLock(0)
	l.Lock()
	if l.TryLock() || l.TryRLock() {
		t.Fatal("write-locked RWLock taken again in the process")
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := l.LockContext(ctx); err != context.Canceled {
		t.Fatalf("cancelled LockContext: %v", err)
	}
	l.Unlock()
	wantPanic(t, "Unlock of unlocked", l.Unlock)
	wantErrno(t, r.RWLock(64).LockTimeout(0), syscall.EINVAL)
}

// Event: Notify bumps the counter and wakes Wait; WaitTimeout with no
// notification is ETIMEDOUT with the counter unchanged.
func TestEvent(t *testing.T) {
	r := newRegion(t, 4096)
	e := r.Event()
	seq, err := e.Seq()
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, func() { e.Notify() })
	got, err := e.Wait(context.Background(), seq)
	if err != nil || got != seq+1 {
		t.Fatalf("Wait: %d %v, want %d", got, err, seq+1)
	}
	got, err = e.WaitTimeout(got, 50*time.Millisecond)
	wantErrno(t, err, syscall.ETIMEDOUT)
	if got != seq+1 {
		t.Fatalf("counter %d after a timeout", got)
	}
}

// The largest timeout is a wait without a practical limit, and a negative
// one does not sleep: neither is EINVAL.
func TestWaitTimeoutExtremes(t *testing.T) {
	r := newRegion(t, 4096)
	e := r.Event()
	seq, _ := e.Seq()
	start := time.Now()
	_, err := e.WaitTimeout(seq, -time.Hour)
	wantErrno(t, err, syscall.ETIMEDOUT)
	if el := time.Since(start); el > slack {
		t.Fatalf("negative timeout slept %v", el)
	}
	time.AfterFunc(50*time.Millisecond, func() { e.Notify() })
	if got, err := e.WaitTimeout(seq, math.MaxInt64); err != nil || got != seq+1 {
		t.Fatalf("WaitTimeout(MaxInt64): %d %v", got, err)
	}
}

// signalThread sends sig to thread tid every few ms until stop closes.
func signalThread(tid int, sig syscall.Signal, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(5 * time.Millisecond):
			syscall.Tgkill(os.Getpid(), tid, sig)
		}
	}
}

// Signals delivered to the thread asleep in a wait neither end it early
// nor stretch it: it times out at its deadline, and finishes when
// notified; with Go's own handler (SA_RESTART: the module sleeps on) and
// with one without SA_RESTART, whose EINTR the package must retry.
func TestWaitSignals(t *testing.T) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	defer signal.Stop(sig)
	if err := installNoRestartHandler(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	r := newRegion(t, 4096)
	e := r.Event()
	seq, _ := e.Seq()
	run := func(s syscall.Signal, d time.Duration) (time.Duration, uint64, error) {
		type res struct {
			el  time.Duration
			seq uint64
			err error
		}
		tidc, resc, stop := make(chan int), make(chan res), make(chan struct{})
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tidc <- syscall.Gettid()
			start := time.Now()
			s, err := e.WaitTimeout(seq, d)
			resc <- res{time.Since(start), s, err}
		}()
		go signalThread(<-tidc, s, stop)
		x := <-resc
		close(stop)
		return x.el, x.seq, x.err
	}
	for _, s := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGUSR2} {
		retries := eintrRetries.Load()
		el, _, err := run(s, 300*time.Millisecond)
		wantErrno(t, err, syscall.ETIMEDOUT)
		if el < 300*time.Millisecond || el > 300*time.Millisecond+slack {
			t.Fatalf("%v: timed out after %v", s, el)
		}
		time.AfterFunc(150*time.Millisecond, func() { e.Notify() })
		el, got, err := run(s, 10*time.Second)
		if err != nil || got != seq+1 || el > 150*time.Millisecond+slack {
			t.Fatalf("%v: notified wait: %d %v after %v", s, got, err, el)
		}
		seq = got
		if s == syscall.SIGUSR2 && eintrRetries.Load() == retries {
			t.Fatal("no EINTR seen with a handler without SA_RESTART")
		}
	}
}

// A ring carries messages whole and in order between two handles, as an
// io.Writer and io.Reader; a short buffer is io.ErrShortBuffer and the
// message stays.
func TestRingReadWrite(t *testing.T) {
	r := newRegion(t, RingHeader+2*RingMinCapacity)
	if err := r.InitRing(0, RingHeader+2*RingMinCapacity); err != nil {
		t.Fatal(err)
	}
	r2, err := Open(r.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	w, err := r.Ring(0)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := r2.Ring(0)
	if err != nil {
		t.Fatal(err)
	}
	var iw io.Writer = w
	var ir io.Reader = rd
	for _, m := range []string{"one", "", "three is longer"} {
		if n, err := iw.Write([]byte(m)); err != nil || n != len(m) {
			t.Fatalf("Write %q: %d %v", m, n, err)
		}
	}
	buf := make([]byte, 64)
	if n, err := ir.Read(buf); err != nil || string(buf[:n]) != "one" {
		t.Fatalf("Read: %q %v", buf[:n], err)
	}
	if n, err := ir.Read(buf); err != nil || n != 0 {
		t.Fatalf("Read of an empty message: %d %v", n, err)
	}
	if _, err := ir.Read(buf[:4]); err != io.ErrShortBuffer {
		t.Fatalf("Read with a short buffer: %v", err)
	}
	if n, err := ir.Read(buf); err != nil || string(buf[:n]) != "three is longer" {
		t.Fatalf("Read after a short buffer: %q %v", buf[:n], err)
	}
	_, err = rd.RecvTimeout(buf, 50*time.Millisecond)
	wantErrno(t, err, syscall.ETIMEDOUT)
	st, err := w.Stat()
	if err != nil || st.Capacity != 2*RingMinCapacity || st.Received != 3 || st.Producers != 1 {
		t.Fatalf("Stat: %+v %v", st, err)
	}
	_, err = w.Write(make([]byte, st.MaxMsg+1))
	wantErrno(t, err, syscall.EMSGSIZE)
}

// Reserve/Commit and Peek/Release move a message without a copy; a
// Commit of something not reserved and a Release with nothing peeked are
// EINVAL.
func TestRingZeroCopy(t *testing.T) {
	r := newRegion(t, RingHeader+RingMinCapacity)
	if err := r.InitRing(0, RingHeader+RingMinCapacity); err != nil {
		t.Fatal(err)
	}
	g, err := r.Ring(0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Reserve(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	copy(b, "hello")
	wantErrno(t, g.Commit(make([]byte, 5)), syscall.EINVAL)
	if err := g.Commit(b); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, g.Release(), syscall.EINVAL)
	p, err := g.Peek(context.Background())
	if err != nil || string(p) != "hello" {
		t.Fatalf("Peek: %q %v", p, err)
	}
	if err := g.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Reserve(context.Background(), -1); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("Reserve(-1): %v", err)
	}
}

// A ring whose positions another process overwrote is EBADMSG, not a
// fault.
func TestRingCorrupt(t *testing.T) {
	r := newRegion(t, RingHeader+RingMinCapacity)
	if err := r.InitRing(0, RingHeader+RingMinCapacity); err != nil {
		t.Fatal(err)
	}
	r.Uint64(ringOffHead).Store(3*RingMinCapacity - 4)
	r.Uint64(ringOffTail).Store(3*RingMinCapacity - 4)
	g, err := r.Ring(0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Peek(context.Background())
	wantErrno(t, err, syscall.EBADMSG)
	_, err = g.Reserve(context.Background(), 8)
	wantErrno(t, err, syscall.EBADMSG)
}

// Closing or resizing the region closes its rings: their calls then fail
// with ErrClosed.
func TestRingClosedWithRegion(t *testing.T) {
	r := newRegion(t, RingHeader+RingMinCapacity)
	if err := r.InitRing(0, RingHeader+RingMinCapacity); err != nil {
		t.Fatal(err)
	}
	g, err := r.Ring(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Resize(2 * (RingHeader + RingMinCapacity)); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Resize: %v", err)
	}
	g, _ = r.Ring(0)
	r.Close()
	if _, err := g.Peek(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Peek after Close: %v", err)
	}
	if !errors.Is(g.Close(), ErrClosed) {
		t.Fatal("ring Close after region Close")
	}
}

// Close ends a wait of another goroutine within a slice, with ErrClosed.
func TestCloseEndsWait(t *testing.T) {
	r := newRegion(t, 4096)
	seq, _ := r.Event().Seq()
	done := make(chan error)
	go func() {
		_, err := r.Event().Wait(context.Background(), seq)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	r.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("wait ended by Close: %v", err)
		}
	case <-time.After(waitSlice + slack):
		t.Fatal("Close did not end the wait")
	}
}

// A change made under the mutex while a Cond waiter waits to relock it at
// the end of a slice, then signalled, ends the waiter's Wait: the package
// does not start a next slice that sleeps through the signal.
func TestCondSignalBetweenSlices(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	c, err := r.Cond(8)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Init(); err != nil {
		t.Fatal(err)
	}
	flag := r.Uint32(16)
	waiting, done := make(chan struct{}), make(chan error, 1)
	go func() {
		if err := m.Lock(context.Background()); err != nil {
			done <- err
			return
		}
		close(waiting)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		for flag.Load() == 0 && err == nil {
			err = c.Wait(ctx, m)
		}
		m.Unlock()
		done <- err
	}()
	<-waiting
	// Locked once the waiter sleeps; held past the end of its slice.
	if err := inGoroutine(func() error {
		if err := m.Lock(context.Background()); err != nil {
			return err
		}
		time.Sleep(4 * waitSlice)
		flag.Store(1)
		if err := c.Signal(); err != nil {
			return err
		}
		return m.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("waiter signalled between two slices: %v", err)
	}
}

// TryRLock does not wait while another goroutine of the process sleeps
// taking the kernel lock for the local readers.
func TestRWLockTryRLockWhileReaderSleeps(t *testing.T) {
	r := newRegion(t, 4096)
	r2, err := Open(r.Name(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	l, l2 := r.RWLock(1), r2.RWLock(1)
	l2.Lock()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		done <- l.RLockContext(ctx)
	}()
	time.Sleep(4 * waitSlice) // the reader sleeps in the module
	start := time.Now()
	if l.TryRLock() {
		t.Fatal("TryRLock took a lock another handle writes")
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("TryRLock waited %v", el)
	}
	l2.Unlock()
	if err := <-done; err != nil {
		t.Fatalf("reader: %v", err)
	}
	l.RUnlock()
}

// An init error whose errno is 0 modulo 2^32 still fails OpenInit: it is
// not cut to a C int of 0, which would publish the region uninitialised.
func TestOpenInitWideErrno(t *testing.T) {
	name := regionName(t)
	bad := syscall.Errno(1 << 32)
	r, err := OpenInit(name, 4096, Create, 0o600, func(*Region) error { return bad })
	if err == nil {
		r.Close()
	}
	if err != bad {
		t.Fatalf("OpenInit: %v, want the init's error", err)
	}
}

// An init that fails with EINTR fails OpenInit with it; it is not run
// again as if the module's wait had been interrupted.
func TestOpenInitEINTR(t *testing.T) {
	name := regionName(t)
	calls := 0
	r, err := OpenInit(name, 4096, Create, 0o600, func(*Region) error {
		calls++
		if calls == 1 {
			return syscall.EINTR
		}
		return nil
	})
	if err == nil {
		r.Close()
	}
	if err != syscall.EINTR || calls != 1 {
		t.Fatalf("OpenInit: %v after %d init calls, want EINTR after 1", err, calls)
	}
}

// Unlock after Close from a goroutine that never locked the mutex ends no
// wiring: the goroutine's own runtime.LockOSThread stays in force.
func TestUnlockAfterCloseKeepsOwnWiring(t *testing.T) {
	r := newRegion(t, 4096)
	m := newMutex(t, r, 0)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	err := inGoroutine(func() error {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := m.Unlock(); !errors.Is(err, ErrClosed) {
			return fmt.Errorf("Unlock after Close: %v, want ErrClosed", err)
		}
		if reschedule() {
			return errors.New("the goroutine left the thread it wired itself to")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Resize by the goroutine that holds a mutex another goroutine waits for
// in Cond.Wait returns: the waiter relocks without holding the region.
func TestResizeUnderMutexWithCondWaiter(t *testing.T) {
	r, err := Open(regionName(t), 8192, Create|Excl, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	m := newMutex(t, r, 0)
	c, err := r.Cond(8)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Init(); err != nil {
		t.Fatal(err)
	}
	waiting, woken := make(chan struct{}), make(chan error, 1)
	go func() {
		if err := m.Lock(context.Background()); err != nil {
			woken <- err
			return
		}
		close(waiting)
		err := c.Wait(context.Background(), m)
		if uerr := m.Unlock(); err == nil {
			err = uerr
		}
		woken <- err
	}()
	<-waiting
	resized := make(chan error, 1)
	go func() {
		if err := m.Lock(context.Background()); err != nil {
			resized <- err
			return
		}
		time.Sleep(4 * waitSlice) // the waiter's slice ends: it relocks
		err := r.Resize(16384)
		if berr := c.Broadcast(); err == nil {
			err = berr
		}
		if uerr := m.Unlock(); err == nil {
			err = uerr
		}
		resized <- err
	}()
	select {
	case err := <-resized:
		if err != nil {
			t.Fatalf("Resize under the mutex: %v", err)
		}
	case <-time.After(waitSlice + 2*slack):
		t.Fatal("Resize under the mutex never returns: deadlock with the Cond waiter")
	}
	if err := <-woken; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	r.Close()
}
