// SPDX-License-Identifier: GPL-2.0
//
// MapLock: JVMs share a file of the filesystem mounted on /dev/shm through
// FileChannel.map, taking turns with FileLock, as an unmodified Java
// program does.
//
//   java MapLock writer FILE SECONDS   create FILE, map it, and write 64 KiB
//                                      of random bytes and their SHA-1 on
//                                      each of its turns, for SECONDS from
//                                      the reader's first turn
//   java MapLock reader FILE           check each block against its SHA-1
//                                      on each of its turns, until the
//                                      writer has finished
//   java MapLock holder FILE           lock FILE, write a mark in it, and
//                                      hold the lock until killed
//   java MapLock taker FILE            find FILE locked, wait for the lock,
//                                      then check the holder's mark and go
//                                      on writing and checking blocks
//
// The file: a header (the turn, the writer's end flag, the holder's mark),
// the SHA-1 of the block, the block. Each turn is taken under an exclusive
// FileLock of the whole file (fcntl F_SETLKW between JVMs). Each prints
// what it did ("writer ready", "writer blocks N", "reader blocks N
// mismatches M", "holder locked", "taker busy", "taker acquired mark M",
// "taker blocks N mismatches M") and exits 0 only when all went as said.
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

public final class MapLock {
	static final int TURN = 0;	// 0: the writer's turn, 1: the reader's
	static final int DONE = 4;	// 1: the writer has finished
	static final int MARK = 8;	// the holder's mark
	static final int HASH = 64;	// SHA-1 of the block, 20 bytes
	static final int DATA = 4096;	// the block
	static final int BLOCK = 64 * 1024;
	static final int SIZE = DATA + BLOCK;
	static final long HOLDER_MARK = 0x686f6c646572L;	// "holder"
	static final long TIMEOUT_NS = 120_000_000_000L;

	final FileChannel ch;
	final MappedByteBuffer map;
	final MessageDigest sha1;

	MapLock(Path file, boolean create) throws IOException, NoSuchAlgorithmException {
		ch = create ?
			FileChannel.open(file, StandardOpenOption.CREATE_NEW,
					 StandardOpenOption.READ, StandardOpenOption.WRITE) :
			FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
		// Mapping past the end grows the file (ftruncate) first.
		map = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
		sha1 = MessageDigest.getInstance("SHA-1");
	}

	byte[] hashOfBlock() {
		byte[] block = new byte[BLOCK];
		map.get(DATA, block);
		return sha1.digest(block);
	}

	void writeBlock(SecureRandom rnd) {
		byte[] block = new byte[BLOCK];
		rnd.nextBytes(block);
		map.put(DATA, block);
		map.put(HASH, sha1.digest(block));
	}

	boolean checkBlock() {
		byte[] want = new byte[20];
		map.get(HASH, want);
		return Arrays.equals(want, hashOfBlock());
	}

	static void deadline(long start, String what) {
		if (System.nanoTime() - start > TIMEOUT_NS) {
			System.out.println(what + " timed out");
			System.exit(1);
		}
	}

	// Turns until the time is up: each block written under the lock.
	void writer(long seconds) throws IOException, InterruptedException {
		SecureRandom rnd = new SecureRandom();
		long start = System.nanoTime(), end = Long.MAX_VALUE;
		long blocks = 0;

		System.out.println("writer ready");
		for (;;) {
			boolean mine, last = System.nanoTime() > end;
			try (FileLock l = ch.lock()) {
				mine = map.getInt(TURN) == 0;
				// The time starts when the reader has come up and
				// checked the first block.
				if (mine && blocks == 1 && end == Long.MAX_VALUE)
					end = System.nanoTime() + seconds * 1_000_000_000L;
				if (mine && last) {
					map.putInt(DONE, 1);
					break;
				}
				if (mine) {
					writeBlock(rnd);
					map.putInt(TURN, 1);
					blocks++;
				}
			}
			if (!mine) {
				deadline(start, "writer");
				Thread.sleep(1);
			}
		}
		System.out.println("writer blocks " + blocks);
	}

	void reader() throws IOException, InterruptedException {
		long start = System.nanoTime(), blocks = 0, bad = 0;

		for (;;) {
			boolean mine;
			try (FileLock l = ch.lock()) {
				mine = map.getInt(TURN) == 1;
				if (!mine && map.getInt(DONE) == 1)
					break;
				if (mine) {
					if (!checkBlock())
						bad++;
					blocks++;
					map.putInt(TURN, 0);
				}
			}
			if (!mine) {
				deadline(start, "reader");
				Thread.sleep(1);
			}
		}
		System.out.println("reader blocks " + blocks + " mismatches " + bad);
		if (bad != 0)
			System.exit(1);
	}

	void holder() throws IOException, InterruptedException {
		FileLock l = ch.lock();
		map.putLong(MARK, HOLDER_MARK);
		System.out.println("holder locked");
		Thread.sleep(Long.MAX_VALUE);
		l.release();
	}

	void taker() throws IOException {
		SecureRandom rnd = new SecureRandom();
		long blocks = 0, bad = 0;

		if (ch.tryLock() != null) {
			System.out.println("taker got the lock the holder holds");
			System.exit(1);
		}
		System.out.println("taker busy");
		try (FileLock l = ch.lock()) {
			long mark = map.getLong(MARK);
			System.out.println("taker acquired mark " +
					   (mark == HOLDER_MARK ? "holder" : Long.toHexString(mark)));
			for (; blocks < 16; blocks++) {
				writeBlock(rnd);
				if (!checkBlock())
					bad++;
			}
		}
		System.out.println("taker blocks " + blocks + " mismatches " + bad);
		if (bad != 0)
			System.exit(1);
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 2) {
			System.err.println("usage: MapLock writer FILE SECONDS | reader FILE | holder FILE | taker FILE");
			System.exit(2);
		}
		Path file = Path.of(args[1]);
		switch (args[0]) {
		case "writer":
			new MapLock(file, true).writer(Long.parseLong(args[2]));
			break;
		case "reader":
			new MapLock(file, false).reader();
			break;
		case "holder":
			new MapLock(file, true).holder();
			break;
		case "taker":
			new MapLock(file, false).taker();
			break;
		default:
			System.err.println("MapLock: unknown mode " + args[0]);
			System.exit(2);
		}
	}
}
