# SPDX-License-Identifier: GPL-2.0
#
# cpython-probe.py DIR: where multiprocessing.shared_memory puts a segment.
# Creates a SharedMemory of 10000 bytes, writes to it, attaches to it again
# by name, then unlinks it, and prints what it saw at each step:
#
#   fstype T          the type of the filesystem mounted on DIR
#   file yes|no       DIR/<name> exists
#   size N            the segment's size as Python reads it (fstat)
#   listed yes|no     /proc/shmdev has a row named <name>
#   attached DATA     what a second SharedMemory(name) reads
#   unlinked file yes|no listed yes|no   the same after unlink()
import os
import sys
from multiprocessing import shared_memory


def fstype(path):
    found = '-'
    with open('/proc/self/mountinfo') as f:
        for line in f:
            fields = line.split()
            if fields[4] == path:
                found = fields[fields.index('-') + 1]
    return found


def listed(name):
    try:
        with open('/proc/shmdev') as f:
            rows = [line.split() for line in f]
    except FileNotFoundError:
        return 'no'
    col = rows[0].index('name')
    return 'yes' if any(r[col] == name for r in rows[1:]) else 'no'


def yes(b):
    return 'yes' if b else 'no'


d = sys.argv[1]
sm = shared_memory.SharedMemory(create=True, size=10000)
path = os.path.join(d, sm.name)
try:
    sm.buf[:5] = b'probe'
    print('fstype', fstype(d))
    print('file', yes(os.path.exists(path)))
    print('size', sm.size)
    print('listed', listed(sm.name))
    other = shared_memory.SharedMemory(sm.name)
    print('attached', bytes(other.buf[:5]).decode())
    other.close()
finally:
    sm.close()
    sm.unlink()
print('unlinked file', yes(os.path.exists(path)), 'listed', listed(sm.name))
