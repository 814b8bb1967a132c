#!/usr/bin/env bash
# Runs every benchmark (they print ratios against baselines measured in the same run).
# Extra arguments go to the benchmark, e.g. `npm run bench -- --migrations 200 --samples 20`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
npm run --silent build
# --expose-gc: a collection right before the resync, so its peak RSS is measured from a settled heap.
node --expose-gc bench/dist/operator.js "$@"
node bench/dist/rollback.js
# Sticky per-chat routing on the bus: the decision per message, and throughput with routing on vs off.
node bench/dist/routing.js
# The nats provider's weight reaching 100 simulated processes, and the operator's confirmation of it.
node bench/dist/nats-fanout.js
# The Telegram client's pacing against Telegram's documented limits (its own flags: see bench/README.md).
node bench/dist/telegram.js
# The services: webhook accept against a bare node:http + js.publish, and update → reply latency (see bench/README.md).
node bench/dist/webhook.js
node bench/dist/reply-latency.js
# Issue 20's second rate: 200 msg/s over 8 child bots (each under Telegram's 30/s per bot), after a 10 s warm-up on other chats.
node bench/dist/reply-latency.js --rate 200 --chats 400 --bots 8 --warmup 10
# The user service's svc.user.upsert alone: registrations and known users, 16 in flight (BENCH_USER_SERVICE=<build> compares two builds).
node bench/dist/registrations.js
# A fresh user service's first requests and its first after a quiet spell, against its own warm ones (BENCH_USER_SERVICE=<build> compares two builds).
node bench/dist/first-requests.js
# Payment callbacks against a bare node:http, and confirmation → the main bot's message (see bench/README.md).
node bench/dist/payments.js
# The notification scheduler: due posts' hand-off lag per interval, and fail-over per lease TTL (see bench/README.md).
node bench/dist/notifications.js
# The publisher's broadcaster against Telegram's limits, beside grammY (3,000 chats here; the full 10,000 with --chats 10000, about 16 min).
node bench/dist/broadcast.js --chats 3000
# Stage 7's schema swap: the longest write a steady writer sees per swap, with and without in-lock fingerprints (see bench/README.md).
node bench/dist/schema-move.js
