#!/bin/sh
# What tests/qnx/hwinfo_probe prints on this machine, read from sysfs as
# hwinfo(3) says the section is made: the first ttyS with a UART (type
# not 0) and its registers and interrupt, then every network interface
# but the loopback with an address, by name, named by its driver.
set -eu
uart=
for n in $(ls /sys/class/tty 2>/dev/null | sed -n 's/^ttyS\([0-9][0-9]*\)$/\1/p' |
	sort -n); do
	if [ "$(cat "/sys/class/tty/ttyS$n/type")" != 0 ]; then
		uart=/sys/class/tty/ttyS$n
		break
	fi
done
if [ -z "$uart" ]; then
	echo "uart: none"
else
	if [ "$(cat "$uart/io_type")" -le 1 ]; then
		base=$(cat "$uart/port")
		case $(uname -m) in
		x86_64 | i?86) space=io ;;
		*) space=none ;;
		esac
	else
		base=$(cat "$uart/iomem_base")
		space=memory
	fi
	line="uart: 8250"
	if [ $((base)) -ne 0 ]; then
		line="$line base $(printf '%#x' $((base))) $space"
	else
		line="$line base none"
	fi
	irq=$(cat "$uart/irq")
	if [ "$irq" -gt 0 ]; then
		line="$line irq $irq"
	else
		line="$line irq none"
	fi
	echo "$line"
fi
echo "drvr: agrees"
for i in $(ls /sys/class/net | LC_ALL=C sort); do
	d=/sys/class/net/$i
	addr=$(cat "$d/address" 2>/dev/null || true)
	if [ "$i" = lo ] || [ -z "$addr" ] ||
		[ "$(cat "$d/type" 2>/dev/null)" = 772 ]; then
		continue
	fi
	if [ -L "$d/device/driver" ]; then
		name=$(basename "$(readlink "$d/device/driver")")
	else
		name=$i
	fi
	echo "nic: $name $addr"
done
