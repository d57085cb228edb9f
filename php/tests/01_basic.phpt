--TEST--
shmop-style functions, names that are names, open with an init callback, delete by handle
--FILE--
<?php
require __DIR__ . '/include.inc';

// The functions read and write what another handle of the name sees.
$n = tname('basic');
$r = shmdev_open($n, 100, SHMDEV_CREATE | SHMDEV_EXCL);
var_dump(get_class($r), shmdev_size($r));
var_dump(shmdev_write($r, "hello\0world", 10));
$r2 = shmdev_open($n);
var_dump(shmdev_read($r2, 10, 11) === "hello\0world", shmdev_read($r2, 0, 10) === str_repeat("\0", 10));
var_dump($r->read(4090, 6) === str_repeat("\0", 6), $r->read(4096, 0));

// The errno is the exception's code: EEXIST with SHMDEV_EXCL, ENOENT after delete.
echo throws(fn() => shmdev_open($n, 4096, SHMDEV_CREATE | SHMDEV_EXCL)), "\n";
shmdev_delete($n);
echo throws(fn() => shmdev_open($n)), "\n";
echo throws(fn() => shmdev_delete($n)), "\n";
// The handles still read the unlinked region.
var_dump($r2->read(10, 5));

// Names are names: two names whose CRC32 keys collide (the usual way to
// turn a name into a shmop key) are two regions; case matters.
var_dump(crc32('plumless') === crc32('buckeroo'));
$a = shmdev_open(tname('plumless'), 4096, SHMDEV_CREATE | SHMDEV_EXCL | SHMDEV_AUTODESTROY);
$b = shmdev_open(str_replace('plumless', 'buckeroo', $a->name()), 4096, SHMDEV_CREATE | SHMDEV_EXCL | SHMDEV_AUTODESTROY);
$c = shmdev_open(strtoupper($a->name()), 4096, SHMDEV_CREATE | SHMDEV_EXCL | SHMDEV_AUTODESTROY);
$a->write('A', 0); $b->write('B', 0); $c->write('C', 0);
var_dump($a->read(0, 1) . $b->read(0, 1) . $c->read(0, 1));
$long = str_repeat('x', SHMDEV_NAME_MAX - 1);
$l1 = shmdev_open($long . 'a', 4096, SHMDEV_CREATE | SHMDEV_EXCL | SHMDEV_AUTODESTROY);
$l2 = shmdev_open($long . 'b', 4096, SHMDEV_CREATE | SHMDEV_EXCL | SHMDEV_AUTODESTROY);
$l1->write('1', 0);
var_dump($l2->read(0, 1) === "\0");
unset($l1, $l2, $a, $b, $c);

// The init callback runs once, for the creator, with the new Region.
$n = tname('init');
$calls = 0;
$init = function (Shmdev\Region $r) use (&$calls) { $calls++; $r->write('READY', 0); $r->mutex(8)->init(); };
$i1 = Shmdev\Region::open($n, 4096, SHMDEV_CREATE, 0600, $init);
$i2 = shmdev_open($n, 0, SHMDEV_CREATE, 0600, $init);
var_dump($calls, $i2->read(0, 5));
shmdev_delete($i1);
// An init that throws: the exception reaches the opener, the region stays
// uninitialised and the next opener's init runs.
$n = tname('initfail');
$e = null;
try {
    shmdev_open($n, 4096, SHMDEV_CREATE, 0600, function ($r) { throw new LogicException('no'); });
} catch (LogicException $e) {
}
var_dump($e?->getMessage());
$i3 = shmdev_open($n, 4096, SHMDEV_CREATE, 0600, function ($r) { $r->write('second', 0); });
var_dump($i3->read(0, 6));
// Closing the region inside its init callback is an Error, not a crash.
$n2 = tname('initclose');
echo throws(fn() => shmdev_open($n2, 4096, SHMDEV_CREATE, 0600, function ($r) { $r->close(); })), "\n";
shmdev_delete($n2);

// shmdev_delete(Region) deletes only the region it was opened on: once
// the name was deleted and created again, it leaves the new one alone.
$old = shmdev_open($n);
shmdev_delete($n);
$new = shmdev_open($n, 4096, SHMDEV_CREATE | SHMDEV_EXCL);
echo throws(fn() => shmdev_delete($old)), "\n";
var_dump($new->stat()['size']);
shmdev_delete($new);

// The extension exports get_module and nothing else: PHP loads it
// RTLD_GLOBAL, so a symbol of the libshmdev.a linked into it would be
// found first by objects loaded after it.
$so = preg_match('~ (/\S*/shmdev\.so)$~m', file_get_contents('/proc/self/maps'), $m) ? $m[1] : '?';
preg_match_all('/ T (\S+)/', (string)shell_exec('nm -D --defined-only ' . escapeshellarg($so)), $syms);
echo implode(',', $syms[1]), "\n";
echo "done\n";
?>
--EXPECT--
string(13) "Shmdev\Region"
int(4096)
int(11)
bool(true)
bool(true)
bool(true)
string(0) ""
Shmdev\Exception(17)
Shmdev\Exception(2)
Shmdev\Exception(2)
string(5) "hello"
bool(true)
string(3) "ABC"
bool(true)
int(1)
string(5) "READY"
string(2) "no"
string(6) "second"
Error(0)
Shmdev\Exception(2)
int(4096)
get_module@@SHMDEV_PHP
done
