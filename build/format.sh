#!/usr/bin/env bash
# Applies the code conventions in .editorconfig to the whole solution, or checks them (--check, for CI).
#   build/format.sh          fix: field renames to _camelCase, file-scoped namespaces, using placement, modifier
#                            order, whitespace. Needs a tree that builds (the renamer compiles it to check itself).
#   build/format.sh --check  verify only; exits non-zero and lists the files if anything would change.
# BUILDSLOT may name a wrapper for the heavy commands (e.g. BUILDSLOT=/work/bin/buildslot on a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
solution=SecGear.slnx
slot=(); [ -n "${BUILDSLOT:-}" ] && slot=("$BUILDSLOT")
# The IDE rules `dotnet format style` fixes. IDE1006 (naming) it only reports: its code fix has no Fix All.
style_rules=(IDE0161 IDE0065 IDE0036)

if [ "${1:-}" = "--check" ]; then
  "${slot[@]}" dotnet restore "$solution" -v q
  "${slot[@]}" dotnet format whitespace "$solution" --no-restore --verify-no-changes -v q
  "${slot[@]}" dotnet format style "$solution" --no-restore --diagnostics "${style_rules[@]}" IDE1006 --severity warn --verify-no-changes -v q
  echo "format.sh: the tree follows .editorconfig"
  exit 0
fi

# Style and missing-doc warnings must not stop this build: it only gives the renamer compiled references.
"${slot[@]}" dotnet build "$solution" -c Release -p:EnforceCodeStyleInBuild=false -p:TreatWarningsAsErrors=false -v q -nologo
BUILDSLOT="${BUILDSLOT:-}" python3 build/conventions/rename_private_fields.py "$solution"
"${slot[@]}" dotnet format style "$solution" --no-restore --diagnostics "${style_rules[@]}" --severity warn -v q
"${slot[@]}" dotnet format whitespace "$solution" --no-restore -v q
echo "format.sh: applied; review with git diff, then build/format.sh --check"
