#!/bin/sh
# Installs the Debian 12 packages Axon needs to build and test.
set -eu
# openssl: certificates in test_tls; libsystemd-dev: axond (sd_notify);
# libfuse3-dev, fuse3: axon-fs; debhelper, dpkg-dev, lintian and systemd
# (systemd-analyze): make deb-check; python3, python3-pytest: make
# check-python; cargo, rustc (Rust 1.63): make check-rust; tshark,
# tcpdump: make check-wireshark; libpci-dev: make linux-compat-check
# (a libpci program beside Axon's <pci/pci.h>).
PKGS="build-essential pkg-config clang libclang-rt-14-dev check mandoc iproute2 procps libssl-dev openssl libsystemd-dev libfuse3-dev fuse3 debhelper dpkg-dev lintian systemd python3 python3-pytest cargo rustc tshark tcpdump libpci-dev"
missing=""
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
# wireshark-common asks whether non-root users may capture: no, without
# asking (the answer is dumpcap without setuid; capture tests run as root).
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections
# (env: sudo would drop DEBIAN_FRONTEND from the environment)
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
