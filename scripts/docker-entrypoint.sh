#!/bin/sh
# Container entrypoint (see Dockerfile). Fly.io mounts a volume at /data owned by root; the
# gateway runs as the unprivileged user "epiloop". Started as root, this script gives the
# state dir (and anything written into it as root, e.g. over `fly ssh console`) to epiloop,
# then replaces itself with the command run as epiloop. Started as any other user it only
# runs the command.
set -eu

APP_USER=epiloop
STATE_DIR="${EPILOOP_STATE_DIR:-/data}"

if [ "$(id -u)" != 0 ]; then
  exec "$@"
fi

mkdir -p "$STATE_DIR"
# Owner only: it holds the database, the secret key and the gateway token (the image's /data
# and a fresh Fly volume are 0755; `doctor` flags a looser state dir). Never fatal.
chmod 0700 "$STATE_DIR" || echo "could not chmod 0700 $STATE_DIR" >&2
# Only directories and single-link regular files, never following symlinks (chown -h): a
# link planted in the volume cannot hand a system file to the app user. lost+found stays root's.
find "$STATE_DIR" -xdev -path "$STATE_DIR/lost+found" -prune -o \
  ! -user "$APP_USER" \( -type d -o -type f -links 1 \) \
  -exec chown -h "$APP_USER:$APP_USER" {} +

export HOME="/home/$APP_USER" USER="$APP_USER" LOGNAME="$APP_USER"
exec setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups --inh-caps=-all -- "$@"
