#!/usr/bin/env bash
# Installs the real-VS-Code test harness (code-server 4.100.3 = VS Code 1.100.3, playwright-core)
# into this folder, from its own lockfile, so the root `npm install` never compiles any of it.
# Follows shared/notes/vscode-harness.md "Install script (verified twice from scratch)".
# Idempotent: apt is skipped when every needed binary/header is present, `npm ci` is skipped
# when node_modules was installed from the current package-lock.json.
#   usage: tools/vscode-harness/install.sh [--force]
set -euo pipefail

H=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FORCE=${1:-}
export DEBIAN_FRONTEND=noninteractive

# One install at a time (CI, `npm start` and a developer may race on the same folder).
mkdir -p "$H/tmp"
exec 9>"$H/tmp/.install.lock"
flock 9

# --- Debian packages -------------------------------------------------------------------------
# chromium: the browser Playwright drives; libkrb5-dev + pkg-config: the native `kerberos`
# module; ripgrep: seeds @vscode/ripgrep's cache (its postinstall would download from GitHub);
# python3/make/g++: node-gyp; haproxy/nginx/git/curl: other suites (traffic routers, discovery).
APT_PKGS=(chromium libkrb5-dev pkg-config ripgrep haproxy nginx git curl python3 make g++)
need_apt=0
for bin in chromium rg haproxy nginx git curl pkg-config python3 make g++; do
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ]; then need_apt=1; fi
done
[ -f /usr/include/gssapi/gssapi.h ] || need_apt=1
if [ "$need_apt" = 1 ] || [ "$FORCE" = --force ]; then
  echo "[harness] apt-get install ${APT_PKGS[*]}"
  apt-get update -qq
  apt-get install -y -qq "${APT_PKGS[@]}" >/dev/null
else
  echo "[harness] apt packages present"
fi

# --- npm packages from the harness lockfile ----------------------------------------------------
LOCK_SUM=$(sha256sum "$H/package-lock.json" | cut -d' ' -f1)
STAMP="$H/node_modules/.harness-lock.sha256"
SERVER_MAIN="$H/node_modules/code-server/lib/vscode/out/server-main.js"
if [ "$FORCE" != --force ] && [ -f "$SERVER_MAIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$LOCK_SUM" ]; then
  echo "[harness] node_modules matches package-lock.json"
else
  export TMPDIR="$H/tmp"   # the seeded ripgrep cache lives here
  RG_CACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$RG_CACHE" "$H/rgseed"
  cp "$(command -v rg)" "$H/rgseed/rg"
  tar czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$H/rgseed" rg
  # node-gyp would otherwise download Node headers, which is impossible offline.
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
    export npm_config_nodedir=/usr
  fi
  echo "[harness] npm ci (code-server builds native modules: ~2 min)"
  rm -f "$STAMP"
  (cd "$H" && npm_config_unsafe_perm=true npm_config_yes=true \
    npm ci --no-audit --no-fund --loglevel=error)
  echo "$LOCK_SUM" > "$STAMP"
fi

# A cheap check that the server really runs (also catches a half-finished earlier install).
mkdir -p "$H/tmp/xdg" "$H/tmp/ud"
version=$(XDG_CONFIG_HOME="$H/tmp/xdg" "$H/node_modules/.bin/code-server" --version \
  --user-data-dir "$H/tmp/ud" 2>/dev/null | tail -1)
case "$version" in
  4.100.3*) echo "[harness] code-server $version" ;;
  *) rm -f "$STAMP"; echo "[harness] code-server did not start (got: '$version'); rerun with --force" >&2; exit 1 ;;
esac
