#!/bin/sh
set -e
# Same behaviour as the official image's entrypoint: `docker run node:24 -e '...'` runs node
# with those flags; anything else (a program on PATH) runs as given.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
