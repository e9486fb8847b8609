#!/bin/sh
# apk runs this once per transaction, after every package, when a
# profile directory changed (and for all of them when boxwrap itself is
# installed or upgraded). The arguments are the directories; a removed
# package's may no longer exist. `boxwrap export` rescans both, so they
# are not needed. A broken profile is reported and skipped, the others
# exported: this script never fails the transaction.
boxwrap export || echo "boxwrap: exporting launchers failed; run 'boxwrap export' as root" >&2
exit 0
