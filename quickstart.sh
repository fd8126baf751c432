#!/bin/sh
# Installs what Axon needs (Debian 12), builds it, and runs the demo.
set -eu
cd "$(dirname "$0")"
scripts/deps.sh
make -j"$(nproc)"
make demo
