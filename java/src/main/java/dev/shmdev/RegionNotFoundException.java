// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

/** ENOENT: The region does not exist (and it was not to be created), or the module is not loaded. */
public class RegionNotFoundException extends ShmdevException {
    private static final long serialVersionUID = 1L;

    public RegionNotFoundException(String message) {
        super(message, ENOENT);
    }
}
