#!/bin/sh
# Upgrade the blog in place, as root:  /srv/rounds/deploy/upgrade.sh
#
# 1. a backup (flask backup: database, media, config) while the site still serves, into
#    the nightly backups' folder, where `flask restore` takes it back;
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

BACKUPS=${ROUNDS_BACKUPS:-/var/lib/rounds-backups}
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
if ! git diff --quiet HEAD --; then
    echo "This checkout has changed files (git status): put them aside first" \
        "(git stash), nothing changed." >&2
    exit 1
fi

saved=""
if [ "$backup" = yes ]; then
    # As rounds-backup.service does: the same folder (systemd's StateDirectory makes it
    # so), so unchanged media are hard links and the nightly run prunes it in time.
    install -d -o rounds -g rounds -m 0700 "$BACKUPS"
    (umask 0077 && flask_as_rounds backup "$BACKUPS")  # readable by the site's user alone
    saved=$(find "$BACKUPS" -mindepth 1 -maxdepth 1 -name '20*Z' | sort | tail -n 1)
fi

how_to_go_back() {
    echo "Backup from before the upgrade: ${saved:-(none taken)}"
    echo "To go back to $old_commit, from $(pwd):"
    echo "  systemctl stop rounds"
    if [ -n "$old_revision" ]; then
        echo "  sudo -u rounds .venv/bin/flask --app blog db downgrade $old_revision"
    fi
    echo "  git reset --keep $old_commit && make install-prod && systemctl start rounds"
    if [ -n "$saved" ]; then
        echo "If the downgrade fails, put the backup back instead (what was written since is lost):"
        echo "  sudo -u rounds .venv/bin/flask --app blog restore --yes $saved"
        echo "then the git reset line above."
    fi
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
site=/etc/nginx/sites-available/rounds
if ! git diff --quiet "$old_commit" HEAD -- deploy/nginx.conf; then
    # Not copied by itself: the copy there has the site's name, and maybe changes of yours.
    name=$(awk '$1 == "server_name" && $2 != "_;" { sub(/;$/, "", $2); print $2; exit }' "$site" 2>/dev/null)
    echo "deploy/nginx.conf has changed (git diff $old_commit HEAD -- deploy/nginx.conf). To use it:"
    printf '  %s\n' "sed 's/blog\\.example\\.org/${name:-your.name}/g' deploy/nginx.conf > $site && nginx -t && systemctl reload nginx"
fi
how_to_go_back
