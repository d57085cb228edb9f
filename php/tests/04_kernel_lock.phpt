--TEST--
kernel locks: modes, timeouts, EINTR retried, released when the holder is killed with -9
--FILE--
<?php
require __DIR__ . '/include.inc';

$n = tname('klock');
$a = shmdev_open($n, 4096, SHMDEV_CREATE | SHMDEV_EXCL);
$b = shmdev_open($n);

// Exclusive excludes another handle; shared ones share.
$a->lock(0);
var_dump($b->tryLock(0), $b->tryLock(0, true));
$t = microtime(true);
echo "timeout: ", throws(fn() => $b->lock(0, false, 0.2)), "\n";
var_dump(microtime(true) - $t >= 0.19);
$a->unlock(0);
var_dump($b->tryLock(0));
$b->unlock(0);
$a->lock(1, true);
$b->lock(1, true, 0);
$c = shmdev_open($n);
echo "EX while shared: ", throws(fn() => $c->lock(1, false, 0)), "\n";
$a->unlock(1); $b->unlock(1);
// Locks are not recursive; unlocking what one does not hold is EPERM.
$a->lock(3);
echo "relock: ", throws(fn() => $a->lock(3)), "\n";
echo "unlock not held: ", throws(fn() => $b->unlock(3)), "\n";
$a->unlock(3);

// A signal while waiting does not end the wait: the call goes on with the
// time that is left (the handler is installed without SA_RESTART, so the
// kernel returns EINTR to the binding), and PHP's handler runs after it.
pcntl_async_signals(true);
$got = 0;
pcntl_signal(SIGUSR1, function () use (&$got) { $got++; }, false);
$parent = getmypid();
set_word($a, 8, 0);
set_word($a, 12, 0);
$pid = child(function () use ($parent, $n) {
    // holds lock 4 for 1.5 s, and signals the parent waiting for it
    $r = shmdev_open($n);
    $r->lock(4);
    set_word($r, 8, 1);
    usleep(500000);
    posix_kill($parent, SIGUSR1);
    usleep(1000000);
    set_word($r, 12, 1);
    $r->unlock(4);
    return 0;
});
var_dump(wait_for(fn() => word($a, 8) === 1));
echo "EINTR: ", throws(fn() => $b->lock(4, false, 10.0)), "\n";
$unlocked = word($a, 12);
var_dump(reap($pid), $got, $unlocked);
$b->unlock(4);

// The holder is killed with -9: the kernel releases its lock, and the next
// exclusive taker learns that the data may be half-updated.
$pid = child(function () use ($n) {
    $r = shmdev_open($n);
    $r->lock(5);
    $r->write('held', 0);
    sleep(60);
    return 1;
});
var_dump(wait_for(fn() => $a->read(0, 4) === 'held'));
var_dump($a->tryLock(5));
posix_kill($pid, SIGKILL);
var_dump(reap($pid));
try {
    $a->lock(5, false, 5.0);
    echo "no owner-died\n";
} catch (Shmdev\OwnerDiedException $e) {
    echo get_class($e), ' ', $e->getCode(), "\n";
}
// ... and holds it.
var_dump($b->tryLock(5));
$a->unlock(5);
$a->lock(5);
$a->unlock(5);
shmdev_delete($a);
echo "done\n";
?>
--EXPECT--
bool(false)
bool(false)
timeout: Shmdev\TimeoutException(110)
bool(true)
bool(true)
EX while shared: Shmdev\TimeoutException(110)
relock: Shmdev\Exception(35)
unlock not held: Shmdev\Exception(1)
bool(true)
EINTR: none
int(0)
int(1)
int(1)
bool(true)
bool(false)
int(137)
Shmdev\OwnerDiedException 130
bool(false)
done
