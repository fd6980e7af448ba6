#!/bin/sh
# animabot's container entry point. `docker run -v "$PWD/data:/data"` mounts a host folder that
# Docker creates owned by root: started as root, this gives /data to the app user, then drops
# to that user (setpriv, from Debian's util-linux) before anything else runs. Started with
# --user, it runs as that user as is. A first start writes a configuration with no platform
# enabled, which `animabot run` then reports.
set -eu

DATA="${ANIMABOT_DATA:-/data}"
APP_USER="${ANIMABOT_USER:-animabot}"
CONFIG="${ANIMABOT_CONFIG:-$DATA/config.toml}"
FIRST_CONFIG="${ANIMABOT_FIRST_CONFIG:-/usr/share/animabot/config.toml}"

if [ "$(id -u)" = 0 ]; then
    uid="$(id -u "$APP_USER")"
    gid="$(id -g "$APP_USER")"
    mkdir -p "$DATA"
    if ! setpriv --reuid="$uid" --regid="$gid" --init-groups test -w "$DATA"; then
        chown "$uid:$gid" "$DATA"
    fi
    HOME="$(getent passwd "$APP_USER" | cut -d: -f6)"
    export HOME
    exec setpriv --reuid="$uid" --regid="$gid" --init-groups "$0" "$@"
fi

if [ ! -w "$DATA" ]; then
    echo "animabot: $DATA is not writable by uid $(id -u): give it to that user" \
         "(chown $(id -u) on the host folder) or run the container without --user" >&2
    exit 1
fi
if [ ! -f "$CONFIG" ]; then
    cp "$FIRST_CONFIG" "$CONFIG"
    echo "animabot: wrote a first configuration to $CONFIG, with no platform enabled yet:" \
         "edit it, or pass -e ANIMABOT_TELEGRAM__ENABLED=true -e ANIMABOT_TELEGRAM__TOKEN=..." >&2
fi
exec "$@"
