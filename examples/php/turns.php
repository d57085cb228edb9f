<?php
/*
 * turns.php --side even|odd --rounds N: two processes (of any language
 * with a shmdev binding) take turns under one robust mutex and condition
 * variable of the region "demo.turns", as the demo's protocol says:
 *
 *   offset 0   Shmdev\Mutex       (8 bytes)
 *   offset 8   Shmdev\Condition   (8 bytes)
 *   offset 16  uint32 turn        turns taken so far
 *   offset 20  uint32 rounds_done_mask (unused, 0)
 *   offset 24  char[40] last      "<lang> <pid>" of the last turn, NUL-terminated
 *
 * The even side takes turns 0, 2, 4, ..., the odd side 1, 3, 5, ...; each
 * waits (10 s at most) for its turn. Whoever takes turn 2N - 1 deletes the
 * region. Exit status 0 only if every turn was the one expected.
 *
 *   php -d extension=shmdev.so turns.php --side even --rounds 5 &
 *   php -d extension=shmdev.so turns.php --side odd --rounds 5
 */
$opt = getopt('', ['side:', 'rounds:']);
$side = $opt['side'] ?? '';
$rounds = (int)($opt['rounds'] ?? 0);
if (!in_array($side, ['even', 'odd'], true) || $rounds < 1) {
    fwrite(STDERR, "usage: turns.php --side even|odd --rounds N\n");
    exit(2);
}
$parity = $side === 'even' ? 0 : 1;
$me = 'php ' . getmypid();

$r = shmdev_open('demo.turns', 4096, SHMDEV_CREATE, 0600, function (Shmdev\Region $r) {
    $r->mutex(0)->init();
    $r->condition(8)->init();
});
$mutex = $r->mutex(0);
$cond = $r->condition(8);
$ok = true;

function lock(Shmdev\Mutex $m): void
{
    try {
        $m->lock();
    } catch (Shmdev\OwnerDiedException $e) {
        // The other side died holding it: the counters are whole words,
        // written one at a time, so they are consistent.
        fwrite(STDERR, "turns: the other side died holding the lock\n");
        $m->consistent();
    }
}

for ($i = 0; $i < $rounds; $i++) {
    lock($mutex);
    try {
        while ((($turn = unpack('L', $r->read(16, 4))[1]) % 2) !== $parity) {
            $cond->wait($mutex, 10.0);
        }
    } catch (Shmdev\TimeoutException $e) {
        fwrite(STDERR, "$me: no turn for 10 s\n");
        $mutex->unlock();
        exit(1);
    }
    $last = strstr($r->read(24, 40) . "\0", "\0", true);
    echo "$me: turn $turn after ", $last === '' ? '(nobody)' : $last, "\n";
    if ($turn !== 2 * $i + $parity) {
        $ok = false;
    }
    $r->write(str_pad(substr($me, 0, 39), 40, "\0"), 24);
    $r->write(pack('L', $turn + 1), 16);
    $cond->broadcast();
    $mutex->unlock();
}

if ($turn + 1 === 2 * $rounds) {
    shmdev_delete($r);
}
exit($ok ? 0 : 1);
