// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

// Package shmdev gives Go programs the named shared-memory regions of the
// shmdev kernel module, through libshmdev: the region's memory as a byte
// slice and as atomic words, robust mutexes and condition variables that
// live in the region, the module's reader-writer locks, the region's event
// counter, and message rings.
//
// Every error the package returns for a failed call of the library is an
// *os.PathError whose Err is the syscall.Errno, so errors.Is(err,
// os.ErrNotExist), errors.Is(err, syscall.ENOENT) and Timeout() work.
// Waits take a context.Context or a time.Duration; see docs/go.md for how
// cancellation is bounded.
package shmdev

/*
#cgo CFLAGS: -I${SRCDIR}/../include -I${SRCDIR}/../include/uapi -D_GNU_SOURCE
#cgo LDFLAGS: -L${SRCDIR}/../build/lib -l:libshmdev.a -lpthread
#include <stdlib.h>
#include <errno.h>
#include <shmdev.h>

int shmdevgo_init(struct shmdev_region *r, void *arg);

static int shmdevgo_open_init(const char *name, uint64_t size, unsigned int flags,
			      unsigned int mode, uintptr_t h, struct shmdev_region **out)
{
	return shmdev_open_init(name, size, flags, mode, shmdevgo_init, (void *)h, out);
}
*/
import "C"

import (
	"context"
	"errors"
	"os"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Flag selects how Open attaches a region.
type Flag uint32

const (
	Create      Flag = C.SHMDEV_CREAT       // create the region if it is missing
	Excl        Flag = C.SHMDEV_EXCL        // with Create: fail with EEXIST if it exists
	ReadOnly    Flag = C.SHMDEV_RDONLY      // attach for reading only
	AutoDestroy Flag = C.SHMDEV_AUTODESTROY // at create: free it with its last user
	Populate    Flag = C.SHMDEV_POPULATE    // at create: allocate all memory now
)

// Errors the package returns itself, or whose errno has a meaning of its own.
var (
	// ErrClosed: the Region (or Ring) was closed; wrapped in an *os.PathError.
	ErrClosed = os.ErrClosed
	// ErrOwnerDead: the mutex was acquired, its previous owner died holding it.
	ErrOwnerDead error = syscall.EOWNERDEAD
	// ErrNotRecoverable: the mutex was unlocked in the owner-died state
	// without Consistent and can only be initialised again.
	ErrNotRecoverable error = syscall.ENOTRECOVERABLE
	// ErrBusy: TryLock found the mutex or lock held.
	ErrBusy error = syscall.EBUSY
)

// waitSlice bounds every sleep in the library, so that a cancelled context
// or a Close ends a wait within about this long.
const waitSlice = 50 * time.Millisecond

// Region is one attach of a named region, with the library's mapping of it.
// Its methods may be called from several goroutines at once; Close, Resize
// and Remap wait for the calls in progress (a sleeping call notices within
// waitSlice) and make every later call fail with ErrClosed or see the new
// mapping.
type Region struct {
	name string
	mu   sync.RWMutex // read: a library call on p; write: close, resize, remap
	p    *C.struct_shmdev_region
	lent bool // OpenInit's: the library closes p, not Close

	rings map[*Ring]struct{} // attached rings, closed before an unmap

	rwMu sync.Mutex
	rw   map[int]*RWLock

	heldMu sync.Mutex
	held   map[uint64]int // offset of a mutex held by this process: the thread
}

// Open attaches the region name, creating it of size bytes with permission
// bits perm when flags has Create and it is missing. size 0 attaches an
// existing region at its current size.
func Open(name string, size uint64, flags Flag, perm os.FileMode) (*Region, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var p *C.struct_shmdev_region
	rc := C.shmdev_open(cname, C.uint64_t(size), C.uint(flags), C.uint(perm.Perm()), &p)
	if rc < 0 {
		return nil, errnoErr("open", name, rc)
	}
	return &Region{name: name, p: p}, nil
}

type initCall struct {
	name string
	fn   func(*Region) error
	err  error
}

// OpenInit is Open for a region that must be initialised once: the process
// that creates it runs init with the new region before any other caller of
// OpenInit sees it (they wait in the module); if init fails or its process
// dies, the next caller initialises instead. The *Region given to init is
// valid only during the call. An error init returns is OpenInit's error.
func OpenInit(name string, size uint64, flags Flag, perm os.FileMode, init func(*Region) error) (*Region, error) {
	if init == nil {
		return nil, &os.PathError{Op: "open init", Path: name, Err: syscall.EINVAL}
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	call := &initCall{name: name, fn: init}
	h := cgo.NewHandle(call)
	defer h.Delete()
	var p *C.struct_shmdev_region
	for {
		rc := C.shmdevgo_open_init(cname, C.uint64_t(size), C.uint(flags), C.uint(perm.Perm()),
			C.uintptr_t(h), &p)
		if rc == -C.EINTR && call.err == nil {
			continue // the module's wait, not init, was interrupted
		}
		if rc < 0 {
			if call.err != nil {
				return nil, call.err
			}
			return nil, errnoErr("open init", name, rc)
		}
		return &Region{name: name, p: p}, nil
	}
}

// detach forgets p without closing it, closing r's rings.
func (r *Region) detach() {
	r.mu.Lock()
	r.closeRings()
	r.p = nil
	r.mu.Unlock()
}

func errnoErr(op, name string, rc C.int) error {
	return &os.PathError{Op: op, Path: name, Err: syscall.Errno(-rc)}
}

func (r *Region) err(op string, rc C.int) error {
	if rc >= 0 {
		return nil
	}
	return errnoErr(op, r.name, rc)
}

func (r *Region) closedErr(op string) error {
	return &os.PathError{Op: op, Path: r.name, Err: ErrClosed}
}

// enter returns the library handle, read-locked, or ErrClosed.
func (r *Region) enter(op string) (*C.struct_shmdev_region, error) {
	r.mu.RLock()
	if r.p == nil {
		r.mu.RUnlock()
		return nil, r.closedErr(op)
	}
	return r.p, nil
}

func (r *Region) exit() { r.mu.RUnlock() }

// call runs one non-sleeping library call.
func (r *Region) call(op string, fn func(p *C.struct_shmdev_region) C.int) error {
	p, err := r.enter(op)
	if err != nil {
		return err
	}
	rc := fn(p)
	r.exit()
	return r.err(op, rc)
}

// Name is the name the region was opened by.
func (r *Region) Name() string { return r.name }

// Size is the size of this handle's mapping (0 once closed).
func (r *Region) Size() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return 0
	}
	return uint64(C.shmdev_size(r.p))
}

// Fd is the region's open file (fstat, read, flock work on it), owned by
// the region: valid until Close. -1 once closed.
func (r *Region) Fd() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return -1
	}
	return int(C.shmdev_fd(r.p))
}

// Bytes is the region's memory. It aliases the mapping: it is valid until
// Close, Resize or Remap, after which touching it faults the process, as a
// slice from syscall.Mmap does after syscall.Munmap, or corrupts whatever
// is mapped at that address later (the Go heap). Take it again after
// each of them. nil once closed.
func (r *Region) Bytes() []byte {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return nil
	}
	n := uint64(C.shmdev_size(r.p))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(C.shmdev_addr(r.p)), n)
}

// ptrLocked is the address of n bytes at off, aligned to align, or an
// error. Under r.mu, read.
func (r *Region) ptrLocked(op string, off, n, align uint64) (unsafe.Pointer, error) {
	size := uint64(C.shmdev_size(r.p))
	if off%align != 0 {
		return nil, &os.PathError{Op: op, Path: r.name,
			Err: errors.New("offset " + utoa(off) + " is not aligned to " + utoa(align) + " bytes")}
	}
	if off > size || n > size-off {
		return nil, &os.PathError{Op: op, Path: r.name,
			Err: errors.New("offset " + utoa(off) + " + " + utoa(n) + " bytes is outside the mapping of " + utoa(size) + " bytes")}
	}
	return unsafe.Add(C.shmdev_addr(r.p), off), nil
}

func utoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}

func (r *Region) word(op string, off, n uint64) unsafe.Pointer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		panic("shmdev: " + op + " " + r.name + ": region closed")
	}
	p, err := r.ptrLocked(op, off, n, n)
	if err != nil {
		panic("shmdev: " + err.Error())
	}
	return p
}

// Uint32 is the 32-bit word at off, for atomic access by every process that
// maps the region. It panics with a clear message when off is not a multiple
// of 4, lies outside the mapping, or the region is closed. The pointer is
// valid as long as Bytes.
func (r *Region) Uint32(off uint64) *atomic.Uint32 {
	return (*atomic.Uint32)(r.word("Uint32", off, 4))
}

// Uint64 is the 64-bit word at off (a multiple of 8), as Uint32.
func (r *Region) Uint64(off uint64) *atomic.Uint64 {
	return (*atomic.Uint64)(r.word("Uint64", off, 8))
}

// Close detaches the region: its rings are closed, its mapping goes, and
// every mutex this handle's threads hold becomes owner-died for the others.
// Closing twice returns ErrClosed; closing the region an OpenInit init
// function is given is EBUSY (OpenInit owns it).
func (r *Region) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p == nil {
		return r.closedErr("close")
	}
	if r.lent {
		return &os.PathError{Op: "close", Path: r.name, Err: syscall.EBUSY}
	}
	r.closeRings()
	rc := C.shmdev_close(r.p)
	r.p = nil
	return r.err("close", rc)
}

// Resize changes the region's size and maps it again: slices from Bytes,
// words from Uint32/Uint64, and rings' Peek/Reserve buffers are dead after
// it, and the region's rings are closed (attach them again). Shrinking while
// other handles map it fails with EBUSY.
func (r *Region) Resize(size uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p == nil {
		return r.closedErr("resize")
	}
	r.closeRings()
	return r.err("resize", C.shmdev_resize(r.p, C.uint64_t(size)))
}

// Remap maps the region again at its current size (after another handle
// resized it), with the same consequences as Resize.
func (r *Region) Remap() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p == nil {
		return r.closedErr("remap")
	}
	r.closeRings()
	return r.err("remap", C.shmdev_remap(r.p))
}

// Unlink removes the region's name; users keep it until they close it.
func (r *Region) Unlink() error { return Unlink(r.name) }

// Unlink removes the name of a region.
func Unlink(name string) error {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	if rc := C.shmdev_unlink(cname); rc < 0 {
		return errnoErr("unlink", name, rc)
	}
	return nil
}

// Stat is what the module reports about a region.
type Stat struct {
	Size          uint64
	UID, GID      uint32
	Mode          os.FileMode
	RegionFlags   uint32 // AutoDestroy, Populate and SHMDEV_REGION_* bits
	Handles       uint32 // attaches
	Mappings      uint32
	Resident      uint64 // pages allocated
	NsInum        uint64 // IPC namespace
	Waits, Wakes  uint64
	LockAcquired  uint64
	LockContended uint64
	OwnerDeaths   uint64
	Events        uint64 // the event counter
	CreatorPID    uint32 // 0 when the module does not say
	LastPID       uint32
	Ctime         time.Time // creation or last size change
	Atime, Dtime  time.Time // last attach, detach
}

func statFrom(st *C.struct_shmdev_stat) Stat {
	t := func(ns C.uint64_t) time.Time {
		if ns == 0 {
			return time.Time{}
		}
		return time.Unix(0, int64(ns))
	}
	return Stat{
		Size: uint64(st.size), UID: uint32(st.uid), GID: uint32(st.gid),
		Mode:        os.FileMode(st.mode & 0o777),
		RegionFlags: uint32(*(*C.uint32_t)(unsafe.Pointer(&st.anon0))),
		Handles:     uint32(st.handles), Mappings: uint32(st.mappings),
		Resident: uint64(st.resident), NsInum: uint64(st.ns_inum),
		Waits: uint64(st.waits), Wakes: uint64(st.wakes),
		LockAcquired: uint64(st.lock_acquired), LockContended: uint64(st.lock_contended),
		OwnerDeaths: uint64(st.owner_deaths), Events: uint64(st.events),
		CreatorPID: uint32(st.creator_pid), LastPID: uint32(st.last_pid),
		Ctime: t(st.ctime), Atime: t(st.atime), Dtime: t(st.dtime),
	}
}

// Stat reports the region's attributes through this handle.
func (r *Region) Stat() (Stat, error) {
	var st C.struct_shmdev_stat
	err := r.call("stat", func(p *C.struct_shmdev_region) C.int {
		return C.shmdev_fstat_sized(p, &st, C.sizeof_struct_shmdev_stat)
	})
	if err != nil {
		return Stat{}, err
	}
	return statFrom(&st), nil
}

// StatName reports the attributes of the region name without attaching it.
func StatName(name string) (Stat, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var st C.struct_shmdev_stat
	if rc := C.shmdev_stat_ns(cname, 0, &st, C.sizeof_struct_shmdev_stat); rc < 0 {
		return Stat{}, errnoErr("stat", name, rc)
	}
	return statFrom(&st), nil
}

// sleeper is one sleeping library call, given a relative timeout in ns.
type sleeper func(p *C.struct_shmdev_region, ns C.int64_t) C.int

// wait runs fn until it returns something else than EINTR or the ETIMEDOUT
// of one of its slices. The deadline is absolute: the earlier of now+d
// (when hasD) and ctx's; every call sleeps at most waitSlice, so that a
// cancelled ctx or a Close ends the wait within a slice. It returns fn's
// last result, or an error of its own (ctx.Err(), ErrClosed).
func (r *Region) wait(ctx context.Context, op string, d time.Duration, hasD bool, fn sleeper) (C.int, error) {
	var deadline time.Time
	has, fromCtx := false, false
	if hasD {
		if d < 0 {
			d = 0
		}
		deadline, has = time.Now().Add(d), true
	}
	if ctx != nil {
		if dl, ok := ctx.Deadline(); ok && (!has || dl.Before(deadline)) {
			deadline, has, fromCtx = dl, true, true
		}
	}
	for {
		if ctx != nil {
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			default:
			}
		}
		ns, sliced := int64(waitSlice), true
		if has {
			rem := int64(time.Until(deadline))
			if rem < 0 {
				rem = 0
			}
			if rem <= ns {
				ns, sliced = rem, false
			}
		}
		p, err := r.enter(op)
		if err != nil {
			return 0, err
		}
		rc := fn(p, C.int64_t(ns))
		r.exit()
		switch {
		case rc == -C.EINTR:
			eintrRetries.Add(1)
			continue
		case rc == -C.ETIMEDOUT && sliced:
			continue
		case rc == -C.ETIMEDOUT && fromCtx:
			return rc, context.DeadlineExceeded
		}
		return rc, nil
	}
}
