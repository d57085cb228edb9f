<?php
/*
 * cache.php: a cache shared by PHP-FPM-style workers. One writer keeps an
 * entry up to date; readers are short processes, as FPM's requests are,
 * each opening the region read-only, reading under the kernel's shared
 * lock and going away. A reader never sees a half-written entry: the
 * writer writes under the same lock, exclusive. A reader killed in the
 * middle (FPM's request_terminate_timeout, kill -9) leaves no lock behind:
 * the kernel releases it with the process.
 *
 *   php cache.php write [SECONDS]   the writer: a new entry every 50 ms
 *   php cache.php read              one reader: prints the entry's version
 *   php cache.php demo [READERS]    a writer and READERS readers, forked
 *
 * Region "demo.php-cache", 64 KiB + a page. Page 0: u32 version, u32
 * length, 20 bytes SHA-1 of the entry, at 32 a u32 the demo sets to stop
 * the writer; the entry (JSON) from 4096 on.
 * (With -d extension=shmdev.so unless it is in php's conf.d.)
 */
const NAME = 'demo.php-cache';
const LOCK = 0;
const ENTRY = 4096;
const SIZE = 65536 + 4096;
const STOP = 32;

function open_cache(bool $writer): Shmdev\Region
{
    return $writer ? shmdev_open(NAME, SIZE, SHMDEV_CREATE, 0644)
                   : shmdev_open(NAME, 0, SHMDEV_RDONLY);
}

function write_entry(Shmdev\Region $r, int $version): void
{
    $entry = json_encode(['version' => $version, 'time' => microtime(true),
                          'settings' => array_fill(0, 200 + $version % 300, "value $version")]);
    $r->lock(LOCK, false, 5.0);
    try {
        $r->write($entry, ENTRY);
        $r->write(pack('LLa20', $version, strlen($entry), sha1($entry, true)), 0);
    } finally {
        $r->unlock(LOCK);
    }
}

/** The entry, or null while there is none yet; throws on a torn one. */
function read_entry(Shmdev\Region $r): ?array
{
    $r->lock(LOCK, true, 5.0);
    try {
        $h = unpack('Lversion/Llen/a20sum', $r->read(0, 28));
        if ($h['version'] === 0) {
            return null;
        }
        if ($h['len'] > SIZE - ENTRY) {
            throw new UnexpectedValueException("length {$h['len']} out of range");
        }
        $entry = $r->read(ENTRY, $h['len']);
    } finally {
        $r->unlock(LOCK);
    }
    if (sha1($entry, true) !== $h['sum']) {
        throw new UnexpectedValueException("torn entry, version {$h['version']}");
    }
    return json_decode($entry, true, 512, JSON_THROW_ON_ERROR);
}

function writer(float $secs): int
{
    $r = open_cache(true);
    $end = microtime(true) + $secs;
    $r->write(pack('L', 0), STOP);
    for ($v = 1; microtime(true) < $end && unpack('L', $r->read(STOP, 4))[1] === 0; $v++) {
        write_entry($r, $v);
        usleep(50000);
    }
    echo "writer: wrote ", $v - 1, " versions\n";
    return 0;
}

function reader(): int
{
    try {
        $e = read_entry(open_cache(false));
    } catch (Throwable $e) {
        echo "reader ", getmypid(), ": ", $e->getMessage(), "\n";
        return 1;
    }
    echo "reader ", getmypid(), ": ", $e === null ? 'no entry yet' : "version {$e['version']}", "\n";
    return 0;
}

function demo(int $readers): int
{
    $r = open_cache(true);      // there before the readers come
    $pid = pcntl_fork();
    if ($pid === 0) {
        exit(writer(60.0));
    }
    $bad = 0;
    for ($i = 0; $i < $readers; $i++) {
        $child = pcntl_fork();
        if ($child === 0) {
            exit(reader());
        }
        pcntl_waitpid($child, $st);
        $bad += pcntl_wexitstatus($st) !== 0;
        usleep(20000);
    }
    $r->write(pack('L', 1), STOP);
    pcntl_waitpid($pid, $st);
    shmdev_delete(NAME);
    echo "demo: $readers readers, $bad saw a torn entry\n";
    return $bad || pcntl_wexitstatus($st) ? 1 : 0;
}

exit(match ($argv[1] ?? '') {
    'write' => writer((float)($argv[2] ?? 10)),
    'read' => reader(),
    'demo' => demo((int)($argv[2] ?? 10)),
    default => (fwrite(STDERR, "usage: cache.php write [SECONDS] | read | demo [READERS]\n") && false) ?: 2,
});
