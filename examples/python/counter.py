#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""counter: a number in a named region, incremented by many processes
under a robust shmdev mutex (examples/counter.c in Python).

    counter.py inc NAME     add 1 (creating the region), print the new value
    counter.py get NAME     print the value
    counter.py hold NAME    take the mutex and keep it until killed
    counter.py run N        fork N processes that each add 1 to a fresh
                            region; succeed if the counter reads N

What it shows: a region created and initialised once however many
processes race for it (Region(..., init=...)); a mutex inside it, and what
to do when its holder died (kill -9 a 'hold', then 'inc': OwnerDied, then
consistent()).
"""

import os
import struct
import sys
import time

import shmdev

SIZE = 16           # shmdev_mutex_t at 0, uint64 value at 8


def open_counter(name):
    return shmdev.Region(name, SIZE, create=True, mode=0o600,
                         init=lambda r: r.mutex(0).init())


def lock(region):
    """Take the mutex, repairing it if its last holder died holding it."""
    m = region.mutex(0)
    try:
        m.acquire()
    except shmdev.OwnerDied:
        # the value is one aligned 8-byte store: nothing was half done
        print("counter: the last holder died holding the lock; "
              "the value is intact", file=sys.stderr)
        m.consistent()
    return m


def inc(name, quiet=False):
    with open_counter(name) as r:
        m = lock(r)
        with memoryview(r) as mem:
            v = struct.unpack_from("Q", mem, 8)[0] + 1
            struct.pack_into("Q", mem, 8, v)
        m.release()
    if not quiet:
        print(v)
    return 0


def get(name):
    with shmdev.Region(name, readonly=True) as r, memoryview(r) as mem:
        print(struct.unpack_from("Q", mem, 8)[0])
    return 0


def hold(name):
    with open_counter(name) as r:
        lock(r)
        print("holding the lock of '%s' as pid %d" % (name, os.getpid()), flush=True)
        while True:
            time.sleep(3600)


def run(n):
    name = "counter.%d" % os.getpid()
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                status = inc(name, quiet=True)
            finally:
                os._exit(status)
        pids.append(pid)
    failed = sum(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) != 0 for p in pids)
    with shmdev.Region(name) as r, memoryview(r) as mem:
        v = struct.unpack_from("Q", mem, 8)[0]
    shmdev.unlink(name)
    print("%d processes incremented '%s': it reads %d" % (n, name, v))
    return 1 if failed or v != n else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "inc":
        return inc(argv[2])
    if len(argv) == 4 and argv[1:3] == ["inc", "-q"]:
        return inc(argv[3], quiet=True)
    if len(argv) == 3 and argv[1] == "get":
        return get(argv[2])
    if len(argv) == 3 and argv[1] == "hold":
        return hold(argv[2])
    if len(argv) == 3 and argv[1] == "run" and argv[2].isdigit() and int(argv[2]) > 0:
        return run(int(argv[2]))
    print("usage: counter.py inc [-q] NAME | get NAME | hold NAME | run N", file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except OSError as e:
        sys.exit("counter: %s" % e)
