#!/bin/sh
# Called by `make test`: install redis-server and PostgreSQL when they are missing and we may
# (root with apt-get). Quiet, and never fails the run: without them those tests skip, saying why.
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
have_redis() { command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; }
if have_pg && have_redis; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "callbot: PostgreSQL or redis-server is missing (not root or no apt-get): their tests will skip." >&2
    exit 0
fi
missing=""
have_redis || missing="$missing redis-server"
have_pg || missing="$missing postgresql"
echo "callbot: installing$missing for the replica tests ..." >&2
export DEBIAN_FRONTEND=noninteractive
( apt-get install -y -q $missing >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $missing >/dev/null 2>&1; } ) \
    || echo "callbot: could not install$missing: their tests will skip." >&2
# Debian's packages start system services; the tests run their own servers on free ports.
for svc in redis-server postgresql; do service "$svc" stop >/dev/null 2>&1 || true; done
exit 0
