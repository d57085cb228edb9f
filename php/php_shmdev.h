/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/* php_shmdev.h: the shmdev extension's module entry. */
#ifndef PHP_SHMDEV_H
#define PHP_SHMDEV_H

extern zend_module_entry shmdev_module_entry;
#define phpext_shmdev_ptr &shmdev_module_entry

#define PHP_SHMDEV_VERSION "0.2.0"

#endif /* PHP_SHMDEV_H */
