# SPDX-License-Identifier: GPL-2.0
"""examples/python: each program does what its docstring says. These are
the suite's only execs (a new interpreter each), so they are few and run
side by side."""

import os
import re
import subprocess
import sys
import time

import pytest

import shmdev

EX = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python")


def start(*args, **kw):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen([sys.executable, os.path.join(EX, args[0])] + list(args[1:]),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, **kw)


def test_turns_alternate_and_unlink():
    """turns.py even and odd alternate turns 0..2N-1 under the mutex, each
    after the other's name, and the last one unlinks demo.turns."""
    try:
        shmdev.unlink("demo.turns")
    except FileNotFoundError:
        pass
    even = start("turns.py", "--side", "even", "--rounds", "3")
    odd = start("turns.py", "--side", "odd", "--rounds", "3")
    outs = {}
    for side, p in (("even", even), ("odd", odd)):
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        outs[side] = out.decode().splitlines()
    turns = {}
    for side, lines in outs.items():
        for line in lines:
            m = re.fullmatch(r"python (\d+): turn (\d+) after (.*)", line)
            assert m, line
            turns[int(m.group(2))] = (side, int(m.group(1)), m.group(3))
    assert sorted(turns) == list(range(6))
    assert turns[0][2] == "nobody"
    for t in range(1, 6):
        assert turns[t][0] == ("even", "odd")[t % 2]
        assert turns[t][2] == "python %d" % turns[t - 1][1]
    with pytest.raises(FileNotFoundError):
        shmdev.stat("demo.turns")


def test_ring_pipe_carries_bytes(tmp_path):
    """ring_pipe.py send | recv delivers the input unchanged, then unlinks."""
    name = "pyt.pipe.%d" % os.getpid()
    data = os.urandom(200 * 1024 + 3)
    src = tmp_path / "in"
    src.write_bytes(data)
    with open(src, "rb") as f:
        snd = start("ring_pipe.py", "send", name, "--size", "65536", stdin=f)
    rcv = start("ring_pipe.py", "recv", name)
    out, err = rcv.communicate(timeout=60)
    _, serr = snd.communicate(timeout=60)
    assert snd.returncode == 0, serr
    assert rcv.returncode == 0, err
    assert out == data
    with pytest.raises(FileNotFoundError):
        shmdev.stat(name)


def test_ring_pipe_sender_first_cuts_to_the_ring(tmp_path):
    """ring_pipe.py send --size 65536 started first makes a ring whose
    largest message is below 64 KiB: send cuts its input to fit and recv
    gets it unchanged (send failed EMSGSIZE and recv waited for ever)."""
    name = "pyt.pipe1.%d" % os.getpid()
    data = os.urandom(200 * 1024 + 3)
    src = tmp_path / "in"
    src.write_bytes(data)
    with open(src, "rb") as f:
        snd = start("ring_pipe.py", "send", name, "--size", "65536", stdin=f)
    rcv = None
    try:
        while True:  # until the sender made the region
            try:
                shmdev.stat(name)
                break
            except FileNotFoundError:
                assert snd.poll() is None, snd.communicate()
                time.sleep(0.02)
        rcv = start("ring_pipe.py", "recv", name)
        out, err = rcv.communicate(timeout=60)
        _, serr = snd.communicate(timeout=60)
        assert snd.returncode == 0, serr
        assert rcv.returncode == 0, err
        assert out == data
    finally:
        for p in (snd, rcv):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        try:
            shmdev.unlink(name)
        except FileNotFoundError:
            pass


def test_counter_run():
    """counter.py run 4: four forked processes increment to 4."""
    p = start("counter.py", "run", "4")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert re.fullmatch(r"4 processes incremented 'counter\.\d+': it reads 4\n", out.decode())
