// SPDX-License-Identifier: GPL-2.0
//
// shmxchg: two processes exchange data through a file of the filesystem
// mounted on /dev/shm, as a Go program does with nothing but the standard
// library: open(O_CREAT), ftruncate, syscall.Mmap(MAP_SHARED).
//
//	shmxchg parent DIR ROUNDS
//	shmxchg child FILE        (started by the parent)
//
// The parent creates DIR/go-xchg.<pid>, truncates it to fileSize, maps it
// and fills the data area with a pattern before it starts the child (the
// same binary). The child maps the file, checks the size it sees and the
// pattern, then the two take ROUNDS turns each: on its turn a side checks
// the block the other wrote last (each a different pseudo-random block),
// writes its own and hands the turn over through a word of the mapping.
// The parent unlinks the file at the end. Both print what they saw:
//
//	child size S pattern ok|bad
//	parent rounds N mismatches M
//	child rounds N mismatches M
//
// and exit 0 only when everything matched.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const (
	pageSize = 4096
	dataSize = 64 * 1024
	// Header page: the turn word at 0 (0: the parent's, 1: the child's,
	// 2: the child has finished), then the data area.
	fileSize = pageSize + dataSize
	timeout  = 120 * time.Second
)

// fill writes the block of round r by side s (xorshift, seeded by both:
// an odd seed, a different one for each side and round).
func fill(b []byte, s, r uint32) {
	x := (uint64(s)<<32|uint64(r))<<1 | 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
}

// same tells whether b is the block of round r by side s.
func same(b, want []byte, s, r uint32) bool {
	fill(want, s, r)
	for i := range b {
		if b[i] != want[i] {
			return false
		}
	}
	return true
}

func mapFile(f *os.File) []byte {
	m, err := syscall.Mmap(int(f.Fd()), 0, fileSize,
		syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		fail("mmap %s: %v", f.Name(), err)
	}
	return m
}

// The parent's file and child: removed and killed however the parent ends.
var (
	created string
	child   *exec.Cmd
)

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "shmxchg: "+format+"\n", a...)
	if child != nil && child.Process != nil {
		child.Process.Kill()
		child.Wait()
	}
	if created != "" {
		os.Remove(created)
	}
	os.Exit(1)
}

// wait spins (politely) until the turn word is want.
func wait(turn *uint32, want uint32) {
	deadline := time.Now().Add(timeout)
	for i := 0; atomic.LoadUint32(turn) != want; i++ {
		if i%64 == 63 {
			if time.Now().After(deadline) {
				fail("no turn %d within %v", want, timeout)
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
}

// The turn word: whose turn it is.
const (
	turnParent = 0
	turnChild  = 1
	turnDone   = 2
)

func parent(dir string, rounds int) {
	path := dir + "/go-xchg." + strconv.Itoa(os.Getpid())
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0600)
	if err != nil {
		fail("create: %v", err)
	}
	created = path
	if err := f.Truncate(fileSize); err != nil {
		fail("ftruncate %s: %v", path, err)
	}
	m := mapFile(f)
	turn := (*uint32)(unsafe.Pointer(&m[0]))
	data := m[pageSize:]
	want := make([]byte, dataSize)
	// The pattern the child checks first, written before it exists.
	fill(data, 2, 0)
	atomic.StoreUint32(turn, turnChild)

	child = exec.Command(os.Args[0], "child", path, strconv.Itoa(rounds))
	child.Stdout = os.Stdout
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		fail("start the child: %v", err)
	}
	bad := 0
	for r := 0; r < rounds; r++ {
		wait(turn, turnParent)
		if !same(data, want, 1, uint32(r)) {
			bad++
		}
		fill(data, 0, uint32(r))
		atomic.StoreUint32(turn, turnChild)
	}
	wait(turn, turnDone)
	err = child.Wait()
	child = nil
	if err != nil {
		fail("the child: %v", err)
	}
	if err := syscall.Munmap(m); err != nil {
		fail("munmap: %v", err)
	}
	f.Close()
	if err := os.Remove(path); err != nil {
		fail("unlink: %v", err)
	}
	created = ""
	fmt.Printf("parent rounds %d mismatches %d\n", rounds, bad)
	if bad != 0 {
		os.Exit(1)
	}
}

func runChild(path string, rounds int) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		fail("open: %v", err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		fail("fstat: %v", err)
	}
	m := mapFile(f)
	turn := (*uint32)(unsafe.Pointer(&m[0]))
	data := m[pageSize:]
	want := make([]byte, dataSize)
	wait(turn, turnChild)
	pattern := "ok"
	if !same(data, want, 2, 0) {
		pattern = "bad"
	}
	fmt.Printf("child size %d pattern %s\n", st.Size, pattern)
	bad := 0
	for r := 0; r < rounds; r++ {
		wait(turn, turnChild)
		if r > 0 && !same(data, want, 0, uint32(r-1)) {
			bad++
		}
		fill(data, 1, uint32(r))
		atomic.StoreUint32(turn, turnParent)
	}
	wait(turn, turnChild)
	if !same(data, want, 0, uint32(rounds-1)) {
		bad++
	}
	atomic.StoreUint32(turn, turnDone)
	if err := syscall.Munmap(m); err != nil {
		fail("munmap: %v", err)
	}
	f.Close()
	fmt.Printf("child rounds %d mismatches %d\n", rounds, bad)
	if bad != 0 || pattern != "ok" {
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: shmxchg parent DIR ROUNDS | child FILE ROUNDS")
		os.Exit(2)
	}
	rounds, err := strconv.Atoi(os.Args[3])
	if err != nil || rounds < 1 {
		fail("ROUNDS: a number above 0, not %q", os.Args[3])
	}
	switch os.Args[1] {
	case "parent":
		parent(os.Args[2], rounds)
	case "child":
		runChild(os.Args[2], rounds)
	default:
		fail("unknown mode %q", os.Args[1])
	}
}
