#!/usr/bin/env bash
# The main job: rehearse a migration of the whole fleet on one machine. Not built yet (its issue
# joins the operator, the analysis and the services, which are still being built).
set -euo pipefail
echo "npm run demo: not yet. The demo lands with the 'main job' issue; today 'npm test' runs every part that exists." >&2
exit 2
