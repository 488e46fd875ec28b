#!/usr/bin/env bash
# Deploys one service locally: stops the previous instance (by its pid file), starts the new
# version on 127.0.0.1 and waits for /health. Inputs from the environment only:
#   SERVICE RELEASE_VERSION TARGET_ENV [COLOR] [SHOP_PORT_BASE] [FAIL_SERVICES]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
: "${RELEASE_VERSION:?RELEASE_VERSION is required (e.g. 1.2.0)}"
resolve_instance

echo "deploying $SERVICE $RELEASE_VERSION to $TARGET_ENV${COLOR:+ ($COLOR)} on port $PORT"
if [[ ",${FAIL_SERVICES:-}," == *",$SERVICE,"* ]]; then
  echo "error: $SERVICE failed to deploy (FAIL_SERVICES=$FAIL_SERVICES)" >&2
  exit 1
fi

mkdir -p "$RUN_DIR"
stop_pid_file "$PID_FILE"

# setsid: the service outlives this script and whatever process group ran it.
PORT=$PORT PIDFILE=$PID_FILE RELEASE_VERSION=$RELEASE_VERSION TARGET_ENV=$TARGET_ENV COLOR=$COLOR \
  setsid node "$SHOP_ROOT/services/$SERVICE/src/index.js" >"$LOG_FILE" 2>&1 < /dev/null &
echo $! > "$PID_FILE"

for _ in $(seq 100); do
  if body=$(curl -sf --max-time 2 "http://127.0.0.1:$PORT/health" 2>/dev/null) && [[ "$body" == *"\"version\":\"$RELEASE_VERSION\""* ]]; then
    echo "$SERVICE $RELEASE_VERSION healthy at http://127.0.0.1:$PORT"
    exit 0
  fi
  if ! alive "$(cat "$PID_FILE")"; then break; fi
  sleep 0.1
done
echo "error: $SERVICE did not become healthy on port $PORT; log:" >&2
tail -n 20 "$LOG_FILE" >&2 || true
stop_pid_file "$PID_FILE"
exit 1
