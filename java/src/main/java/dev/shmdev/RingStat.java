// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

/** A ring's size and counters, as shmdev_ring_stat(3) reports them. */
public record RingStat(long capacity, long maxMessage, long used, long received,
        long dropped, long droppedBytes, int producers, boolean consumer) {

    RingStat(long[] v) {
        this(v[0], v[1], v[2], v[3], v[4], v[5], (int) v[6], v[7] != 0);
    }
}
