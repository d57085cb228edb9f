// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "shmdev.h"
/*
 * poke NAME OFFSET TEXT: store TEXT at OFFSET of region NAME (test data for
 * shmdevctl_test.sh's dump tests; built on the host, since gcc is slow in
 * the VM).
 */
int main(int argc, char **argv)
{
	struct shmdev_region *r;

	if (argc != 4 || shmdev_open(argv[1], 0, 0, 0, &r))
		return 1;
	memcpy((char *)shmdev_addr(r) + atol(argv[2]), argv[3], strlen(argv[3]));
	return shmdev_close(r);
}
