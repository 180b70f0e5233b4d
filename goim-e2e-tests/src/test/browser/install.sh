#!/usr/bin/env bash
# The browser test's tools: Debian's chromium (installed by .ci/run, or: apt-get install -y chromium)
# and the npm package playwright-core, pinned, installed once into $GOIM_BROWSER_TOOLS
# (~/.cache/goim-browser), as helm/test.sh keeps its npm tools. Prints the node_modules folder.
set -euo pipefail

TOOLS=${GOIM_BROWSER_TOOLS:-$HOME/.cache/goim-browser}
NODE_PACKAGES=(playwright-core@1.65.1)

command -v node >/dev/null || { echo "install.sh: no node on PATH" >&2; exit 1; }
command -v npm >/dev/null || { echo "install.sh: no npm on PATH" >&2; exit 1; }
stamp=$TOOLS/node/.installed
if [[ ! -f $stamp || $(cat "$stamp") != "${NODE_PACKAGES[*]}" ]]; then
  echo "install.sh: installing ${NODE_PACKAGES[*]} (npm) into $TOOLS/node" >&2
  mkdir -p "$TOOLS/node"
  (cd "$TOOLS/node" && npm install --no-audit --no-fund --silent "${NODE_PACKAGES[@]}" >&2)
  echo "${NODE_PACKAGES[*]}" >"$stamp"
fi
echo "$TOOLS/node/node_modules"
