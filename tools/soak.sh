#!/usr/bin/env bash
# The chaos soak (tools/soak/soak.py): the app and two runners on one data directory, a mix of
# jobs with known fates, runners killed and frozen, the app restarted; then every promise is
# checked and printed as a table. Full run: tools/soak.sh (2,000 jobs, up to 100 kills: the
# chaos ends when the jobs do; 1,000 jobs took 94 s and 55 kills here).
# Short run (CI): tools/soak.sh --jobs 200 --kills 20
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh build >/dev/null
exec python3 tools/soak/soak.py "$@"
