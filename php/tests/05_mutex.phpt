--TEST--
robust mutex: owner killed with -9 gives OwnerDiedException with the mutex held; condition
--FILE--
<?php
require __DIR__ . '/include.inc';

$n = tname('mutex');
$a = shmdev_open($n, 4096, SHMDEV_CREATE | SHMDEV_EXCL, 0600, function ($r) {
    $r->mutex(0)->init();
    $r->condition(8)->init();
});
$b = shmdev_open($n);
$ma = $a->mutex(0);
$mb = $b->mutex(0);

// Mutual exclusion between handles; EDEADLK on relock; EPERM on a foreign unlock.
$ma->lock();
var_dump($mb->tryLock());
echo "timeout: ", throws(fn() => $mb->lock(0.1)), "\n";
echo "relock: ", throws(fn() => $ma->lock()), "\n";
echo "foreign unlock: ", throws(fn() => $mb->unlock()), "\n";
$ma->unlock();
var_dump($mb->tryLock());
$mb->unlock();

// The owner is killed with -9 while holding it: the next locker owns it
// and is told (OwnerDiedException), repairs, marks it consistent.
$die_holding = function () use ($n) {
    return child(function () use ($n) {
        $r = shmdev_open($n);
        $r->mutex(0)->lock();
        $r->write('held', 16);
        sleep(60);
        return 1;
    });
};
$pid = $die_holding();
var_dump(wait_for(fn() => $a->read(16, 4) === 'held'));
posix_kill($pid, SIGKILL);
var_dump(reap($pid));
try {
    $ma->lock(5.0);
    echo "no owner-died\n";
} catch (Shmdev\OwnerDiedException $e) {
    echo get_class($e), ' ', $e->getCode(), "\n";
}
var_dump($mb->tryLock());      // held by us
$ma->consistent();
$ma->unlock();
$mb->lock(1.0);                 // an ordinary mutex again
$mb->unlock();

// Unlocked without consistent(): not recoverable, for everyone.
$a->write('....', 16);
$pid = $die_holding();
var_dump(wait_for(fn() => $a->read(16, 4) === 'held'));
posix_kill($pid, SIGKILL);
reap($pid);
echo "owner died: ", throws(fn() => $mb->lock(5.0)), "\n";
$mb->unlock();
echo "then: ", throws(fn() => $ma->lock(1.0)), "\n";
echo "trylock: ", throws(fn() => $mb->tryLock()), "\n";
// Initialising it again makes it a mutex again.
$ma->init();
$ma->lock(); $ma->unlock();

// Condition: a waiter wakes on broadcast, sees the predicate.
$c = $a->condition(8);
set_word($a, 20, 0);
$pid = child(function () use ($n) {
    $r = shmdev_open($n);
    $m = $r->mutex(0);
    $c = $r->condition(8);
    $m->lock();
    set_word($r, 24, 1);                 // waiting
    while (word($r, 20) === 0) {
        $c->wait($m, 10.0);
    }
    $m->unlock();
    return word($r, 20) === 42 ? 0 : 1;
});
var_dump(wait_for(fn() => word($a, 24) === 1));
$ma->lock();
set_word($a, 20, 42);
$c->broadcast();
$ma->unlock();
var_dump(reap($pid));
// A wait that times out throws, with the mutex held again.
$ma->lock();
$t = microtime(true);
echo "wait timeout: ", throws(fn() => $c->wait($ma, 0.2)), "\n";
var_dump(microtime(true) - $t >= 0.19, $mb->tryLock());
$ma->unlock();
// Waiting without holding the mutex is EPERM.
echo "wait unlocked: ", throws(fn() => $c->wait($ma, 0.1)), "\n";
shmdev_delete($n);
echo "done\n";
?>
--EXPECT--
bool(false)
timeout: Shmdev\TimeoutException(110)
relock: Shmdev\Exception(35)
foreign unlock: Shmdev\Exception(1)
bool(true)
bool(true)
int(137)
Shmdev\OwnerDiedException 130
bool(false)
bool(true)
owner died: Shmdev\OwnerDiedException(130)
then: Shmdev\Exception(131)
trylock: Shmdev\Exception(131)
bool(true)
int(0)
wait timeout: Shmdev\TimeoutException(110)
bool(true)
bool(false)
wait unlocked: Shmdev\Exception(1)
done
