// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package shmdev

// A hook of the tests: a signal handler without SA_RESTART, so that a
// thread asleep in the module sees EINTR (Go installs its own handlers
// with SA_RESTART, after which the module goes on sleeping by itself).

/*
#include <signal.h>
#include <string.h>

static void shmdevgo_nop(int sig)
{
	(void)sig;
}

static int shmdevgo_norestart(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = shmdevgo_nop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_ONSTACK;	// the runtime needs it; no SA_RESTART
	return sigaction(sig, &sa, NULL);
}
*/
import "C"

import (
	"sync/atomic"
	"syscall"
)

// eintrRetries counts the calls wait made again after EINTR.
var eintrRetries atomic.Uint64

// installNoRestartHandler gives sig a handler without SA_RESTART.
func installNoRestartHandler(sig syscall.Signal) error {
	if C.shmdevgo_norestart(C.int(sig)) != 0 {
		return syscall.EINVAL
	}
	return nil
}
