// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
// The initialiser shmdev_open_init calls: hands the region to the Go
// function registered under the cgo handle @arg.
#include <stdint.h>
#include "_cgo_export.h"

int shmdevgo_init(struct shmdev_region *r, void *arg)
{
	return goShmdevInit(r, (uintptr_t)arg);
}
