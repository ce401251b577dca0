#!/usr/bin/env bash
# Sets up .venv and runs the main job on the embedded default: `rectify demo`
# simulates 90 days on a fresh SQLite file in ./demo-output. Extra arguments
# go to `rectify demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/rectify demo "$@"
