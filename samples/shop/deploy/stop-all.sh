#!/usr/bin/env bash
# Stops every locally deployed service instance of this repository copy.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
shopt -s nullglob
n=0
for f in "$RUN_DIR"/*.pid; do
  stop_pid_file "$f"
  n=$((n + 1))
done
echo "stopped $n instance(s)"
