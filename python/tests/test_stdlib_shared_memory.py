# SPDX-License-Identifier: GPL-2.0
"""CPython's own _TestSharedMemory cases (Lib/test/_test_multiprocessing.py,
Debian's libpython3.11-testsuite) run against shmdev.SharedMemory.

multiprocessing.shared_memory.SharedMemory is replaced by shmdev's class for
the duration of the class: the test cases, ShareableList and the
SharedMemoryManager's server (forked, so it inherits the replacement) all
create and attach shmdev regions then. Processes are forked, as in
test_multiprocessing_fork.

Cases that cannot apply, and why:
- test_shared_memory_cleaned_after_process_termination: asserts that the
  resource tracker unlinks a segment its creator leaked. shmdev.SharedMemory
  registers nothing with the tracker on purpose (an attaching process's
  tracker must not unlink a region it did not create), so nothing unlinks a
  leaked region but unlink() or AUTODESTROY; it also execs a new interpreter.
- test_shared_memory_SharedMemoryManager_reuses_resource_tracker: runs a
  fresh interpreter (python -c), where the replacement is not in effect, so
  it would test the stdlib on /dev/shm rather than shmdev, about the
  tracker again.
"""

import multiprocessing
import multiprocessing.managers
import unittest
from multiprocessing import shared_memory

import pytest

import shmdev

try:
    from test import _test_multiprocessing as tm
except ImportError:  # pragma: no cover - the package is a build dependency
    tm = None

pytestmark = pytest.mark.skipif(tm is None, reason="libpython3.11-testsuite not installed")

NOT_APPLICABLE = {
    "test_shared_memory_cleaned_after_process_termination":
        "tests the resource tracker's unlinking of leaked segments, which "
        "shmdev.SharedMemory deliberately does not use",
    "test_shared_memory_SharedMemoryManager_reuses_resource_tracker":
        "runs a fresh interpreter where shmdev.SharedMemory is not substituted",
}


def _skipped(reason):
    @unittest.skip(reason)
    def test(self):
        pass
    return test


if tm is not None:
    class TestStdlibSharedMemoryOnShmdev(tm._TestSharedMemory, tm.ProcessesMixin,
                                         unittest.TestCase):
        """The stdlib's cases with shared_memory.SharedMemory = shmdev's."""

        Process = multiprocessing.get_context("fork").Process

        @classmethod
        def setUpClass(cls):
            cls._saved = shared_memory.SharedMemory
            shared_memory.SharedMemory = shmdev.SharedMemory
            super().setUpClass()

        @classmethod
        def tearDownClass(cls):
            shared_memory.SharedMemory = cls._saved
            super().tearDownClass()

        def test_substitution_in_effect(self):
            """The cases really use shmdev: a new segment is a shmdev region."""
            s = shared_memory.SharedMemory(create=True, size=10)
            try:
                self.assertIsInstance(s, shmdev.SharedMemory)
                self.assertEqual(shmdev.stat(s.name).size, s.size)
            finally:
                s.close()
                s.unlink()

    for _name, _reason in NOT_APPLICABLE.items():
        assert hasattr(TestStdlibSharedMemoryOnShmdev, _name), _name
        setattr(TestStdlibSharedMemoryOnShmdev, _name, _skipped(_reason))
