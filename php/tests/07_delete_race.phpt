--TEST--
delete and re-create under 8 concurrent processes never opens a half-made or half-deleted region
--FILE--
<?php
require __DIR__ . '/include.inc';

// 8 processes open the name (creating it with an init callback when it is
// missing), check what they see, and delete it a third of the time. Every
// region opened must be whole: initialised (magic, its creator's pattern
// and checksum), never the zeroes of one created and not yet initialised,
// nor an error of one half-deleted. SHMDEV_PHP_LONG=1 runs 8 s, else 1.5 s.
const MAGIC = 0x50485052;
$secs = long_run() ? 8.0 : 1.5;
$name = tname('race');
$stats = shmdev_open(tname('race-stats'), 4096, SHMDEV_CREATE | SHMDEV_AUTODESTROY);
$init = function (Shmdev\Region $r) {
    $body = random_bytes(4096);
    $r->write($body, 64);
    $r->write(pack('LLa20', MAGIC, getmypid(), sha1($body, true)), 0);
};
$pids = [];
for ($w = 0; $w < 8; $w++) {
    $pids[] = child(function () use ($w, $name, $secs, $stats, $init) {
        $opens = $bad = $errors = $deletes = 0;
        $end = microtime(true) + $secs;
        while (microtime(true) < $end) {
            try {
                $r = shmdev_open($name, 8192, SHMDEV_CREATE, 0600, $init);
                $opens++;
                $h = unpack('Lmagic/Lpid/a20sum', $r->read(0, 28));
                if ($h['magic'] !== MAGIC || sha1($r->read(64, 4096), true) !== $h['sum']) {
                    $bad++;
                }
                if (random_int(0, 2) === 0) {
                    try {
                        shmdev_delete($r);
                        $deletes++;
                    } catch (Shmdev\Exception $e) {
                        if ($e->getCode() !== 2) {   // deleted or replaced by another: ENOENT
                            throw $e;
                        }
                    }
                }
                $r->close();
            } catch (Shmdev\Exception $e) {
                fwrite(STDERR, $e->getMessage() . "\n");
                $errors++;
            }
        }
        $stats->write(pack('L4', $opens, $bad, $errors, $deletes), 16 * $w);
        return 0;
    });
}
$st = array_map('reap', $pids);
echo 'exits: ', implode(',', $st), "\n";
$opens = $bad = $errors = $deletes = 0;
for ($w = 0; $w < 8; $w++) {
    [1 => $o, 2 => $b, 3 => $e, 4 => $d] = unpack('L4', $stats->read(16 * $w, 16));
    $opens += $o; $bad += $b; $errors += $e; $deletes += $d;
    if ($o === 0) {
        echo "worker $w opened nothing\n";
    }
}
echo "bad: $bad, errors: $errors, deleted: ", $deletes > 0 ? 'some' : 'none', "\n";
try { shmdev_delete($name); } catch (Shmdev\Exception $e) {}
echo "# $opens opens, $deletes deletes in $secs s\n";
?>
--EXPECTF--
exits: 0,0,0,0,0,0,0,0
bad: 0, errors: 0, deleted: some
# %d opens, %d deletes in %s s
