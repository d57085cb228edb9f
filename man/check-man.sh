#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-man.sh: the man pages against the header, the version script and the
# library, in TAP, ending with a kselftest `# Totals:` line.
#
#   page      every page renders with man(1) and groff(1) without a warning,
#             has a NAME lexgrog(1) can read, a .TH naming its file, and the
#             sections its kind needs
#   so-link   every .so page names an existing real page whose NAME lists it
#   xref      every shmdev page a page refers to, NAME(N), exists
#   function  every shmdev_*() declared in the header has a page whose NAME
#             lists it and whose SYNOPSIS shows the header's prototype, is
#             listed in libshmdev(3), and (unless static inline) has a line
#             in the version script
#   symbol    every symbol of the version script is declared in the header
#             and, when the library is built, exported with its node's version;
#             one declared static inline is a compat symbol, exported only
#             as sym@node, never as the default sym@@node
#   exports   the built library exports nothing the script does not list
#   shmdevctl when the tool is built: every command and long option its help
#             shows is in shmdevctl(8), under that command, and the page
#             lists no command or option the help does not show
#
# Options point it elsewhere (its own test uses a fake header):
#   -H header  (include/shmdev.h)     -m map      (lib/libshmdev.map)
#   -l lib     ($O/lib/libshmdev.so.1) -d mandir  (man)
#   -t tool    ($O/tools/shmdevctl)
# Exit status 1 when anything failed.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
header=$top/include/shmdev.h
map=$top/lib/libshmdev.map
lib=$top/${O:-build}/lib/libshmdev.so.1
tool=$top/${O:-build}/tools/shmdevctl
mandir=$top/man

while getopts H:m:l:d:t: opt; do
	case $opt in
	H) header=$OPTARG ;;
	m) map=$OPTARG ;;
	l) lib=$OPTARG ;;
	d) mandir=$OPTARG ;;
	t) tool=$OPTARG ;;
	*) echo "usage: $0 [-H header] [-m map] [-l lib] [-d mandir] [-t tool]" >&2; exit 2 ;;
	esac
done

# Relative paths are taken from where we were called: we cd into mandir.
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
header=$(abs "$header") map=$(abs "$map") lib=$(abs "$lib") mandir=$(abs "$mandir")
tool=$(abs "$tool")

export LC_ALL=C.UTF-8 MANWIDTH=80
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0 pass=0 fail=0 skip=0
results=$tmp/results

# ok NAME DIAGFILE: pass when DIAGFILE is empty, else fail and show it.
ok() {
	n=$((n + 1))
	if [ -s "$2" ]; then
		fail=$((fail + 1))
		echo "not ok $n $1" >>"$results"
		sed 's/^/# /' "$2" >>"$results"
	else
		pass=$((pass + 1))
		echo "ok $n $1" >>"$results"
	fi
}

skipped() {
	n=$((n + 1)) skip=$((skip + 1))
	echo "ok $n $1 # SKIP $2" >>"$results"
}

have() { command -v "$1" >/dev/null 2>&1; }

# C source without comments and preprocessor lines, lines kept in place.
strip_c() {
	awk '
	{
		line = $0; out = ""
		if (cont) { cont = ($0 ~ /\\$/); print ""; next }
		while (line != "") {
			if (incomment) {
				i = index(line, "*/")
				if (!i) { line = ""; break }
				line = substr(line, i + 2); incomment = 0
				continue
			}
			i = index(line, "/*"); j = index(line, "//")
			if (j && (!i || j < i)) { out = out substr(line, 1, j - 1); break }
			if (!i) { out = out line; break }
			out = out substr(line, 1, i - 1) " "
			line = substr(line, i + 2); incomment = 1
		}
		if (out ~ /^[ \t]*#/) { cont = (out ~ /\\$/); out = "" }
		print out
	}' "$1"
}

# The functions a header declares at top level: "name inline|extern".
header_functions() {
	strip_c "$1" | awk '
	{
		name = ""
		if (match($0, /^[A-Za-z_][A-Za-z0-9_ \t*]*[ \t*]shmdev_[A-Za-z0-9_]+[ \t]*\(/) ||
		    match($0, /^shmdev_[A-Za-z0-9_]+[ \t]*\(/)) {
			decl = substr($0, RSTART, RLENGTH)
			match(decl, /shmdev_[A-Za-z0-9_]+[ \t]*\($/)
			name = substr(decl, RSTART, RLENGTH)
			sub(/[ \t]*\($/, "", name)
			prefix = substr(decl, 1, RSTART - 1)
			if (prefix ~ /(^|[^A-Za-z0-9_])return([^A-Za-z0-9_]|$)/)
				name = ""
		}
		if (name != "") {
			kind = "extern"
			if (prefix ~ /(^|[^A-Za-z0-9_])static([^A-Za-z0-9_]|$)/ ||
			    (prefix == "" && prev ~ /(^|[^A-Za-z0-9_])static([^A-Za-z0-9_]|$)/))
				kind = "inline"
			print name, kind
		}
		if ($0 ~ /[^ \t]/)
			prev = $0
	}'
}

# A prototype as one line with the spaces that do not matter removed.
normalize() {
	tr '\n\t' '  ' | sed -e 's/  */ /g' -e 's/ *\([][*(),;]\) */\1/g' \
		-e 's/^ //' -e 's/ $//'
}

# The header's prototype of function $2: from its name's line to ; or {.
header_prototype() {
	strip_c "$1" | awk -v fn="$2" '
	!found {
		if ($0 !~ "(^|[^A-Za-z0-9_])" fn "[ \t]*\\(") { prev = $0; next }
		found = 1
		if ($0 ~ "^" fn) text = prev "\n"
	}
	found {
		line = $0
		i = index(line, ";"); j = index(line, "{")
		if (j && (!i || j < i)) i = j
		if (i) { text = text substr(line, 1, i - 1) ";"; print text; exit }
		text = text line "\n"
	}' | normalize | sed -e 's/^\(static\|inline\|extern\) //' \
		-e 's/^\(static\|inline\|extern\) //'
}

# The symbols of a version script: "symbol node".
map_symbols() {
	strip_c "$1" | awk '
	/^[ \t]*[A-Za-z_][A-Za-z0-9_.]*[ \t]*\{/ {
		node = $1; sub(/\{.*/, "", node); global = 0; next
	}
	/global:/ { global = 1; next }
	/local:/ { global = 0; next }
	global && /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*;/ {
		sym = $1; sub(/;.*/, "", sym); print sym, node
	}'
}

# The page a page name leads to, following one .so: "man3/x.3".
resolve() {
	local page=$1 first
	first=$(head -n1 "$mandir/$page")
	case $first in
	'.so '*) echo "${first#.so }" ;;
	*) echo "$page" ;;
	esac
}

# The NAME line of a page: the text between .SH NAME and the next .SH.
name_line() {
	awk '/^\.SH/ { if (inname) exit; inname = ($0 ~ /^\.SH "?NAME"?$/); next }
	     inname { print }' "$mandir/$1" | tr '\n' ' '
}

cd "$mandir" || { echo "no man directory $mandir" >&2; exit 1; }
pages=$(ls man[1-8]/*.[1-8] 2>/dev/null | sort)

# page
for page in $pages; do
	diag=$tmp/diag
	: >"$diag"
	first=$(head -n1 "$page")
	case $first in '.so '*) real=0 ;; *) real=1 ;; esac
	if ! have man || ! have groff; then
		skipped "page $page" "man or groff is not installed"
		continue
	fi
	man --warnings -l -Tutf8 "$page" 2>>"$diag" >/dev/null ||
		echo "man -l exited with status $?" >>"$diag"
	groff -man -ww -z "$page" >>"$diag" 2>&1
	if [ $real = 1 ]; then
		base=${page#*/}
		sect=${base##*.}
		name=${base%.*}
		upper=$(echo "$name" | tr '[:lower:]' '[:upper:]')
		th=$(grep -m1 '^\.TH ' "$page")
		set -- $th
		[ "${2:-}" = "$upper" ] && [ "${3:-}" = "$sect" ] ||
			echo ".TH is '$th', expected '.TH $upper $sect ...'" >>"$diag"
		[ "${page%%/*}" = "man$sect" ] ||
			echo "section $sect page in ${page%%/*}/" >>"$diag"
		if have lexgrog; then
			lexgrog "$page" >/dev/null 2>&1 ||
				echo "lexgrog cannot read its NAME section" >>"$diag"
		fi
		need="NAME DESCRIPTION SEE.ALSO"
		case $sect in 3|4|8) need="$need SYNOPSIS" ;; esac
		case $name in shmdev_*) need="$need RETURN.VALUE ERRORS" ;; esac
		for s in $need; do
			grep -q "^\.SH \"\{0,1\}$s\"\{0,1\}$" "$page" ||
				echo "no section ${s/./ }" >>"$diag"
		done
	fi
	ok "page $page" "$diag"
done

# so-link
for page in $pages; do
	first=$(head -n1 "$page")
	case $first in '.so '*) ;; *) continue ;; esac
	diag=$tmp/diag
	: >"$diag"
	target=${first#.so }
	base=${page#*/}
	if [ "$(wc -l <"$page")" != 1 ]; then
		echo "a .so page must hold only the .so line" >>"$diag"
	fi
	if [ ! -f "$target" ]; then
		echo "'$target' does not exist" >>"$diag"
	else
		case $(head -n1 "$target") in
		'.so '*) echo "'$target' is itself a .so link" >>"$diag" ;;
		esac
		name_line "$target" | grep -q "\(^\|[ ,]\)${base%.*}\([ ,]\|$\)" ||
			echo "the NAME of $target does not list ${base%.*}" >>"$diag"
	fi
	ok "so-link $page -> $target" "$diag"
done

# xref: references like shmdev_open (3) or shmdevctl (8) on macro lines.
for page in $pages; do
	case $(head -n1 "$page") in '.so '*) continue ;; esac
	diag=$tmp/diag
	: >"$diag"
	grep '^\.' "$page" |
		grep -o '\(lib\)\{0,1\}shmdev[A-Za-z0-9_]* *(\{0,1\}[1-8])' |
		sed -e 's/[ (]*\([1-8]\))$/ \1/' | sort -u |
	while read -r ref sect; do
		[ -f "man$sect/$ref.$sect" ] ||
			echo "refers to $ref($sect), which has no page" >>"$diag"
	done
	ok "xref $page" "$diag"
done

# function
if [ ! -f "$header" ]; then
	echo "no header $header" >"$tmp/diag"
	ok "header $header exists" "$tmp/diag"
fi
header_functions "$header" 2>/dev/null >"$tmp/functions"
map_symbols "$map" 2>/dev/null >"$tmp/symbols"
if [ ! -s "$tmp/functions" ]; then
	echo "no shmdev_*() declaration found in $header" >"$tmp/diag"
	ok "header declares functions" "$tmp/diag"
fi
while read -r fn kind; do
	diag=$tmp/diag
	: >"$diag"
	page=man3/$fn.3
	if [ ! -f "$page" ]; then
		echo "no page $page" >>"$diag"
	else
		target=$(resolve "$page")
		if [ ! -f "$target" ]; then
			echo "$page leads to $target, which does not exist" >>"$diag"
		else
			name_line "$target" | grep -q "\(^\|[ ,]\)$fn\([ ,]\|$\)" ||
				echo "the NAME of $target does not list $fn" >>"$diag"
			want=$(header_prototype "$header" "$fn")
			have_syn=$(MANWIDTH=1000 man -l "$target" 2>/dev/null | col -b |
				   awk '/^[A-Z]/ { on = ($0 == "SYNOPSIS") ; next } on' |
				   normalize)
			case $have_syn in
			*"$want"*) ;;
			*) echo "the SYNOPSIS of $target lacks the header's prototype:" >>"$diag"
			   echo "  $want" >>"$diag" ;;
			esac
		fi
	fi
	grep -q "^\.BR $fn (3)" man3/libshmdev.3 2>/dev/null ||
		echo "libshmdev(3) does not list $fn" >>"$diag"
	if [ "$kind" = inline ]; then
		# Listed all the same: the old symbol of a call that became an
		# inline wrapper, kept for programs linked before (see symbol).
		:
	else
		grep -q "^$fn " "$tmp/symbols" ||
			echo "not in the version script $map" >>"$diag"
	fi
	ok "function $fn" "$diag"
done <"$tmp/functions"

# symbol
if [ -f "$lib" ] && have nm; then
	nm -D --defined-only "$lib" >"$tmp/nm" 2>&1 || {
		cp "$tmp/nm" "$tmp/diag"
		ok "nm -D $lib" "$tmp/diag"
		: >"$tmp/nm"
	}
fi
while read -r sym node; do
	diag=$tmp/diag
	: >"$diag"
	if grep -q "^$sym inline$" "$tmp/functions"; then
		# The old call: programs linked before, and lookups by name, find it.
		if [ -f "$tmp/nm" ]; then
			grep -q " $sym@@$node$" "$tmp/nm" ||
				echo "$(basename "$lib") does not export $sym@@$node (static inline in $header: the old call, still the default for lookups by name)" >>"$diag"
		fi
	else
		grep -q "^$sym extern$" "$tmp/functions" ||
			echo "$sym is not declared as a function in $header" >>"$diag"
		if [ -f "$tmp/nm" ]; then
			grep -q " $sym@@\{0,1\}$node$" "$tmp/nm" ||
				echo "$(basename "$lib") does not export $sym@@$node" >>"$diag"
		fi
	fi
	ok "symbol $sym ($node)" "$diag"
done <"$tmp/symbols"

# exports
if [ -f "$tmp/nm" ]; then
	diag=$tmp/diag
	: >"$diag"
	awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" | sort -u |
	while read -r sym; do
		grep -q "^$sym " "$tmp/symbols" ||
			echo "exports $sym, which the version script does not list" >>"$diag"
	done
	ok "exports of $(basename "$lib")" "$diag"
elif [ ! -f "$lib" ]; then
	skipped "exports" "$lib is not built"
else
	skipped "exports" "nm is not installed"
fi

# shmdevctl: "command" and "command --long" lines, from the tool's help and
# from the page. Long options only; "global --x" for those outside commands.
help_options() {
	awk -v cmd="$1" '
	/^[A-Za-z].*:$/ { section = $0 }
	section == "Commands:" && /^[^ ]/ && !/^Commands:$/ { section = "" }
	section == "Commands:" && /^  [a-z][a-z-]*( |$)/ && cmd == "" {
		c = $1; print c
	}
	{
		who = (cmd != "") ? cmd : (section == "Commands:" ? c : "global")
		line = $0
		# The help of one command: its usage line, and the first option of
		# each option line: descriptions may name options of other commands.
		if (cmd != "" && line !~ /^[Uu]sage:/) {
			if (line !~ /^ +(-[A-Za-z0-9], )?--[a-z]/)
				next
			match(line, /--[a-z][a-z-]*/)
			line = substr(line, RSTART, RLENGTH)
		}
		while (match(line, /--[a-z][a-z-]*/)) {
			o = substr(line, RSTART + 2, RLENGTH - 2)
			if (o != "help" && who != "")
				print who, o
			line = substr(line, RSTART + RLENGTH)
		}
	}'
}

tool_options() {
	local cmd main
	main=$("$tool" --help 2>/dev/null)
	printf '%s\n' "$main" | help_options "" >"$tmp/tool_main"
	cat "$tmp/tool_main"
	grep -v ' ' "$tmp/tool_main" | while read -r cmd; do
		local own
		own=$("$tool" "$cmd" --help 2>/dev/null)
		[ "$own" = "$main" ] || printf '%s\n' "$own" | help_options "$cmd"
	done
	"$tool" help >/dev/null 2>&1 && echo help
}

page_options() {
	awk '
	/^\.SH / { on = ($0 ~ /^\.SH "?COMMANDS"?$/); depth = 0; next }
	!on { next }
	/^\.RS/ { depth++ }
	/^\.RE/ { depth-- }
	prev == ".TP" && depth == 0 && /^\.B [a-z]/ { cmd = $2; print cmd; prev = $0; next }
	prev == ".TP" && /^\.BR? / {
		line = $0
		while (match(line, /\\-\\-[a-z][a-z-]*/)) {
			o = substr(line, RSTART + 4, RLENGTH - 4)
			print (depth ? cmd : "global"), o
			line = substr(line, RSTART + RLENGTH)
		}
	}
	{ prev = $0 }' "$1"
}

if [ -x "$tool" ] && [ -f man8/shmdevctl.8 ]; then
	diag=$tmp/diag
	: >"$diag"
	tool_options | sort -u >"$tmp/tool_opts"
	page_options man8/shmdevctl.8 | sort -u >"$tmp/page_opts"
	[ -s "$tmp/tool_opts" ] || echo "$tool --help lists no commands" >>"$diag"
	comm -23 "$tmp/tool_opts" "$tmp/page_opts" | sed 's/^/missing from shmdevctl(8): /' >>"$diag"
	comm -13 "$tmp/tool_opts" "$tmp/page_opts" | sed 's/^/shmdevctl(8) documents what the tool lacks: /' >>"$diag"
	ok "shmdevctl(8) matches $(basename "$tool") --help" "$diag"
elif [ ! -x "$tool" ]; then
	skipped "shmdevctl(8) matches shmdevctl --help" "$tool is not built"
fi

echo "TAP version 13"
echo "1..$n"
cat "$results"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
