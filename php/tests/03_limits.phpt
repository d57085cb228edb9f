--TEST--
hitting each of the module's limits throws a LimitException that names it
--FILE--
<?php
require __DIR__ . '/include.inc';

// Needs root (the VM's): the limits are module parameters.
$dir = '/sys/module/shmdev/parameters/';
$params = ['max_region_size', 'max_regions', 'max_user_bytes', 'max_total_bytes'];
$saved = [];
foreach ($params as $p) {
    $saved[$p] = trim(file_get_contents($dir . $p));
}
$set = function (string $p, int $v) use ($dir) { file_put_contents($dir . $p, "$v\n"); };
$page = 4096;
$names = [];
$show = function (callable $fn) {
    try {
        $fn();
        echo "no exception\n";
    } catch (Shmdev\LimitException $e) {
        $m = $e->getMessage();
        // The message names the limit and its value, never "not enough shared memory".
        $value = trim(file_get_contents('/sys/module/shmdev/parameters/' . $e->limit));
        echo $e->getCode(), ' ', $e->limit, ' ', str_contains($m, "$e->limit ($value "), ' ',
            str_contains($m, 'not enough') ? 'vague' : 'clear', "\n";
    }
};

try {
    // EFBIG: a region larger than max_region_size, created or grown.
    $set('max_region_size', 16 * $page);
    $show(fn() => shmdev_open($names[] = tname('big'), 17 * $page, SHMDEV_CREATE));
    // The message says by how much the size is over the limit: one page.
    try {
        shmdev_open($names[] = tname('big'), 17 * $page, SHMDEV_CREATE);
    } catch (Shmdev\LimitException $e) {
        echo str_contains($e->getMessage(), "exceeded by $page bytes") ? 'by one page' : $e->getMessage(), "\n";
    }
    $r = shmdev_open($names[] = tname('grow'), 4 * $page, SHMDEV_CREATE);
    $show(fn() => $r->resize(32 * $page));
    var_dump($r->size());
    $set('max_region_size', $saved['max_region_size']);

    // ENOSPC, max_user_bytes: this user's bytes, at create and at resize.
    $st = shmdev_status();
    $set('max_user_bytes', $st['user_bytes'] + 8 * $page);
    $show(fn() => shmdev_open($names[] = tname('user'), 9 * $page, SHMDEV_CREATE));
    $show(fn() => $r->resize(16 * $page));
    $r->resize(8 * $page);
    var_dump($r->size());
    $set('max_user_bytes', $saved['max_user_bytes']);

    // ENOSPC, max_total_bytes: the bytes of all regions.
    $st = shmdev_status();
    $set('max_total_bytes', $st['bytes'] + 4 * $page);
    $show(fn() => shmdev_open($names[] = tname('total'), 5 * $page, SHMDEV_CREATE));
    $set('max_total_bytes', $saved['max_total_bytes']);

    // ENOSPC, max_regions: the regions of the IPC namespace.
    $st = shmdev_status();
    $set('max_regions', $st['ns_regions'] + 1);
    $one = shmdev_open($names[] = tname('one'), $page, SHMDEV_CREATE);
    $show(fn() => shmdev_open($names[] = tname('two'), $page, SHMDEV_CREATE));
    // Opening one that exists takes no new region.
    var_dump(shmdev_open($one->name())->size());
} finally {
    foreach ($saved as $p => $v) {
        file_put_contents($dir . $p, "$v\n");
    }
    foreach ($names as $nm) {
        try { shmdev_delete($nm); } catch (Shmdev\Exception $e) {}
    }
}
echo "done\n";
?>
--EXPECT--
27 max_region_size 1 clear
by one page
27 max_region_size 1 clear
int(16384)
28 max_user_bytes 1 clear
28 max_user_bytes 1 clear
int(32768)
28 max_total_bytes 1 clear
28 max_regions 1 clear
int(4096)
done
