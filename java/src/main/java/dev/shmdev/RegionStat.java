// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

/**
 * A region's attributes and counters, as shmdev_stat(3) reports them.
 * Times are CLOCK_REALTIME nanoseconds; pids, times are 0 from a module
 * that does not fill them.
 */
public record RegionStat(long size, int uid, int gid, int mode, int regionFlags,
        int handles, int mappings, long resident, long nsInum, long waits, long wakes,
        long lockAcquired, long lockContended, long ownerDeaths, long events,
        int creatorPid, int lastPid, long ctime, long atime, long dtime) {

    RegionStat(long[] v) {
        this(v[0], (int) v[1], (int) v[2], (int) v[3], (int) v[4], (int) v[5], (int) v[6],
                v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], (int) v[15],
                (int) v[16], v[17], v[18], v[19]);
    }
}
