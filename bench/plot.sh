#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# plot.sh: plots of one shmdev-bench output, with gnuplot.
#
#   bench/plot.sh OUTPUT.txt [DIR]
#
# Reads the @info and @data lines shmdev-bench prints (any other line is
# ignored, so a whole VM log will do) and writes, into DIR (default: the
# output's directory), for NAME the output's file name without .txt:
#
#   NAME-msg.{png,svg}        time per message vs message size (log-log):
#                             ring, pipe, unix socket, eventfd
#   NAME-producers.{png,svg}  messages/s vs producers into one consumer
#   NAME-mutex.{png,svg}      time per lock+unlock vs contending processes
#   NAME-regions.{png,svg}    create and open time vs regions in existence
#
# Points are medians over the rounds, error bars their min-max. A figure
# the output has no data for (a native run has no regions) is left out.
# The .dat files the plots are drawn from stay in DIR/NAME-data/.

set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -r "$1" ]; then
	echo "usage: bench/plot.sh OUTPUT.txt [DIR]" >&2
	exit 2
fi
in=$1
dir=${2:-$(dirname "$in")}
name=$(basename "$in" .txt)
data=$dir/$name-data
command -v gnuplot >/dev/null || { echo "plot.sh: no gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }
mkdir -p "$data"
rm -f "$data"/*.dat

# One file per figure and series: X MEDIAN MIN MAX, in the order printed.
awk -v d="$data" '
	{ sub(/\r$/, "") }
	$1 == "@data" && NF == 7 { f = d "/" $2 "-" $3 ".dat"; print $4, $5, $6, $7 > f }
' "$in"

# The title's tail: where and when it was measured.
info=$(grep -m1 '^@info ' "$in" | tr -d '\r' || true)
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$info"; }
kernel=$(field kernel); date=$(field date); cpus=$(field cpus); mode=$(field mode)
if [ "$mode" = native ]; then
	where="native, stand-in of the module"
elif [ "$(field tcg)" = 1 ]; then
	where="TCG guest: compare ratios only"
else
	where="with the module"
fi
sub="Linux $kernel, $cpus CPUs, $where, $date; median of rounds, bars min-max"

have() { [ -s "$data/$1.dat" ]; }

# plot FIGURE TITLE XLABEL YLABEL SETTINGS PLOT-COMMAND: both terminals.
plot() {
	local fig=$1 title=$2 xl=$3 yl=$4 settings=$5 cmd=$6 term ext
	for ext in png svg; do
		if [ $ext = png ]; then
			term="pngcairo size 960,600 font 'sans,10'"
		else
			term="svg size 960,600 font 'sans,12' background '#ffffff'"
		fi
		gnuplot <<-EOF
			set terminal $term
			set output '$dir/$name-$fig.$ext'
			set title "$title\n{/*0.8 $sub}"
			set xlabel '$xl'
			set ylabel '$yl'
			set grid
			set key top left
			set datafile separator ' '
			$settings
			plot $cmd
		EOF
	done
	echo "plot.sh: $dir/$name-$fig.png, .svg"
}

# A plot command for the series of a figure that have data.
series() {
	local fig=$1 using=$2 s title cmd=""
	shift 2
	for s in "$@"; do
		title=${s#*:}
		s=${s%%:*}
		have "$fig-$s" || continue
		cmd+="${cmd:+, }'$data/$fig-$s.dat' using $using with yerrorlines lw 2 pt 7 title '$title'"
	done
	echo "$cmd"
}

cmd=$(series msg 1:2:3:4 ring:shmdev\ ring pipe:pipe unix:unix\ stream\ socket \
	eventfd:eventfd\ +\ memfd\ buffer)
[ -n "$cmd" ] && plot msg "Message passing between 2 processes: time per message" \
	'message size (bytes)' 'time per message (ns)' \
	"set logscale xy; set format y '10^{%L}'; set xrange [45:1.5e6]; set xtics ('64' 64, '256' 256, '1K' 1024, '4K' 4096, '16K' 16384, '64K' 65536, '256K' 262144, '1M' 1048576)" \
	"$cmd"

cmd=$(series producers '1:(1e9/$2):(1e9/$4):(1e9/$3)' ring:shmdev\ ring pipe:pipe \
	unix-seqpacket:unix\ seqpacket\ socket)
[ -n "$cmd" ] && plot producers "Producers into one consumer, 64 B messages: aggregate rate" \
	'producer processes' 'messages per second' \
	"set xtics (1, 2, 4); set xrange [0.5:4.5]; set yrange [0:*]" "$cmd"

cmd=$(series mutex 1:2:3:4 shmdev:shmdev\ mutex glibc-robust:glibc\ robust\ process-shared)
[ -n "$cmd" ] && plot mutex "Mutex: time per lock+unlock" \
	'processes taking the mutex' 'time per lock+unlock (ns)' \
	"set logscale y; set format y '10^{%L}'; set xtics (1, 2, 4); set xrange [0.5:4.5]" "$cmd"

cmd=$(series create 1:2:3:4 shmdev:shmdev\ create+map+unlink \
	posix-shm:POSIX\ shm\ create+map+unlink)
cmd2=$(series open 1:2:3:4 shmdev:shmdev\ open+map+close posix-shm:POSIX\ shm\ open+map+close)
cmd=$cmd${cmd:+${cmd2:+, }}$cmd2
[ -n "$cmd" ] && plot regions "Regions: create and open time vs regions in existence" \
	'regions in existence' 'time per operation (ns)' \
	"set logscale xy; set format y '10^{%L}'; set xrange [5:20000]; set key bottom right" "$cmd"
exit 0
