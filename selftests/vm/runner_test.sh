#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# runner_test.sh [KERNEL [DEBUG_KERNEL]]: the VM runner's own tests, on the
# host. On KERNEL (default stock): CMD's exit status, output, --add and
# --env come through; the module loads and unloads around CMD, even when CMD
# leaves a process holding the device; a module that warns or oopses fails
# the run and the run names the line; a hung command times out with 124. On
# DEBUG_KERNEL (a debug kernel of the matrix, if given): a leak, a lockdep
# report and a KASAN report each fail the run, and so does kmemleak turned
# off at boot. On the host: the KVM probe takes KVM when a guest runs
# under it and falls back to TCG when KVM refuses the VM's CPU, and in
# bounded time when KVM hangs. Needs build/warn-<kernel>/
# (make warn-<kernel>) and build/kmod-<kernel>/ (make module-<kernel>).
# TAP output ending with a kselftest "# Totals:" line.

cd "$(dirname "$0")/../.." || exit 1
kernel=${1:-stock}
debug=${2:-}
run=selftests/vm/run
unset SHMDEV_KO
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. selftests/tap.sh
# vm_ok STATUS TEXT: tap.sh's ok, with the last run's stderr when it failed.
vm_ok() {
	ok "$@"
	[ "$1" = 0 ] || sed 's/^/# /' "$tmp/err"
}

# vm [run options] -- CMD: run in the VM, stdout in $tmp/out, stderr in
# $tmp/err, exit status in $rc.
vm() {
	"$run" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect_report WHAT STATUS PATTERN: the last run exited STATUS and its
# message named a line matching PATTERN.
expect_report() {
	local st=0
	[ "$rc" = "$2" ] || { echo "# exit status $rc, expected $2"; st=1; }
	grep -q "^run:   .*$3" "$tmp/err" || { echo "# the run did not name a line with '$3'"; st=1; }
	vm_ok $st "$1"
}

echo "TAP version 13"
echo "1..$([ -n "$debug" ] && echo 13 || echo 9)"

# The KVM probe, with a stand-in for QEMU and a device anyone may open.
printf '#!/bin/sh\nexit 3\n' >"$tmp/qemu-ok"
printf '#!/bin/sh\nexec sleep 1000\n' >"$tmp/qemu-hang"
# As QEMU does on a KVM that takes its default CPU but not "max".
cat >"$tmp/qemu-nomax" <<'EOF2'
#!/bin/sh
case " $* " in
*" -cpu max "*) echo "error: failed to set MSR 0x10a to 0x69" >&2; kill -ABRT $$ ;;
esac
exit 3
EOF2
chmod +x "$tmp/qemu-ok" "$tmp/qemu-hang" "$tmp/qemu-nomax"
probe() {
	timeout 20 env -u SHMDEV_ACCEL SHMDEV_KVM_DEV=/dev/null SHMDEV_QEMU="$1" \
		SHMDEV_KVM_PROBE_SECONDS=2 "$run" --probe-accel 2>"$tmp/err"
}
st=0
got=$(probe "$tmp/qemu-ok")
[ "$got" = kvm ] || { echo "# probe said '$got', expected kvm"; st=1; }
got=$(SHMDEV_ACCEL=tcg "$run" --probe-accel 2>/dev/null)
[ "$got" = tcg ] || { echo "# SHMDEV_ACCEL=tcg: probe said '$got'"; st=1; }
ok $st "run --probe-accel: kvm when a guest runs under KVM; SHMDEV_ACCEL=tcg forces TCG"
got=$(probe "$tmp/qemu-nomax")
st=0
[ "$got" = tcg ] || { echo "# probe said '$got', expected tcg"; st=1; }
ok $st "run --probe-accel: a KVM that refuses the VM's CPU (-cpu max) falls back to TCG"
t0=$SECONDS
got=$(probe "$tmp/qemu-hang")
st=0
[ "$got" = tcg ] || { echo "# probe said '$got', expected tcg"; st=1; }
[ $((SECONDS - t0)) -le 5 ] || { echo "# the probe took $((SECONDS - t0))s, bound 2s"; st=1; }
ok $st "run --probe-accel: a KVM that hangs falls back to TCG within the bound"

# 1: exit status, stdout and stderr, --add, --env.
echo "added file" >"$tmp/added"
vm --kernel "$kernel" --no-load --add "$tmp/added:/root/added" --env 'GREETING=hello world' -- \
	bash -c 'echo "out $((6 * 7))"; echo "err $GREETING" >&2; cat /root/added; exit 3'
st=0
[ $rc = 3 ] || { echo "# exit status $rc, expected 3"; st=1; }
grep -qx 'out 42' "$tmp/out" || { echo "# stdout lacks 'out 42'"; st=1; }
grep -qx 'err hello world' "$tmp/out" || { echo "# console lacks 'err hello world'"; st=1; }
grep -qx 'added file' "$tmp/out" || { echo "# --add file not in the guest"; st=1; }
grep -q '^run: log saved in .*\.log' "$tmp/err" || { echo "# no log path on stderr"; st=1; }
vm_ok $st "run -- bash -c '...; exit 3': status 3, output, --add and --env"

# 3: the module around CMD, and a process CMD leaves holding the device.
if [ -e "build/kmod-$kernel/shmdev.ko" ]; then
	vm --kernel "$kernel" -- bash -c 'test -c /dev/shmdev && grep -q "^shmdev " /proc/modules &&
		(sleep 1000 </dev/shmdev &) && sleep 0.5 && test "$(cat /sys/module/shmdev/refcnt)" = 1'
	st=0
	[ $rc = 0 ] || { echo "# exit status $rc, expected 0"; st=1; }
	vm_ok $st "status 0; the module loaded for CMD and unloaded after it, though CMD left a process holding it"
else
	skip "no build/kmod-$kernel/shmdev.ko"
fi

warn=build/warn-$kernel/shmdev_warn.ko
if [ -e "$warn" ]; then
	vm --kernel "$kernel" --no-load -- insmod "$warn" trigger=warn
	expect_report "a module that warns fails the run (126), naming the WARNING" 126 'WARNING:.*warn.c'

	vm --kernel "$kernel" --no-load -- bash -c \
		"insmod $warn && echo bug >/sys/module/shmdev_warn/parameters/trigger; echo survived"
	st=0
	grep -qx survived "$tmp/out" && { echo "# the VM went on after an oops"; st=1; }
	[ $rc = 125 ] || { echo "# exit status $rc, expected 125"; st=1; }
	grep -q '^run:   .*BUG at.*warn.c' "$tmp/err" || { echo "# the run did not name the BUG line"; st=1; }
	vm_ok $st "an oops ends the VM at once (125), naming the BUG"
else
	skip "no $warn"
	skip "no $warn"
fi

vm --kernel "$kernel" --no-load --timeout 10 -- sleep 1000
st=0
[ $rc = 124 ] || { echo "# exit status $rc, expected 124"; st=1; }
vm_ok $st "run --timeout 10 -- sleep 1000: status 124"

# A report while the kernel boots, before the module or CMD: the run boots
# once more (keeping the first log) rather than test on a kernel that
# reported; a report at every boot fails it (125) and names the line. The
# kernel prints its command line while it boots: a parameter that
# reads "WARNING:" is a report on every boot.
logs=$(ls build/vm-logs/*-boot1.log 2>/dev/null | wc -l)
SHMDEV_APPEND=shmdev_boot_test=WARNING: vm --kernel "$kernel" --no-load -- echo ran
st=0
[ "$(grep -c 'booting again$' "$tmp/err")" = 1 ] || { echo "# not booted exactly once more"; st=1; }
[ "$(ls build/vm-logs/*-boot1.log 2>/dev/null | wc -l)" -gt "$logs" ] ||
	{ echo "# the first boot's log was not kept"; st=1; }
grep -qx ran "$tmp/out" && { echo "# CMD ran on a kernel that reported"; st=1; }
[ $rc = 125 ] || { echo "# exit status $rc, expected 125"; st=1; }
grep -q '^run:   .*shmdev_boot_test=WARNING:' "$tmp/err" ||
	{ echo "# the run did not name the line"; st=1; }
vm_ok $st "a report while booting: booted again, then fails (125) naming the line"

if [ -n "$debug" ]; then
	warn=build/warn-$debug/shmdev_warn.ko
	if [ -e "$warn" ]; then
		vm --kernel "$debug" --no-load -- insmod "$warn" trigger=leak
		expect_report "$debug: a leak fails the run (126), naming kmemleak's report" 126 \
			'unreferenced object\|memory leak'
		vm --kernel "$debug" --no-load --no-kmemleak -- insmod "$warn" trigger=lockdep
		expect_report "$debug: a lock order inversion fails the run (126), naming lockdep's report" 126 \
			'possible circular locking'
		vm --kernel "$debug" --no-load --no-kmemleak -- insmod "$warn" trigger=kasan
		expect_report "$debug: an out-of-bounds read fails the run (126), naming KASAN's report" 126 \
			'KASAN'
	else
		skip "no $warn"
		skip "no $warn"
		skip "no $warn"
	fi
	SHMDEV_APPEND=kmemleak=off vm --kernel "$debug" --no-load -- true
	expect_report "$debug: kmemleak off at boot fails the run (126): no leak would be found" 126 \
		'CHECK-FAILED: kmemleak'
fi

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
