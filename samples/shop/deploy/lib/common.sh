# Shared by the deploy scripts: validates the environment inputs and derives the port,
# pid file and log file of one service instance. Sourced, never run.
SHOP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN_DIR="$SHOP_ROOT/.run"
SERVICES=(web api worker auth)
# test comes last so that adding it kept the ports of dev, staging and production.
ENVIRONMENTS=(dev staging production test)

die() { echo "error: $*" >&2; exit 2; }

index_of() { # index_of VALUE LIST...
  local v=$1 i=0; shift
  for x in "$@"; do [ "$x" = "$v" ] && { echo "$i"; return 0; }; i=$((i + 1)); done
  return 1
}

resolve_instance() {
  : "${SERVICE:?SERVICE is required (web, api, worker or auth)}"
  : "${TARGET_ENV:?TARGET_ENV is required (dev, test, staging or production)}"
  COLOR=${COLOR:-}
  local s e c=0
  s=$(index_of "$SERVICE" "${SERVICES[@]}") || die "unknown SERVICE '$SERVICE' (web, api, worker, auth)"
  e=$(index_of "$TARGET_ENV" "${ENVIRONMENTS[@]}") || die "unknown TARGET_ENV '$TARGET_ENV' (dev, test, staging, production)"
  case "$COLOR" in
    '' | blue) c=0 ;;
    green) c=1 ;;
    *) die "unknown COLOR '$COLOR' (blue, green or empty)" ;;
  esac
  PORT=$(( ${SHOP_PORT_BASE:-41000} + 100 * (s + 1) + 10 * e + c ))
  INSTANCE="$SERVICE-$TARGET_ENV${COLOR:+-$COLOR}"
  PID_FILE="$RUN_DIR/$INSTANCE.pid"
  LOG_FILE="$RUN_DIR/$INSTANCE.log"
}

# True while the process runs. A zombie has already exited: the services are detached, so their
# parent is init, which may take a second or more to reap them (kill -0 still succeeds until then).
alive() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/stat" ]; then [ "$(sed 's/.*) //' "/proc/$pid/stat" | cut -c1)" != Z ]; fi
}

# Stops the instance named by a pid file, if it is still running.
stop_pid_file() {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  rm -f "$f"
  if [ -n "$pid" ] && alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}
