// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

/**
 * Thrown by a lock call that acquired the lock after its previous owner
 * went away holding it (EOWNERDEAD): the caller now holds the lock. What it
 * protects may be half-updated; repair it, then call
 * {@link Mutex#consistent()} (for a {@link Mutex}; a kernel lock needs
 * nothing) and unlock as usual. Unchecked, because {@code Lock.lock()}
 * declares nothing.
 */
public class OwnerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OwnerDiedException(String message) {
        super(message);
    }

    /** The error number of this condition, EOWNERDEAD. */
    public int errno() {
        return ShmdevException.EOWNERDEAD;
    }
}
