// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

/**
 * ENOSPC or EFBIG: a limit of the module (max_regions, max_user_bytes,
 * max_total_bytes, max_region_size: see shmdev(4)) or of a table
 * (registered mutexes, owner IDs, ring producers) was hit.
 */
public class LimitException extends ShmdevException {
    private static final long serialVersionUID = 1L;

    public LimitException(String message, int errno) {
        super(message, errno);
    }
}
