#!/bin/sh
# The packaged program: says where it runs, and with "reexec" runs its
# own name again through PATH, as programs that restart themselves do.
if [ -e /.flatpak-info ]; then where=sandbox; else where=host; fi
echo "hello from $where as $0 pid $$ args $*"
if [ "${1-}" = reexec ]; then exec "${0##*/}" again; fi
exit 0
