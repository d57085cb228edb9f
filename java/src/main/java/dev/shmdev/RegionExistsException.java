// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

/** EEXIST: The region exists and was to be created exclusively (CREAT | EXCL). */
public class RegionExistsException extends ShmdevException {
    private static final long serialVersionUID = 1L;

    public RegionExistsException(String message) {
        super(message, EEXIST);
    }
}
