// SPDX-License-Identifier: GPL-2.0
/*
 * install-prog: a user's program for install_test.sh, built against a staged
 * `make install` with pkg-config: create, write, stat, reopen, read, unlink.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <shmdev.h>

int main(void)
{
	struct shmdev_region *r, *r2;
	struct shmdev_stat st;
	char name[64];
	int ret;

	snprintf(name, sizeof(name), "install-test-%d", (int)getpid());
	ret = shmdev_open(name, 10000, SHMDEV_CREAT | SHMDEV_EXCL, 0600, &r);
	if (ret) {
		printf("open %d\n", ret);
		return 1;
	}
	strcpy(shmdev_addr(r), "hello");
	ret = shmdev_stat(name, &st);
	if (ret || st.size != 12288 || st.handles != 1)
		return 2;
	ret = shmdev_open(name, 0, SHMDEV_RDONLY, 0, &r2);
	if (ret || strcmp(shmdev_addr(r2), "hello"))
		return 3;
	if (shmdev_unlink(name) || shmdev_close(r2) || shmdev_close(r))
		return 4;
	printf("shared ok\n");
	return 0;
}
