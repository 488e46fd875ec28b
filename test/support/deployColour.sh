#!/bin/sh
# Stands in for an environment's deploy pipeline in the blue-green tests: replaces the backend
# process of colour $COLOR with one serving $VERSION on that colour's port, detached with setsid
# so it outlives the pipeline step. Values arrive only as environment variables.
#   COLOR, VERSION   what to deploy where
#   BG_DIR           state: <colour>.port (input), <colour>.mode (optional start mode), <colour>.pid, <colour>.log
#   NODE, BACKEND    the node binary and test/support/colourBackend.mjs
set -eu
: "${COLOR:?COLOR not set}" "${VERSION:?VERSION not set}" "${BG_DIR:?BG_DIR not set}" "${NODE:?NODE not set}" "${BACKEND:?BACKEND not set}"
case "$COLOR" in blue|green) ;; *) echo "COLOR must be blue or green, got $COLOR" >&2; exit 2 ;; esac
port=$(cat "$BG_DIR/$COLOR.port")
pidfile="$BG_DIR/$COLOR.pid"

# Alive and not a zombie (an orphan's parent here may never reap it).
alive() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]; }

if [ -f "$pidfile" ]; then
  old=$(cat "$pidfile")
  kill "$old" 2>/dev/null || true
  i=0
  while alive "$old"; do
    i=$((i + 1))
    if [ "$i" -gt 200 ]; then echo "the old $COLOR backend (pid $old) did not stop" >&2; exit 1; fi
    sleep 0.05
  done
  rm -f "$pidfile"
fi

mode=ok
if [ -f "$BG_DIR/$COLOR.mode" ]; then mode=$(cat "$BG_DIR/$COLOR.mode"); fi
ready="$BG_DIR/$COLOR.ready"
rm -f "$ready"
COLOR="$COLOR" PORT="$port" VERSION="$VERSION" BACKEND_MODE="$mode" READY_FILE="$ready" \
  setsid "$NODE" "$BACKEND" >>"$BG_DIR/$COLOR.log" 2>&1 </dev/null &
i=0
while [ ! -s "$ready" ]; do
  i=$((i + 1))
  if [ "$i" -gt 300 ]; then echo "the $COLOR backend did not start:" >&2; tail -5 "$BG_DIR/$COLOR.log" >&2; exit 1; fi
  sleep 0.05
done
cp "$ready" "$pidfile"
echo "deployed $VERSION to $COLOR on 127.0.0.1:$port (pid $(cat "$pidfile"), mode $mode)"
