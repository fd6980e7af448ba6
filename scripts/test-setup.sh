#!/usr/bin/env bash
# Installs what the tests need beyond Python packages, idempotently:
# - Debian's Chromium, which the dashboard's browser tests drive through Playwright
#   (Playwright cannot download browsers here); needs root (or sudo) and apt;
# - Debian's PostgreSQL server binaries: the tests start a throwaway cluster of their own
#   (tests/support/postgres.py) to run the store on both backends; the service Debian
#   would start is not used;
# - the Node packages of the strict Element-crypto test resident
#   (tests/support/matrix_wasm: @matrix-org/matrix-sdk-crypto-wasm, from package-lock.json);
# - the Node packages of the back-office's sign-in and accessibility tests (tests/support/oidc:
#   oidc-provider, a certified OpenID provider, and axe-core).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
    chromium --version
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    ls /usr/lib/postgresql/*/bin/initdb
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "test-setup: Node.js 20+ and npm are needed for the strict Element-crypto, OpenID and accessibility tests" >&2
    exit 1
fi
if [ ! -f tests/support/matrix_wasm/node_modules/@matrix-org/matrix-sdk-crypto-wasm/package.json ]; then
    npm ci --prefix tests/support/matrix_wasm --no-audit --no-fund --loglevel=error
fi
if [ ! -f tests/support/oidc/node_modules/oidc-provider/package.json ] \
        || [ ! -f tests/support/oidc/node_modules/axe-core/axe.min.js ]; then
    npm ci --prefix tests/support/oidc --no-audit --no-fund --loglevel=error
fi
