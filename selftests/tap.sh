# SPDX-License-Identifier: GPL-2.0
# tap.sh: TAP helpers of the shell selftests, sourced by them. Builtins
# only: under TCG every process started costs 100 ms and more.
#
#   ok STATUS TEXT   one test: passed when STATUS is 0
#   skip REASON      one test, skipped
#   note TEXT        a diagnostic line; returns 1, so: cmd || note why || st=1
#   slurp FILE       FILE's text, trailing newlines cut, in $REPLY
#   run CMD...       CMD's stdout in $out, stderr in $err, status in $rc
#                    (needs the caller's $tmp directory)
#   lang_suite       unless SHMDEV_LANG_TESTS=1 (make check sets it on the
#                    kernels that run the language packages' suites): one
#                    skip, the totals, exit 4
#
# The counts are in $n, $pass, $fail and $skip.

n=0 pass=0 fail=0 skip=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok $n $2"
	else
		fail=$((fail + 1))
		echo "not ok $n $2"
	fi
}

skip() {
	n=$((n + 1)) skip=$((skip + 1))
	echo "ok $n # SKIP $1"
}

note() {
	echo "# $*"
	return 1
}

slurp() {
	REPLY=
	IFS= read -r -d '' REPLY <"$1"
	while [[ $REPLY == *$'\n' ]]; do REPLY=${REPLY%$'\n'}; done
}

run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	slurp "$tmp/out"; out=$REPLY
	slurp "$tmp/err"; err=$REPLY
}

lang_suite() {
	[ "${SHMDEV_LANG_TESTS:-0}" = 1 ] && return 0
	echo "1..1"
	skip "the language suites run where SHMDEV_LANG_TESTS=1"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 4
}
