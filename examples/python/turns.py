#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""turns: take turns with another process, of any language, under one
robust mutex and condition variable in the region "demo.turns"
(examples/go/turns is the other side in make demo).

    turns.py --side even|odd --rounds N

The region (4096 bytes, mode 0600) is created by whoever comes first and
initialised once (Region(..., init=...)): a shmdev mutex at offset 0, a
condition at 8, uint32 turn at 16 (turns taken), uint32 rounds_done_mask at
20 (unused, 0), char[40] last at 24 (the last process's name). Each of the N
turns: lock; wait on the condition while turn % 2 is not our side (10 s at
most); print "python PID: turn T after LAST"; write our name into last;
turn += 1; broadcast; unlock. Whoever takes the last turn (2N) unlinks the
region. Exit status 0 only if every turn was the one expected.
"""

import argparse
import os
import struct
import sys

import shmdev

NAME = "demo.turns"
SIZE = 4096
OFF_MUTEX, OFF_COND, OFF_TURN, OFF_MASK, OFF_LAST, LAST_BYTES = 0, 8, 16, 20, 24, 40


def init(region):
    """Run once, by the process that creates the region."""
    region.mutex(OFF_MUTEX).init()
    shmdev.Condition(region.mutex(OFF_MUTEX), OFF_COND).init()


def main():
    ap = argparse.ArgumentParser(description="take turns under a shmdev mutex")
    ap.add_argument("--side", choices=("even", "odd"), required=True)
    ap.add_argument("--rounds", type=int, required=True)
    args = ap.parse_args()
    if args.rounds <= 0:
        ap.error("--rounds must be positive")
    parity = 1 if args.side == "odd" else 0
    me = ("python %d" % os.getpid()).encode()
    good = True

    with shmdev.Region(NAME, SIZE, create=True, mode=0o600, init=init) as region:
        mutex = region.mutex(OFF_MUTEX)
        cond = shmdev.Condition(mutex, OFF_COND)
        mem = memoryview(region)
        try:
            for i in range(args.rounds):
                expect = 2 * i + parity
                try:
                    if not mutex.acquire(timeout=10):
                        sys.exit("turns: lock: timed out")
                except shmdev.OwnerDied:
                    # the other side died mid-turn: what it wrote is whole
                    # words, so carry on, but this run did not go as planned
                    mutex.consistent()
                    good = False
                try:
                    if not cond.wait_for(
                            lambda: struct.unpack_from("I", mem, OFF_TURN)[0] % 2 == parity, 10):
                        sys.exit("turns: waiting for my turn: timed out")
                    turn = struct.unpack_from("I", mem, OFF_TURN)[0]
                    good = good and turn == expect
                    last = bytes(mem[OFF_LAST:OFF_LAST + LAST_BYTES]).split(b"\0", 1)[0]
                    print("python %d: turn %d after %s"
                          % (os.getpid(), turn, last.decode(errors="replace") or "nobody"),
                          flush=True)
                    name = me[:LAST_BYTES - 1]
                    mem[OFF_LAST:OFF_LAST + len(name) + 1] = name + b"\0"
                    struct.pack_into("I", mem, OFF_TURN, turn + 1)
                    cond.notify_all()
                finally:
                    mutex.release()
            if turn + 1 == 2 * args.rounds:
                region.unlink()
        finally:
            mem.release()
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
