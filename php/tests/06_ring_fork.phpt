--TEST--
ring of strings between processes; a Region inherited through pcntl_fork cannot lock
--FILE--
<?php
require __DIR__ . '/include.inc';

// Ring: binary strings in order from a child to the parent; timeouts; EMSGSIZE.
$n = tname('ring');
$r = shmdev_open($n, 65536, SHMDEV_CREATE | SHMDEV_EXCL, 0600, fn($r) => $r->initRing(0, 65536));
$ring = $r->ring(0);
$st = $ring->stat();
var_dump($st['capacity'], $st['max_msg']);
echo "recv timeout: ", throws(fn() => $ring->recv(0.05)), "\n";
echo "too long: ", throws(fn() => $ring->send(str_repeat('x', $st['max_msg'] + 1), 0)), "\n";
$pid = child(function () use ($n) {
    $r = shmdev_open($n);
    $ring = $r->ring(0);
    for ($i = 0; $i < 500; $i++) {
        $ring->send("m$i\0" . str_repeat(chr($i & 255), $i), 10.0);
    }
    return 0;
});
$bad = 0;
for ($i = 0; $i < 500; $i++) {
    if ($ring->recv(10.0) !== "m$i\0" . str_repeat(chr($i & 255), $i)) {
        $bad++;
    }
}
var_dump(reap($pid), $bad, $ring->stat()['received']);

// Fork: the child shares the parent's handle, so it may read and write
// through the inherited Region but not lock or wait through it (that would
// be the parent's ownership): Error. Its exit leaves the parent's kernel
// lock and mutex held and healthy.
$f = shmdev_open(tname('fork'), 4096, SHMDEV_CREATE | SHMDEV_AUTODESTROY);
$m = $f->mutex(0);
$m->init();
$m->lock();
$f->lock(0);
$f->write('parent', 100);
$pid = child(function () use ($f, $m, $ring) {
    $out = [];
    $out[] = $f->read(100, 6) === 'parent' ? 'read' : 'no read';
    $out[] = throws(fn() => $f->lock(1));
    $out[] = throws(fn() => $f->unlock(0));
    $out[] = throws(fn() => $m->unlock());
    $out[] = throws(fn() => $m->lock(0));
    $out[] = throws(fn() => $ring->send('x', 0));
    $out[] = throws(fn() => $f->resize(8192));
    $f->write(str_pad(implode(',', $out), 200), 200);
    return 0;
});
var_dump(reap($pid));
echo trim($f->read(200, 200)), "\n";
$g = shmdev_open($f->name());
var_dump($g->tryLock(0));
echo "mutex still held: ", throws(fn() => $g->mutex(0)->lock(0.1)), "\n";
$m->unlock();
$f->unlock(0);
$g->mutex(0)->lock(1.0);

// ring() inside an init callback is an Error. The open can still fail
// after the callback returned: here a child forked in it returned first
// and marked the region ready, so the parent's SHMDEV_IOC_READY is EINVAL
// and libshmdev closes the handle. A view attached in the callback (with
// a producer slot) would then point into the unmapped region: freeing it
// crashed.
$in = tname('initfork');
$got = 'none';
$view = null;
$kid = -1;
try {
    shmdev_open($in, 65536, SHMDEV_CREATE | SHMDEV_EXCL | SHMDEV_AUTODESTROY, 0600,
        function ($r) use (&$got, &$view, &$kid) {
            $r->initRing(0, 65536);
            $got = throws(function () use ($r, &$view) {
                $view = $r->ring(0);
                $view->send('slot', 0);
            });
            $kid = pcntl_fork();
            if ($kid > 0) {
                pcntl_waitpid($kid, $st);
            }
        });
    if ($kid === 0) {
        exit(0);
    }
    echo "init fork: open succeeded\n";
} catch (Shmdev\Exception $e) {
    echo "init fork: open ", get_class($e), '(', $e->getCode(), ")\n";
}
echo "ring() in init: $got\n";
$view = null;
echo "done\n";
shmdev_delete($n);
?>
--EXPECT--
int(32768)
int(16376)
recv timeout: Shmdev\TimeoutException(110)
too long: Shmdev\Exception(90)
int(0)
int(0)
int(500)
int(0)
read,Error(0),Error(0),Error(0),Error(0),Error(0),Error(0)
bool(false)
mutex still held: Shmdev\TimeoutException(110)
init fork: open Shmdev\Exception(22)
ring() in init: Error(0)
done
