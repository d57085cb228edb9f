// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.IOException;

/**
 * A libshmdev call failed: {@link #errno()} is its error number (positive,
 * as in {@code errno.h}), and the message names the call and the error.
 * {@link RegionNotFoundException} (ENOENT), {@link RegionExistsException}
 * (EEXIST) and {@link LimitException} (ENOSPC, EFBIG) are the subclasses a
 * caller usually tells apart.
 */
public class ShmdevException extends IOException {
    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, ECHILD = 10, EAGAIN = 11,
            ENOMEM = 12, EACCES = 13, EBUSY = 16, EEXIST = 17, EINVAL = 22, EFBIG = 27,
            ENOSPC = 28, EDEADLK = 35, ENAMETOOLONG = 36, EBADMSG = 74, EUSERS = 87,
            EMSGSIZE = 90, ETIMEDOUT = 110, ECANCELED = 125, EOWNERDEAD = 130,
            ENOTRECOVERABLE = 131;

    private final int errno;

    public ShmdevException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The error number, positive (ENOENT is 2). */
    public int errno() {
        return errno;
    }

    /** The symbolic name of an error number ("ENOENT"), or "errno N". */
    public static String errnoName(int errno) {
        switch (errno) {
        case EPERM: return "EPERM";
        case ENOENT: return "ENOENT";
        case EINTR: return "EINTR";
        case ECHILD: return "ECHILD";
        case EAGAIN: return "EAGAIN";
        case ENOMEM: return "ENOMEM";
        case EACCES: return "EACCES";
        case EBUSY: return "EBUSY";
        case EEXIST: return "EEXIST";
        case EINVAL: return "EINVAL";
        case EFBIG: return "EFBIG";
        case ENOSPC: return "ENOSPC";
        case EDEADLK: return "EDEADLK";
        case ENAMETOOLONG: return "ENAMETOOLONG";
        case EBADMSG: return "EBADMSG";
        case EUSERS: return "EUSERS";
        case EMSGSIZE: return "EMSGSIZE";
        case ETIMEDOUT: return "ETIMEDOUT";
        case ECANCELED: return "ECANCELED";
        case EOWNERDEAD: return "EOWNERDEAD";
        case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
        default: return "errno " + errno;
        }
    }

    /** The exception for {@code ret} (a libshmdev -errno) of call {@code what}. */
    static ShmdevException of(long ret, String what) {
        int e = (int) -ret;
        String msg = what + ": " + errnoName(e);
        switch (e) {
        case ENOENT:
            return new RegionNotFoundException(msg);
        case EEXIST:
            return new RegionExistsException(msg);
        case ENOSPC:
        case EFBIG:
            return new LimitException(msg, e);
        default:
            return new ShmdevException(msg, e);
        }
    }
}
