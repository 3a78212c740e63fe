#!/usr/bin/env bash
# `make run`: the development server with a job worker beside it (e-mails, webhook deliveries,
# the daily jobs), its queue in instance/jobs.sqlite. Stopping the server (Ctrl-C) stops the
# worker too; a worker that dies leaves the jobs waiting in the queue for the next start.
set -euo pipefail

BIN=${BIN:-.venv/bin}
PORT=${PORT:-5000}

"$BIN/flask" jobs-worker --workers 2 &
worker=$!
stop_worker() {
    kill -TERM "$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT TERM

"$BIN/flask" run --host 127.0.0.1 --port "$PORT"
