#!/bin/sh
# Stands in for `kubectl` in the command-router tests: keeps a weighted split in a state file.
#   fake-kubectl.sh patch   -- stores BG_BLUE_WEIGHT / BG_GREEN_WEIGHT (from the environment)
#   fake-kubectl.sh get     -- prints "blue=N green=N"
#   fake-kubectl.sh get-json -- prints {"blue":N,"green":N}
# State file: $FAKE_KUBECTL_STATE. Each call is appended to $FAKE_KUBECTL_STATE.log.
set -eu
state="${FAKE_KUBECTL_STATE:?FAKE_KUBECTL_STATE not set}"
printf '%s blue=%s green=%s target=%s\n' "$1" "${BG_BLUE_WEIGHT:-}" "${BG_GREEN_WEIGHT:-}" "${BG_TARGET_COLOUR:-}" >> "$state.log"
case "$1" in
  patch)
    case "$BG_BLUE_WEIGHT$BG_GREEN_WEIGHT" in
      *[!0-9]*|'') echo "error: weights must be integers" >&2; exit 2 ;;
    esac
    printf 'blue=%s green=%s\n' "$BG_BLUE_WEIGHT" "$BG_GREEN_WEIGHT" > "$state.tmp"
    mv "$state.tmp" "$state"
    echo "service/app patched"
    ;;
  get)
    cat "$state"
    ;;
  get-json)
    sed -E 's/blue=([0-9]+) green=([0-9]+)/{"blue":\1,"green":\2}/' "$state"
    ;;
  *)
    echo "error: unknown command \"$1\"" >&2
    exit 1
    ;;
esac
