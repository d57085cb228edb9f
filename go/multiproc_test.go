// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package shmdev

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// The tests that need a second process run this test binary again with
// SHMDEV_GO_CHILD naming the child's role and SHMDEV_GO_REGION the region.
const (
	envChild  = "SHMDEV_GO_CHILD"
	envRegion = "SHMDEV_GO_REGION"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(envChild); role != "" {
		err := runChild(role, os.Getenv(envRegion))
		if err != nil {
			fmt.Fprintf(os.Stderr, "child %s: %v\n", role, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runChild(role, name string) error {
	switch role {
	case "peer":
		return childPeer(name)
	case "echo":
		return childEcho(name) // bench_test.go
	}
	return fmt.Errorf("unknown role %q", role)
}

// startChild runs this binary in role on region name, with stdin and
// stdout as pipes, and extra files as fds 3 and on.
func startChild(t *testing.T, role, name string, extra ...*os.File) (*exec.Cmd, io.WriteCloser, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envChild+"="+role, envRegion+"="+name)
	cmd.Stderr = os.Stderr
	cmd.ExtraFiles = extra
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, in, bufio.NewReader(out)
}

// Layout of the region the peer and the parent share.
const (
	mpFlag    = 0    // uint32: round the producer published (atomic)
	mpAck     = 4    // uint32: round the consumer checked (atomic)
	mpMutex   = 64   // the mutex of the mutex rounds
	mpSeq     = 72   // uint32 under mpMutex: 2i-1 published, 2i consumed
	mpDead    = 128  // the mutex the peer holds when it is killed
	mpData    = 1024 // 3 KiB of plain data
	mpDataEnd = 4096
	mpRounds  = 200
)

func fill(b []byte, round int) {
	for i := range b {
		b[i] = byte(round*7 + i)
	}
}

func check(b []byte, round int) error {
	for i := range b {
		if b[i] != byte(round*7+i) {
			return fmt.Errorf("round %d: byte %d is %d, want %d", round, i, b[i], byte(round*7+i))
		}
	}
	return nil
}

// spin waits, yielding, until cond holds or 20 s pass.
func spin(cond func() bool) error {
	limit := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(limit) {
			return errors.New("timed out")
		}
		time.Sleep(10 * time.Microsecond)
	}
	return nil
}

// childPeer is the producer of both message-passing tests, then holds
// mpDead until it is killed.
func childPeer(name string) error {
	r, err := Open(name, 0, 0, 0)
	if err != nil {
		return err
	}
	b := r.Bytes()
	flag, ack := r.Uint32(mpFlag), r.Uint32(mpAck)
	for i := 1; i <= mpRounds; i++ {
		fill(b[mpData:mpDataEnd], i)
		flag.Store(uint32(i))
		if err := spin(func() bool { return ack.Load() == uint32(i) }); err != nil {
			return err
		}
	}
	m, err := r.Mutex(mpMutex)
	if err != nil {
		return err
	}
	for i := 1; i <= mpRounds; {
		if err := m.Lock(context.Background()); err != nil {
			return err
		}
		seq := uint32(b[mpSeq]) | uint32(b[mpSeq+1])<<8
		if seq == uint32(2*i-2) {
			fill(b[mpData:mpDataEnd], i)
			seq = uint32(2*i - 1)
			b[mpSeq], b[mpSeq+1] = byte(seq), byte(seq>>8)
			i++
		}
		if err := m.Unlock(); err != nil {
			return err
		}
	}
	dead, err := r.Mutex(mpDead)
	if err != nil {
		return err
	}
	if err := dead.Lock(context.Background()); err != nil {
		return err
	}
	r.Uint32(mpDead + 8).Store(1) // the "data" dead protects, half-updated
	fmt.Println("held")
	io.Copy(io.Discard, os.Stdin) // until killed
	return nil
}

// Cross-process versions of the Go memory model's message passing: what a
// process wrote before an atomic store (or before unlocking the mutex) is
// seen by the process whose atomic load saw the store (or that locked the
// mutex after). Then kill -9 of a lock owner: the next Lock is
// ErrOwnerDead with the lock held, Consistent repairs it.
func TestCrossProcess(t *testing.T) {
	r := newRegion(t, 4096)
	for _, off := range []uint64{mpMutex, mpDead} {
		newMutex(t, r, off)
	}
	cmd, _, out := startChild(t, "peer", r.Name())
	b := r.Bytes()

	// The producer fills the data, then stores the round in flag; seeing
	// the round, this process must see that data.
	t.Run("atomic message passing", func(t *testing.T) {
		flag, ack := r.Uint32(mpFlag), r.Uint32(mpAck)
		for i := 1; i <= mpRounds; i++ {
			if err := spin(func() bool { return flag.Load() == uint32(i) }); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
			if err := check(b[mpData:mpDataEnd], i); err != nil {
				t.Fatal(err)
			}
			ack.Store(uint32(i))
		}
	})

	// The producer fills the data and bumps seq under the mutex; whoever
	// locks it next and sees the bump sees the data.
	t.Run("mutex message passing", func(t *testing.T) {
		m, _ := r.Mutex(mpMutex)
		for i := 1; i <= mpRounds; {
			if err := m.Lock(context.Background()); err != nil {
				t.Fatal(err)
			}
			seq := uint32(b[mpSeq]) | uint32(b[mpSeq+1])<<8
			if seq == uint32(2*i-1) {
				if err := check(b[mpData:mpDataEnd], i); err != nil {
					m.Unlock()
					t.Fatal(err)
				}
				seq = uint32(2 * i)
				b[mpSeq], b[mpSeq+1] = byte(seq), byte(seq>>8)
				i++
			}
			if err := m.Unlock(); err != nil {
				t.Fatal(err)
			}
		}
	})

	// A process killed with SIGKILL holding the mutex: the next Lock gets
	// ErrOwnerDead and holds the mutex; after Consistent and Unlock it is
	// an ordinary mutex again.
	t.Run("kill -9 owner", func(t *testing.T) {
		line, err := out.ReadString('\n')
		if line != "held\n" {
			t.Fatalf("peer said %q, %v", line, err)
		}
		m, _ := r.Mutex(mpDead)
		wantErrno(t, m.TryLock(), syscall.EBUSY)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = m.Lock(ctx)
		if !errors.Is(err, ErrOwnerDead) {
			t.Fatalf("Lock after the owner's kill: %v, want ErrOwnerDead", err)
		}
		if r.Uint32(mpDead+8).Load() != 1 {
			t.Fatal("the dead owner's store is not visible")
		}
		r.Uint32(mpDead + 8).Store(0) // repaired
		if err := m.Consistent(); err != nil {
			t.Fatal(err)
		}
		if err := m.Unlock(); err != nil {
			t.Fatal(err)
		}
		if err := m.Lock(ctx); err != nil {
			t.Fatalf("Lock after Consistent: %v", err)
		}
		if err := m.Unlock(); err != nil {
			t.Fatal(err)
		}
	})
}
