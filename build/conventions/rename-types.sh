#!/usr/bin/env bash
# Type renames that give the code base one name per concept (issue 14): one suffix for failure-kind enums
# (*FailureCode, the form of the most used one, AttestationFailureCode) and distinct names for the big-endian
# readers that were also called WireReader (SecGear.Core.Abi.WireReader is the little-endian ABI reader).
# Idempotent: re-run it after merging branches that still use the old names. Only type names change; enum member
# names, and so every serialized or printed failure code, stay the same.
set -euo pipefail
cd "$(dirname "$0")/../.."

# rename OLD NEW [PATHSPEC...]: whole-word OLD -> NEW in tracked text files below PATHSPEC (default: everything),
# and the file OLD.cs -> NEW.cs.
rename() {
  local old=$1 new=$2; shift 2
  local files
  mapfile -t files < <(git grep -lw "$old" -- "${@:-.}" ':!*.sgimage' ':!build/conventions/rename-types.sh' || true)
  if [ "${#files[@]}" -gt 0 ]; then
    sed -i -E "s/\\b${old}\\b/${new}/g" "${files[@]}"
  fi
  local f
  while IFS= read -r f; do
    git mv "$f" "$(dirname "$f")/${new}.cs"
  done < <(git ls-files -- "${@:-.}" | grep -E "(^|/)${old}\.cs$" || true)
}

rename SecureChannelFailureReason SecureChannelFailureCode
rename EnclaveImageError EnclaveImageFailureCode
rename UnsealError UnsealFailureCode
rename EncryptedDbErrorCode EncryptedDbFailureCode
rename FederatedSqlErrorCode FederatedSqlFailureCode

rename WireReader BigEndianReader src/middleware/SecGear.SecureChannel
encrypted_db=(src/services/SecGear.EncryptedDb src/services/SecGear.EncryptedDb.Enclave src/services/SecGear.EncryptedDb.Client
  src/services/SecGear.EncryptedDb.Service tests/SecGear.EncryptedDb.Tests bench/SecGear.EncryptedDb.Benchmarks samples/EncryptedDb)
rename WireReader BigEndianReader "${encrypted_db[@]}"
rename WireWriter BigEndianWriter "${encrypted_db[@]}"
rename TsmFailure TsmFailureCode
