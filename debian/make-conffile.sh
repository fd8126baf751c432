#!/bin/sh
# Writes /etc/axon/axond.conf for the axon-node package from the
# documented example (examples/axond.conf, given as $1): the same
# settings and comments, with those of the example's node "alpha" that
# only the operator can choose commented out (node, listen, peer), so
# that axond refuses to start until they are set.  Fails if the example
# no longer has the lines this expects, rather than ship them.
set -eu
ex=$1
for l in '^node alpha$' '^listen 127\.0\.0\.1:7000$' '^peer beta 127\.0\.0\.1:7001$' \
	'^secret-file /etc/axon/secret$'; do
	if [ "$(grep -c "$l" "$ex")" -ne 1 ]; then
		echo "make-conffile.sh: $ex has no single line $l" >&2
		exit 1
	fi
done
cat <<'HEAD'
# axond configuration for this host's default Axon node (axond.service,
# runtime directory /run/axon), installed by the axon-node package.
#
# To make this host a node: set "node" and "listen" (and "peer" for each
# other node) below, put the cluster secret (the same file on every
# node) in /etc/axon/secret with mode 0600, then
#
#	systemctl enable --now axond
#
# "systemctl reload axond" makes axond re-read this file and add the
# peers that are new in it; other changes need "systemctl restart axond".
# More nodes on this host: /etc/axon/NODE.conf and axond@NODE.service.
# See axond(8) and /usr/share/doc/axon-node/packaging.md.
#
HEAD
# The example's own header (up to the first blank line) is for the
# source tree: dropped.
sed -e '1,/^$/d' \
    -e 's/^node alpha$/#node alpha/' \
    -e 's/^listen 127\.0\.0\.1:7000$/#listen 0.0.0.0:7000/' \
    -e 's/^peer beta 127\.0\.0\.1:7001$/#peer beta 192.0.2.2:7000/' \
    "$ex"
