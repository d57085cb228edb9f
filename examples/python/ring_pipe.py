#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""ring_pipe: move a byte stream between processes through a shmdev
message ring, like a named pipe (examples/ring-pipe.c in Python; the two
interoperate: same layout, same framing).

    ring_pipe.py send NAME [--size BYTES] < file
    ring_pipe.py recv NAME > file

Start the two in any order. Whichever comes first creates region NAME (a
page left free, then a ring of BYTES, 1 MiB by default) and formats the
ring in Region(..., init=...); the other waits until that is done. The
sender cuts its input into messages of up to 64 KiB (less when the ring's
largest message is smaller) and ends with an empty message; the receiver
writes each message out straight from the ring (Ring.peek() is a
memoryview into the region, no copy), releases it, and at the end unlinks
NAME.
"""

import argparse
import sys

import shmdev

RING_OFF = 4096
CHUNK = 64 * 1024


def open_ring(name, size):
    """An existing ring of any size, else a new one of ours."""
    def init(r):
        r.ring_init(RING_OFF, r.size - RING_OFF)
    try:
        return shmdev.Region(name, init=init)
    except FileNotFoundError:
        return shmdev.Region(name, RING_OFF + shmdev.RING_HEADER + size,
                             create=True, mode=0o600, init=init)


def send(name, size):
    with open_ring(name, size) as region, region.ring(RING_OFF) as ring:
        src = sys.stdin.buffer
        # whoever came first sized the ring: a message must fit in it
        chunk = min(CHUNK, ring.stat().max_msg)
        while True:
            data = src.read(chunk)
            ring.send(data)
            if not data:
                break
    return 0


def recv(name, size):
    out = sys.stdout.buffer
    with open_ring(name, size) as region:
        with region.ring(RING_OFF) as ring:
            while True:
                with ring.peek() as msg:
                    n = len(msg)
                    out.write(msg)
                ring.release()
                if n == 0:
                    break
        out.flush()
        region.unlink()
    return 0


def main():
    ap = argparse.ArgumentParser(description="a pipe through a shmdev ring")
    ap.add_argument("mode", choices=("send", "recv"))
    ap.add_argument("name")
    ap.add_argument("--size", type=int, default=1 << 20)
    args = ap.parse_args()
    try:
        return (send if args.mode == "send" else recv)(args.name, args.size)
    except OSError as e:
        sys.exit("ring_pipe: %s" % e)


if __name__ == "__main__":
    sys.exit(main())
