// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package shmdev

// Only declarations here: this file exports a function to C.

/*
#include <errno.h>
#include <shmdev.h>
*/
import "C"

import (
	"errors"
	"runtime/cgo"
	"syscall"
)

//export goShmdevInit
func goShmdevInit(p *C.struct_shmdev_region, arg C.uintptr_t) C.int {
	call := cgo.Handle(arg).Value().(*initCall)
	r := &Region{name: call.name, p: p, lent: true}
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = errors.New("shmdev: init panicked")
			}
		}()
		return call.fn(r)
	}()
	r.detach() // the library owns p: r must not use it after init
	if err == nil {
		return 0
	}
	call.err = err
	var errno syscall.Errno
	// Only an errno a C int holds as a -errno: one that is 0 modulo 2^32
	// would otherwise be success, the region published uninitialised.
	if errors.As(err, &errno) && errno > 0 && errno < 4096 {
		return -C.int(errno)
	}
	return -C.EINVAL
}
