// SPDX-License-Identifier: MIT

// Command turns takes turns with another process, of any language, under
// one robust mutex and condition variable in the region "demo.turns"
// (examples/python/turns.py is the other side in make demo):
//
//	turns --side even|odd --rounds N
//
// Each of its N turns: lock; wait on the condition while turn % 2 is not
// its side (10 s at most); print "go PID: turn T after LAST"; write its
// name into last; turn += 1; broadcast; unlock. Whoever takes the last
// turn (2N) unlinks the region. Exit status 0 only if every turn was the
// one expected.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"shmdev.invalid/shmdev"
)

// The shared layout of demo.turns.
const (
	name      = "demo.turns"
	size      = 4096
	offMutex  = 0  // shmdev_mutex_t
	offCond   = 8  // shmdev_cond_t
	offTurn   = 16 // uint32: turns taken so far
	offMask   = 20 // uint32 rounds_done_mask: unused, 0
	offLast   = 24 // char[40]: the last process's name, NUL-terminated
	lastBytes = 40
)

func fatal(what string, err error) {
	fmt.Fprintf(os.Stderr, "turns: %s: %v\n", what, err)
	os.Exit(1)
}

func main() {
	side := flag.String("side", "", "even or odd")
	rounds := flag.Int("rounds", 0, "turns to take")
	flag.Parse()
	var parity uint32
	switch *side {
	case "even":
	case "odd":
		parity = 1
	default:
		fmt.Fprintln(os.Stderr, "usage: turns --side even|odd --rounds N")
		os.Exit(2)
	}
	if *rounds <= 0 {
		fmt.Fprintln(os.Stderr, "turns: --rounds must be positive")
		os.Exit(2)
	}
	r, err := shmdev.OpenInit(name, size, shmdev.Create, 0o600, func(r *shmdev.Region) error {
		m, err := r.Mutex(offMutex)
		if err != nil {
			return err
		}
		c, err := r.Cond(offCond)
		if err != nil {
			return err
		}
		if err := m.Init(); err != nil {
			return err
		}
		return c.Init()
	})
	if err != nil {
		fatal("open "+name, err)
	}
	defer r.Close()
	m, err := r.Mutex(offMutex)
	if err != nil {
		fatal("mutex", err)
	}
	c, err := r.Cond(offCond)
	if err != nil {
		fatal("cond", err)
	}
	me := "go " + strconv.Itoa(os.Getpid())
	b := r.Bytes()
	turn := r.Uint32(offTurn)
	total := uint32(2 * *rounds)
	good := true
	for i := 0; i < *rounds; i++ {
		expect := uint32(2*i) + parity
		if err := m.LockTimeout(10 * time.Second); err != nil {
			fatal("lock", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for turn.Load()%2 != parity {
			err := c.WaitTimeout(m, time.Until(deadline))
			if err != nil {
				m.Unlock()
				fatal("waiting for my turn", err)
			}
		}
		t := turn.Load()
		if t != expect {
			good = false
		}
		last := b[offLast : offLast+lastBytes]
		if i := bytes.IndexByte(last, 0); i >= 0 {
			last = last[:i]
		}
		fmt.Printf("go %d: turn %d after %s\n", os.Getpid(), t, orNobody(string(last)))
		n := copy(b[offLast:offLast+lastBytes-1], me)
		b[offLast+n] = 0
		turn.Store(t + 1)
		if err := c.Broadcast(); err != nil {
			m.Unlock()
			fatal("broadcast", err)
		}
		if err := m.Unlock(); err != nil {
			fatal("unlock", err)
		}
		if t+1 == total {
			if err := r.Unlink(); err != nil && !errors.Is(err, os.ErrNotExist) {
				fatal("unlink", err)
			}
		}
	}
	if !good {
		os.Exit(1)
	}
}

func orNobody(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}
