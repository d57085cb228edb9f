--TEST--
examples/php: turns.php takes turns with another process (--long: the cache demo too)
--FILE--
<?php
require __DIR__ . '/include.inc';

// The examples as make demo runs them, with this PHP and this extension.
// php_test.sh copies the tests away: it passes the examples' directory
// and the extension's path.
$ex = getenv('SHMDEV_EXAMPLES') ?: dirname(__DIR__, 2) . '/examples/php';
$php = [PHP_BINARY, '-n', '-d', 'extension=posix', '-d', 'extension=' . getenv('SHMDEV_PHP_SO')];
try { shmdev_delete('demo.turns'); } catch (Shmdev\Exception $e) {}
$procs = [];
foreach (['even', 'odd'] as $side) {
    $p = proc_open(array_merge($php, ["$ex/turns.php", '--side', $side, '--rounds', '4']),
                   [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $procs[$side] = [$p, $pipes];
}
$lines = [];
foreach ($procs as $side => [$p, $pipes]) {
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    $st = proc_close($p);
    echo "$side: exit $st\n";
    foreach (explode("\n", trim($out)) as $l) {
        $lines[] = preg_replace('/php \d+/', 'php PID', $l);
    }
}
sort($lines, SORT_NATURAL);
echo implode("\n", $lines), "\n";
// The region is gone: the last one deleted it.
try { shmdev_open('demo.turns'); echo "still there\n"; } catch (Shmdev\Exception $e) { echo $e->getCode(), "\n"; }

// The cache demo (a writer, 4 readers) in long runs only: 08_cache.phpt
// is the same cache.
if (long_run()) {
    $p = proc_open(array_merge($php, ["$ex/cache.php", 'demo', '4']), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    $st = proc_close($p);
    echo $st === 0 && preg_match('/^demo: 4 readers, 0 saw a torn entry$/m', $out) ? '' : "cache demo: exit $st\n$out";
}
?>
--EXPECT--
even: exit 0
odd: exit 0
php PID: turn 0 after (nobody)
php PID: turn 1 after php PID
php PID: turn 2 after php PID
php PID: turn 3 after php PID
php PID: turn 4 after php PID
php PID: turn 5 after php PID
php PID: turn 6 after php PID
php PID: turn 7 after php PID
2
