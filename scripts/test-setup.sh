#!/usr/bin/env bash
# Installs what the tests need beyond Python packages: Debian's Chromium, which the
# dashboard's browser tests drive through Playwright (Playwright cannot download browsers
# here). Idempotent and quick when already installed; needs root (or sudo) and apt.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
chromium --version
