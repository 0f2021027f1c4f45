#!/usr/bin/env bash
# Regenerates the command reference in docs/cli.md (below its marker line) from the commands' own --help.
# tests/SecGear.Cli.Tests/CliReferenceTests.cs fails when the page is stale; this runs that test in write mode.
set -euo pipefail
cd "$(dirname "$0")/.."
SECGEAR_UPDATE_CLI_DOCS=1 dotnet test tests/SecGear.Cli.Tests -c Release --filter "FullyQualifiedName~CliReferenceTests.Docs_cli_md_matches_the_help_of_every_command" "$@"
git --no-pager diff --stat -- docs/cli.md
