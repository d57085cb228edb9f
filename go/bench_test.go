// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package shmdev

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Ping-pong: 1 MiB messages, echoed by a child process, through two rings
// and through a unix stream socket, in the same run. Not in the short
// suite: SHMDEV_GO_BENCH=1 (make bench-go) runs it.
const (
	ppMsg    = 1 << 20
	ppRingSz = RingHeader + 4*ppMsg // max message: capacity/2 - 8
)

func childEcho(name string) error {
	r, err := Open(name, 0, 0, 0)
	if err != nil {
		return err
	}
	in, err := r.Ring(0)
	if err != nil {
		return err
	}
	out, err := r.Ring(ppRingSz)
	if err != nil {
		return err
	}
	buf := make([]byte, ppMsg)
	for {
		n, err := in.Read(buf)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		if _, err := out.Write(buf[:n]); err != nil {
			return err
		}
	}
	c, err := net.FileConn(os.NewFile(3, "sock"))
	if err != nil {
		return err
	}
	for {
		if _, err := io.ReadFull(c, buf); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if _, err := c.Write(buf); err != nil {
			return err
		}
	}
}

// The ring ping-pong against a unix socket's: prints both round-trip
// times and their ratio, from one run.
func TestPingPongBench(t *testing.T) {
	if os.Getenv("SHMDEV_GO_BENCH") != "1" {
		t.Skip("SHMDEV_GO_BENCH=1 runs it (make bench-go)")
	}
	rounds := 50
	if s := os.Getenv("SHMDEV_GO_BENCH_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	r := newRegion(t, 2*ppRingSz)
	for _, off := range []uint64{0, ppRingSz} {
		if err := r.InitRing(off, ppRingSz); err != nil {
			t.Fatal(err)
		}
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "mine"), os.NewFile(uintptr(fds[1]), "theirs")
	startChild(t, "echo", r.Name(), theirs)
	theirs.Close()
	out, err := r.Ring(0)
	if err != nil {
		t.Fatal(err)
	}
	in, err := r.Ring(ppRingSz)
	if err != nil {
		t.Fatal(err)
	}
	msg, buf := make([]byte, ppMsg), make([]byte, ppMsg)
	fill(msg, 1)
	roundTrip := func(w io.Writer, read func([]byte) error) (time.Duration, error) {
		var start time.Time
		for i := 0; i < rounds+1; i++ {
			if i == 1 { // the first round warms up
				start = time.Now()
			}
			if _, err := w.Write(msg); err != nil {
				return 0, err
			}
			if err := read(buf); err != nil {
				return 0, err
			}
		}
		el := time.Since(start)
		return el / time.Duration(rounds), check(buf, 1)
	}
	ring, err := roundTrip(out, func(b []byte) error {
		n, err := in.Read(b)
		if err == nil && n != ppMsg {
			err = fmt.Errorf("echo of %d bytes", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.Write(nil); err != nil { // the end of the ring rounds
		t.Fatal(err)
	}
	c, err := net.FileConn(mine)
	if err != nil {
		t.Fatal(err)
	}
	mine.Close()
	sock, err := roundTrip(c, func(b []byte) error { _, err := io.ReadFull(c, b); return err })
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	t.Logf("ping-pong of 1 MiB, %d rounds: ring %v, unix socket %v per round trip: ring %.2fx the socket",
		rounds, ring, sock, float64(sock)/float64(ring))
	fmt.Printf("# go ping-pong 1 MiB: ring %v unix socket %v ratio %.2f\n", ring, sock, float64(sock)/float64(ring))
}
