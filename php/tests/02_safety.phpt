--TEST--
whatever PHP code does: ValueError for bad offsets, Error after close, no clone, no crash
--FILE--
<?php
require __DIR__ . '/include.inc';

$n = tname('safety');
$r = shmdev_open($n, 16384, SHMDEV_CREATE | SHMDEV_EXCL | SHMDEV_AUTODESTROY);

// Offsets and sizes outside the mapping are ValueErrors, overflow included.
foreach ([[-1, 1], [0, -1], [16384, 1], [16383, 2], [1, PHP_INT_MAX], [PHP_INT_MAX, PHP_INT_MAX], [PHP_INT_MIN, 1]] as [$o, $s]) {
    echo "read($o, $s): ", throws(fn() => $r->read($o, $s)), "\n";
}
echo "write at 16382: ", throws(fn() => shmdev_write($r, 'abc', 16382)), "\n";
echo "write at -1: ", throws(fn() => $r->write('a', -1)), "\n";
echo "write at 16384: ", throws(fn() => $r->write('a', 16384)), "\n";
// Arguments: names, flags, modes, sizes, lock numbers, timeouts.
echo "empty name: ", throws(fn() => shmdev_open('')), "\n";
echo "256-byte name: ", throws(fn() => shmdev_open(str_repeat('n', 256))), "\n";
echo "name '..': ", throws(fn() => shmdev_open('..')), "\n";
echo "NUL in name: ", throws(fn() => shmdev_delete("a\0b")), "\n";
echo "unknown flag: ", throws(fn() => shmdev_open($n, 0, 0x1000)), "\n";
echo "mode 01000: ", throws(fn() => shmdev_open($n, 0, 0, 01000)), "\n";
echo "negative size: ", throws(fn() => shmdev_open($n, -1)), "\n";
echo "lock 64: ", throws(fn() => $r->lock(SHMDEV_NR_LOCKS)), "\n";
echo "lock -1: ", throws(fn() => $r->unlock(-1)), "\n";
echo "timeout -1: ", throws(fn() => $r->lock(0, false, -1)), "\n";
echo "timeout NAN: ", throws(fn() => $r->mutex(0)->lock(NAN)), "\n";
echo "resize 0: ", throws(fn() => $r->resize(0)), "\n";
// Mutexes and conditions: 4-aligned, 8 bytes inside the region.
echo "mutex at 2: ", throws(fn() => $r->mutex(2)), "\n";
echo "mutex at 16380: ", throws(fn() => $r->mutex(16380)), "\n";
echo "cond at -4: ", throws(fn() => $r->condition(-4)), "\n";
echo "ring at 32: ", throws(fn() => $r->ring(32)), "\n";
echo "ring too small: ", throws(fn() => $r->initRing(0, 4096)), "\n";
// A mutex word never initialised is EINVAL, not a crash.
echo "lock of zeroes: ", throws(fn() => $r->mutex(64)->lock(0.1)), "\n";
// Garbage in the mutex word (another process may write anything): EINVAL.
$r->write(str_repeat("\xff", 8), 128);
echo "lock of garbage: ", throws(fn() => $r->mutex(128)->lock(0.1)), "\n";
// A ring of garbage: EINVAL at attach.
$r->write(random_bytes(4096), 4096);
echo "ring of garbage: ", throws(fn() => $r->ring(4096)), "\n";
// A condition with the mutex of another Region object.
$other = shmdev_open($n);
echo "foreign mutex: ", throws(fn() => $r->condition(0)->wait($other->mutex(8), 0)), "\n";

// Objects cannot be made, cloned or serialized.
echo "new: ", throws(fn() => new Shmdev\Region()), "\n";
echo "new Mutex: ", throws(fn() => new Shmdev\Mutex()), "\n";
echo "clone: ", throws(fn() => clone $r), "\n";
echo "clone mutex: ", throws(fn() => clone $r->mutex(0)), "\n";
echo "serialize: ", throws(fn() => serialize($r)), "\n";
echo "dynamic property: ", throws(function () use ($r) { $r->x = 1; }), "\n";

// A read-only handle cannot write: EACCES, not SIGSEGV.
$ro = shmdev_open($n, 0, SHMDEV_RDONLY);
echo "write read-only: ", throws(fn() => $ro->write('x', 0)), "\n";
echo "mutex read-only: ", throws(fn() => $ro->mutex(0)->init()), "\n";

// Use after close: Error everywhere, close twice is harmless, the
// objects that point into the region outlive it safely.
$m = $r->mutex(12288);
$m->init();
$c = $r->condition(12296);
$r->initRing(0, 12288);
$ring = $r->ring(0);
$r->close();
$r->close();
var_dump($r->isClosed());
echo "read: ", throws(fn() => $r->read(0, 1)), "\n";
echo "shmdev_write: ", throws(fn() => shmdev_write($r, 'x', 0)), "\n";
echo "size: ", throws(fn() => shmdev_size($r)), "\n";
echo "mutex lock: ", throws(fn() => $m->lock()), "\n";
echo "cond signal: ", throws(fn() => $c->signal()), "\n";
echo "ring send: ", throws(fn() => $ring->send('x')), "\n";
echo "delete: ", throws(fn() => shmdev_delete($r)), "\n";
unset($r);
echo "mutex after its region is gone: ", throws(fn() => $m->unlock()), "\n";

// Resizing detaches the rings (their view points into the old mapping).
$r = shmdev_open($n, 0);
$r->resize(65536);
$r->initRing(0, 16384);
$ring = $r->ring(0);
$ring->send('before');
$r->resize(131072);
echo "ring after resize: ", throws(fn() => $ring->recv(0)), "\n";
var_dump($r->ring(0)->recv(0), $r->size());
echo "done\n";
?>
--EXPECT--
read(-1, 1): ValueError(0)
read(0, -1): ValueError(0)
read(16384, 1): ValueError(0)
read(16383, 2): ValueError(0)
read(1, 9223372036854775807): ValueError(0)
read(9223372036854775807, 9223372036854775807): ValueError(0)
read(-9223372036854775808, 1): ValueError(0)
write at 16382: ValueError(0)
write at -1: ValueError(0)
write at 16384: ValueError(0)
empty name: ValueError(0)
256-byte name: ValueError(0)
name '..': ValueError(0)
NUL in name: ValueError(0)
unknown flag: ValueError(0)
mode 01000: ValueError(0)
negative size: ValueError(0)
lock 64: ValueError(0)
lock -1: ValueError(0)
timeout -1: ValueError(0)
timeout NAN: ValueError(0)
resize 0: ValueError(0)
mutex at 2: ValueError(0)
mutex at 16380: ValueError(0)
cond at -4: ValueError(0)
ring at 32: ValueError(0)
ring too small: ValueError(0)
lock of zeroes: Shmdev\Exception(22)
lock of garbage: Shmdev\Exception(22)
ring of garbage: Shmdev\Exception(22)
foreign mutex: ValueError(0)
new: Error(0)
new Mutex: Error(0)
clone: Error(0)
clone mutex: Error(0)
serialize: Exception(0)
dynamic property: Error(0)
write read-only: Shmdev\Exception(13)
mutex read-only: Shmdev\Exception(13)
bool(true)
read: Error(0)
shmdev_write: Error(0)
size: Error(0)
mutex lock: Error(0)
cond signal: Error(0)
ring send: Error(0)
delete: Error(0)
mutex after its region is gone: Error(0)
ring after resize: Error(0)
string(6) "before"
int(131072)
done
