#!/bin/sh
# A Linux program built with Axon's include directory first on the path
# and its after directory (as pkg-config --cflags axon puts them) must
# build and behave as without:
# each program under tests/linux/ is compiled both ways with -Wall -Werror
# and run, and the outputs must match.  Then no symbol libaxon exports may
# also be one the C library exports.
set -eu
BUILD=${1:-build}
inc=$(pwd)/include/axon
tmp=$(mktemp -d /tmp/axon-linux-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
for src in tests/linux/*.c tests/linux/*.cc; do
	name=$(basename "$src")
	libs=-lpthread
	case "$src" in
	*.cc) cc="c++ -std=gnu++17" ;;
	*strict.c) cc="cc -std=c11 -pedantic" ;;
	*_lpci.c) cc="cc -std=gnu17"; libs="-lpci -lpthread" ;; # libpci-dev
	*) cc="cc -std=gnu17" ;;
	esac
	# Without Axon; with Axon's headers (and libaxon linked, for the
	# names they map onto it).
	$cc -Wall -Wextra -Werror -o "$tmp/$name.plain" "$src" $libs
	$cc -Wall -Wextra -Werror -I"$inc" -idirafter "$inc/after" \
		-o "$tmp/$name.axon" "$src" \
		"$BUILD/libaxon.a" $libs
	"$tmp/$name.plain" > "$tmp/$name.out.plain"
	"$tmp/$name.axon" > "$tmp/$name.out.axon"
	if ! cmp -s "$tmp/$name.out.plain" "$tmp/$name.out.axon"; then
		echo "linux-compat: $name behaves differently with Axon's headers"
		diff "$tmp/$name.out.plain" "$tmp/$name.out.axon" || true
		fail=1
	fi
done
# Symbols: libaxon's exports against the C library's.
libc=$(cc -print-file-name=libc.so.6)
nm -D --defined-only "$BUILD/libaxon.so.1" | awk '{print $NF}' |
	sed 's/@.*//' | sort -u > "$tmp/axon.syms"
for l in "$libc" "$(cc -print-file-name=libm.so.6)"; do
	nm -D --defined-only "$l" | awk '{print $NF}' | sed 's/@.*//'
done | sort -u > "$tmp/libc.syms"
clash=$(comm -12 "$tmp/axon.syms" "$tmp/libc.syms" |
	grep -v -e '^_init$' -e '^_fini$' -e '^_edata$' -e '^_end$' \
		-e '^__bss_start$' || true)
if [ -n "$clash" ]; then
	echo "linux-compat: libaxon exports symbols the C library has:"
	echo "$clash"
	fail=1
fi
[ $fail -eq 0 ] && echo "linux-compat: ok ($(ls tests/linux | wc -l) programs," \
	"$(wc -l < "$tmp/axon.syms") exported symbols, no clash)"
exit $fail
