#!/usr/bin/env bash
# Runs the whole test suite (the README's test command). Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build SecGear.slnx -c Release
dotnet test SecGear.slnx -c Release --no-build --blame-hang-timeout 10m "$@"
