// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
package dev.shmdev;

import java.io.IOException;

/**
 * The one-time set-up of a region, run by {@link Shmdev#openInit} in the
 * process that creates it while the others wait. The region passed in is
 * valid during the call only. An exception fails the open (the region stays
 * unready, and the next opener initialises instead) and is rethrown.
 */
@FunctionalInterface
public interface Initializer {
    void init(Region region) throws IOException;
}
