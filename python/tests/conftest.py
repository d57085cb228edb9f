# SPDX-License-Identifier: GPL-2.0
"""Fixtures of the shmdev Python tests: fresh region names, regions that are
unlinked afterwards, and forked helpers (fork, not exec: under emulation a
new interpreter costs a second and more)."""

import itertools
import os
import signal

import pytest

import shmdev

_counter = itertools.count()


@pytest.fixture
def name(request):
    """A region name no other test uses; unlinked at the end if it exists."""
    n = "pyt.%d.%d" % (os.getpid(), next(_counter))
    yield n
    try:
        shmdev.unlink(n)
    except FileNotFoundError:
        pass


@pytest.fixture
def region(name):
    """A new 64 KiB region, closed at the end."""
    r = shmdev.Region(name, 65536, create=True, exclusive=True)
    yield r
    try:
        r.close()
    except BufferError:
        pass


class Child:
    """A forked child running fn(*args): it reports through a pipe
    (child.wait_ready() returns what it wrote first) and exits 0 when fn
    returned, 1 when it raised."""

    def __init__(self, fn, *args):
        self.rfd, wfd = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            status = 1
            try:
                os.close(self.rfd)
                fn(lambda msg=b"r": os.write(wfd, msg), *args)
                status = 0
            except BaseException:
                import traceback
                traceback.print_exc()
            finally:
                os._exit(status)
        os.close(wfd)

    def wait_ready(self):
        """What the child reported, once it did (b"" if it exited first)."""
        return os.read(self.rfd, 64)

    def kill(self):
        """kill -9, and reap."""
        os.kill(self.pid, signal.SIGKILL)
        return self.join()

    def join(self):
        """Reap; the exit status, or -signal."""
        _, st = os.waitpid(self.pid, 0)
        os.close(self.rfd)
        return os.waitstatus_to_exitcode(st)


@pytest.fixture
def fork():
    """fork(fn, *args) -> Child; children still alive at the end are killed."""
    children = []

    def start(fn, *args):
        c = Child(fn, *args)
        children.append(c)
        return c
    yield start
    for c in children:
        try:
            os.kill(c.pid, signal.SIGKILL)
            os.waitpid(c.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


@pytest.fixture
def alarm():
    """alarm(seconds, raise_=True): SIGALRM after seconds, whose handler
    raises KeyboardInterrupt (raise_) or just counts (the count is in the
    returned list). Restored at the end."""
    hits = []
    old = signal.getsignal(signal.SIGALRM)

    def start(seconds, raise_=True):
        def handler(signum, frame):
            hits.append(signum)
            if raise_:
                raise KeyboardInterrupt
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return hits
    yield start
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)
