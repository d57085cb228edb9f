--TEST--
PHP-FPM-style cache: one writer, many short reader processes, never a torn read under the lock
--FILE--
<?php
require __DIR__ . '/include.inc';

// The writer rewrites a 64 KiB entry (random bytes and their SHA-1) under
// kernel lock 0, exclusive; readers are short processes, as PHP-FPM's
// requests are: each opens the region read-only, reads the entry three
// times under the lock, shared, checks the SHA-1, and exits. 0 torn reads.
// SHMDEV_PHP_LONG=1: 240 readers, else 16, two at a time.
$readers = long_run() ? 240 : 16;
$name = tname('cache');
$size = 65536;
$r = shmdev_open($name, $size + 4096, SHMDEV_CREATE | SHMDEV_EXCL);
// Header page: u32 stop, u32 generation.
$write = function (Shmdev\Region $r, int $gen) use ($size) {
    $body = random_bytes($size - 20);
    $r->lock(0, false, 10.0);
    $r->write($body, 4096);
    $r->write(sha1($body, true), 4096 + $size - 20);
    set_word($r, 4, $gen);
    $r->unlock(0);
};
$write($r, 1);
$writer = child(function () use ($name, $write) {
    $r = shmdev_open($name);
    for ($gen = 2; word($r, 0) === 0; $gen++) {
        $write($r, $gen);
    }
    return 0;
});
$read = function () use ($name, $size) {
    $r = shmdev_open($name, 0, SHMDEV_RDONLY);
    $torn = 0;
    for ($i = 0; $i < 3; $i++) {
        $r->lock(0, true, 10.0);
        $entry = $r->read(4096, $size);
        $r->unlock(0);
        if (sha1(substr($entry, 0, $size - 20), true) !== substr($entry, $size - 20)) {
            $torn++;
        }
    }
    return $torn;
};
$torn = $failed = 0;
$running = [];
for ($i = 0; $i < $readers; $i++) {
    if (count($running) >= 2) {
        $st = reap(array_shift($running));
        $st === 99 ? $failed++ : $torn += $st;
    }
    $running[] = child($read);
}
foreach ($running as $pid) {
    $st = reap($pid);
    $st === 99 ? $failed++ : $torn += $st;
}
set_word($r, 0, 1);
var_dump(reap($writer));
$gens = word($r, 4);
echo "torn: $torn, failed: $failed, generations: ", $gens > 2 ? 'many' : $gens, "\n";
shmdev_delete($r);
?>
--EXPECT--
int(0)
torn: 0, failed: 0, generations: many
