// SPDX-License-Identifier: MIT

// Command counter is examples/counter.c in Go, on the same region layout,
// so the two take turns on one counter: a number in a named region,
// incremented by many short-lived processes under a robust mutex.
//
//	counter inc NAME     add 1 (creating the region), print the new value
//	counter get NAME     print the value
//	counter hold NAME    take the mutex and keep it until killed
//	counter run N        start N processes of 'counter inc' at once on a
//	                     fresh region; succeed if the counter reads N
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"shmdev.invalid/shmdev"
)

// Layout, as struct counter of counter.c: the mutex, then the value.
const (
	offLock  = 0
	offValue = 8
	size     = 16
)

func fail(what, name string, err error) int {
	fmt.Fprintf(os.Stderr, "counter: %s '%s': %v\n", what, name, err)
	return 1
}

// open attaches NAME, creating and initialising it if nobody has.
func open(name string, flags shmdev.Flag) (*shmdev.Region, *shmdev.Mutex, error) {
	r, err := shmdev.OpenInit(name, size, flags|shmdev.Create, 0o666, func(r *shmdev.Region) error {
		m, err := r.Mutex(offLock)
		if err != nil {
			return err
		}
		return m.Init()
	})
	if err != nil {
		return nil, nil, err
	}
	m, err := r.Mutex(offLock)
	if err != nil {
		r.Close()
		return nil, nil, err
	}
	return r, m, nil
}

// lock locks, repairing the mutex if its last holder died with it.
func lock(m *shmdev.Mutex) error {
	err := m.Lock(context.Background())
	if errors.Is(err, shmdev.ErrOwnerDead) {
		// value is a single aligned store: nothing was half done.
		fmt.Fprintln(os.Stderr, "counter: the last holder died holding the lock; "+
			"the counter is consistent, carrying on")
		err = m.Consistent()
	}
	return err
}

func inc(name string, quiet bool) int {
	r, m, err := open(name, 0)
	if err != nil {
		return fail("cannot open", name, err)
	}
	defer r.Close()
	if err := lock(m); err != nil {
		return fail("cannot lock", name, err)
	}
	v := r.Uint64(offValue).Add(1)
	if err := m.Unlock(); err != nil {
		return fail("cannot unlock", name, err)
	}
	if !quiet {
		fmt.Println(v)
	}
	return 0
}

func get(name string) int {
	r, err := shmdev.Open(name, size, shmdev.ReadOnly, 0)
	if err != nil {
		return fail("cannot open", name, err)
	}
	defer r.Close()
	// One aligned 64-bit load: no lock needed to read it whole.
	fmt.Println(r.Uint64(offValue).Load())
	return 0
}

func hold(name string) int {
	_, m, err := open(name, 0)
	if err != nil {
		return fail("cannot open", name, err)
	}
	if err := lock(m); err != nil {
		return fail("cannot lock", name, err)
	}
	fmt.Printf("holding the lock of '%s' as pid %d\n", name, os.Getpid())
	select {}
}

func run(n int) int {
	name := "counter-go." + strconv.Itoa(os.Getpid())
	// AutoDestroy: gone once we and every child have let go of it.
	r, _, err := open(name, shmdev.AutoDestroy)
	if err != nil {
		return fail("cannot create", name, err)
	}
	defer r.Close()
	cmds := make([]*exec.Cmd, n)
	for i := range cmds {
		cmds[i] = exec.Command("/proc/self/exe", "inc", "-q", name)
		cmds[i].Stderr = os.Stderr
		if err := cmds[i].Start(); err != nil {
			return fail("cannot start a child for", name, err)
		}
	}
	failed := 0
	for _, c := range cmds {
		if c.Wait() != nil {
			failed++
		}
	}
	v := r.Uint64(offValue).Load()
	fmt.Printf("%d processes incremented '%s': it reads %d\n", n, name, v)
	if failed > 0 || v != uint64(n) {
		return 1
	}
	return 0
}

func main() {
	a := os.Args[1:]
	switch {
	case len(a) == 2 && a[0] == "inc":
		os.Exit(inc(a[1], false))
	case len(a) == 3 && a[0] == "inc" && a[1] == "-q":
		os.Exit(inc(a[2], true))
	case len(a) == 2 && a[0] == "get":
		os.Exit(get(a[1]))
	case len(a) == 2 && a[0] == "hold":
		os.Exit(hold(a[1]))
	case len(a) == 2 && a[0] == "run":
		if n, err := strconv.Atoi(a[1]); err == nil && n > 0 {
			os.Exit(run(n))
		}
	}
	fmt.Fprintln(os.Stderr, "usage: counter inc [-q] NAME | get NAME | hold NAME | run N")
	os.Exit(2)
}
