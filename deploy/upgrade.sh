#!/bin/sh
# Upgrade the blog in place, as root:  /srv/rounds/deploy/upgrade.sh
#
# 1. a backup of the database (flask backup), while the site still serves;
# 2. the site stopped, the new code (git fast-forward) and its pinned dependencies;
# 3. the database migrations, then the systemd units copied afresh;
# 4. the site started again, and not done until it answers /healthz.
# It stops at the first failure and prints how to go back (README, "Upgrading").
# --no-backup skips step 1, for a PostgreSQL site (take a pg_dump first).
set -eu
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    echo "Run it as root: sudo $0" >&2
    exit 1
fi
backup=yes
if [ "${1:-}" = "--no-backup" ]; then backup=no; fi

BACKUPS=${ROUNDS_BACKUPS:-/srv/rounds-backups}
HEALTH_URL="http://${ROUNDS_BIND:-127.0.0.1:8000}/healthz"
# flask as the site's user, creating files as the unit does (UMask=0027).
flask_as_rounds() { runuser -u rounds -- .venv/bin/flask --app blog "$@"; }
flask() { (umask 0027 && flask_as_rounds "$@"); }
revision() { flask db current 2>/dev/null | awk 'NF { rev = $1 } END { print rev }'; }

old_commit=$(git rev-parse --short HEAD)
old_revision=$(revision)
git fetch --quiet
if [ "$(git rev-parse HEAD)" = "$(git rev-parse '@{upstream}')" ]; then
    echo "Already up to date ($old_commit)."
    exit 0
fi
if ! git merge-base --is-ancestor HEAD '@{upstream}'; then
    echo "This checkout has commits of its own: not a fast-forward, nothing changed." >&2
    exit 1
fi

saved="(none taken)"
if [ "$backup" = yes ]; then
    install -d -o rounds -g rounds -m 0700 "$BACKUPS"
    saved="$BACKUPS/before-upgrade-$(date +%Y%m%d-%H%M%S)-$old_commit.sqlite3"
    (umask 0077 && flask_as_rounds backup "$saved")  # readable by the site's user alone
fi

how_to_go_back() {
    echo "Database backup from before the upgrade: $saved"
    echo "To go back to $old_commit, from $(pwd):"
    if [ -n "$old_revision" ]; then
        echo "  sudo -u rounds .venv/bin/flask --app blog db downgrade $old_revision"
    fi
    echo "  git reset --keep $old_commit && make install-prod && systemctl restart rounds"
    echo "If the downgrade fails, restore the backup instead (README, \"Upgrading\")."
}
on_exit() {
    status=$?
    if [ "$status" -ne 0 ]; then
        echo "The upgrade failed (exit status $status); the site is $(systemctl is-active rounds)."
        how_to_go_back
    fi >&2
}
trap on_exit EXIT

systemctl stop rounds rounds-mail
git merge --ff-only --quiet '@{upstream}'
make --no-print-directory install-prod
flask db upgrade
install -m 0644 deploy/*.service deploy/*.timer /etc/systemd/system/
systemctl daemon-reload
systemctl start rounds
if systemctl is-enabled --quiet rounds-mail 2>/dev/null; then systemctl start rounds-mail; fi
.venv/bin/python - "$HEALTH_URL" <<'PYTHON'
import sys, time, urllib.request

for _ in range(60):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(1)
sys.exit(f"{sys.argv[1]} did not answer 200 within a minute: journalctl -u rounds")
PYTHON

echo "Upgraded $old_commit -> $(git rev-parse --short HEAD)," \
    "database ${old_revision:-none} -> $(revision)."
how_to_go_back
