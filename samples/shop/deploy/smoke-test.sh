#!/usr/bin/env bash
# Checks a deployed instance: /health must answer ok (and the expected version, if given).
#   SERVICE TARGET_ENV [COLOR] [RELEASE_VERSION] [SHOP_PORT_BASE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
resolve_instance
body=$(curl -sf --max-time 5 "http://127.0.0.1:$PORT/health") || { echo "error: $INSTANCE is not answering on port $PORT" >&2; exit 1; }
if [ -n "${RELEASE_VERSION:-}" ] && [[ "$body" != *"\"version\":\"$RELEASE_VERSION\""* ]]; then
  echo "error: $INSTANCE runs another version: $body" >&2
  exit 1
fi
echo "$INSTANCE ok: $body"
