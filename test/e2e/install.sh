#!/usr/bin/env bash
# Vendored from the shared vscode-e2e recipe (tools/vscode-e2e/install.sh) so that a fresh clone
# can run CNN Studio's end-to-end test without it; playwright-core is optional here.
# Installs a real VS Code (code-server: VS Code's server + browser workbench),
# playwright-core and optionally @vscode/vsce into a cache directory, using only
# the npm registry and Debian packages (no GitHub/CDN downloads).
#
#   VSCODE_E2E_CACHE   install location (default: ~/.cache/vscode-e2e)
#   WITH_VSCE=1        also install @vscode/vsce (to package a .vsix)
#
# Idempotent: each part is skipped when its stamp file exists. Delete the cache
# directory (or a part of it) to force a reinstall.
#
# Layout produced:
#   $VSCODE_E2E_CACHE/code-server/node_modules/code-server/out/node/entry.js
#   $VSCODE_E2E_CACHE/playwright/node_modules/playwright-core
#   $VSCODE_E2E_CACHE/vsce/node_modules/.bin/vsce          (WITH_VSCE=1)
set -euo pipefail

CODE_SERVER_VERSION=4.100.3   # VS Code 1.100.3; the last release that runs on Node 20
PLAYWRIGHT_VERSION=1.65.1
VSCE_VERSION=3.9.2            # 4.x needs Node >= 22

CACHE="${VSCODE_E2E_CACHE:-$HOME/.cache/vscode-e2e}"
mkdir -p "$CACHE"
log() { echo "[vscode-e2e] $*"; }

# ---------------------------------------------------------------- Node check
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ] && [ -z "${VSCODE_E2E_ANY_NODE:-}" ]; then
  echo "code-server $CODE_SERVER_VERSION needs Node 20 (found $(node --version))." >&2
  echo "On Node 22/24 use a newer code-server (4.103+); set VSCODE_E2E_ANY_NODE=1 to try anyway." >&2
  exit 1
fi

# ---------------------------------------------------------------- apt
# chromium: the browser Playwright drives.  ripgrep: replaces the rg binary
# that @vscode/ripgrep would download from GitHub (used by search/Quick Open).
# libkrb5-dev + pkg-config + build-essential + python3: to compile the native
# modules (kerberos, node-pty, spdlog, ...) from source.
APT_PKGS=(chromium ripgrep)
# The build tools are needed only to compile code-server's native modules.
[ -f "$CACHE/code-server/.installed-$CODE_SERVER_VERSION" ] || APT_PKGS+=(libkrb5-dev pkg-config build-essential python3)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------- npm env
# node-gyp must use the local Node headers; otherwise it tries to download
# them from nodejs.org and fails.
NODE_PREFIX="$(dirname "$(dirname "$(command -v node)")")"
if [ -f "$NODE_PREFIX/include/node/node_version.h" ]; then
  export npm_config_nodedir="$NODE_PREFIX"
elif [ -z "${npm_config_nodedir:-}" ]; then
  echo "warning: no Node headers in $NODE_PREFIX/include/node; native builds may try to download them" >&2
fi
# node-pty's postinstall runs `npx node-gyp ...`; with `yes=false` in npmrc
# that prompt is refused and the install aborts.  Allow npx to fetch from npm.
export npm_config_yes=true
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# code-server refuses to install as root without this.
export npm_config_unsafe_perm=true

# ---------------------------------------------------------------- code-server
CS_ROOT="$CACHE/code-server"
CS_STAMP="$CS_ROOT/.installed-$CODE_SERVER_VERSION"
if [ ! -f "$CS_STAMP" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CS_ROOT (several minutes)"
  rm -rf "$CS_ROOT"
  mkdir -p "$CS_ROOT"
  cd "$CS_ROOT"
  echo '{ "name": "vscode-e2e-code-server", "private": true }' > package.json

  # 1. code-server and its own deps, WITHOUT scripts: its postinstall would run
  #    `npm install` in lib/vscode, where @vscode/ripgrep's postinstall
  #    downloads rg from GitHub and fails.
  npm install --ignore-scripts --no-package-lock "code-server@$CODE_SERVER_VERSION"

  # 2. argon2 (loaded at startup) is native: build it.  Its prebuilt-binary
  #    download fails and it falls back to compiling from source.
  npm rebuild argon2

  # 3. What code-server's postinstall.sh does, with ripgrep taken from Debian.
  VS="$CS_ROOT/node_modules/code-server/lib/vscode"
  cd "$VS"
  npm install --omit=dev --ignore-scripts
  # @vscode/ripgrep's postinstall exits early when bin/ exists.
  mkdir -p node_modules/@vscode/ripgrep/bin
  ln -sfn "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  # Now run every install script (compiles node-pty, spdlog, kerberos, ...).
  npm rebuild --foreground-scripts
  ln -sfn node_modules node_modules.asar
  (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
  (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
  (cd extensions && npm install --omit=dev)

  # Smoke check: the native modules load and the CLI starts.
  node -e 'for (const m of ["node-pty","@vscode/spdlog","native-watchdog","kerberos"]) require(m)'
  node "$CS_ROOT/node_modules/code-server/out/node/entry.js" --config /dev/null --version
  touch "$CS_STAMP"
else
  log "code-server $CODE_SERVER_VERSION already installed"
fi

# ---------------------------------------------------------------- playwright-core (optional)
# CNN Studio's tests use the project's own playwright-core (a devDependency); WITH_PLAYWRIGHT=1
# installs a copy into the cache as the shared recipe does.
if [ -n "${WITH_PLAYWRIGHT:-}" ]; then
PW_ROOT="$CACHE/playwright"
PW_STAMP="$PW_ROOT/.installed-$PLAYWRIGHT_VERSION"
if [ ! -f "$PW_STAMP" ]; then
  log "installing playwright-core $PLAYWRIGHT_VERSION (no browser download; Debian chromium is used)"
  rm -rf "$PW_ROOT"
  mkdir -p "$PW_ROOT"
  cd "$PW_ROOT"
  echo '{ "name": "vscode-e2e-playwright", "private": true }' > package.json
  npm install --no-package-lock "playwright-core@$PLAYWRIGHT_VERSION"
  touch "$PW_STAMP"
else
  log "playwright-core $PLAYWRIGHT_VERSION already installed"
fi
fi

# ---------------------------------------------------------------- vsce (optional)
if [ -n "${WITH_VSCE:-}" ]; then
  VSCE_ROOT="$CACHE/vsce"
  VSCE_STAMP="$VSCE_ROOT/.installed-$VSCE_VERSION"
  if [ ! -f "$VSCE_STAMP" ]; then
    log "installing @vscode/vsce $VSCE_VERSION"
    rm -rf "$VSCE_ROOT"
    mkdir -p "$VSCE_ROOT"
    cd "$VSCE_ROOT"
    echo '{ "name": "vscode-e2e-vsce", "private": true }' > package.json
    npm install --no-package-lock "@vscode/vsce@$VSCE_VERSION"
    touch "$VSCE_STAMP"
  else
    log "@vscode/vsce $VSCE_VERSION already installed"
  fi
fi

log "done: $CACHE"
