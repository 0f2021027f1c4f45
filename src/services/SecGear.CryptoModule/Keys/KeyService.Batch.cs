using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using SecGear.CryptoModule.Binary;
using SecGear.CryptoModule.Hosting;
using SecGear.CryptoModule.Storage;

namespace SecGear.CryptoModule.Keys;

/// <summary>The binary transport's batches: the same checks and audit as the JSON operations, one enclave crossing per batch.</summary>
public sealed partial class KeyService
{
    /// <summary>
    /// Runs a batch of the tenant's key operations: each is checked (input size, key state, version) like its JSON
    /// twin, the accepted ones cross into the enclave together, and every one is audited. One operation's refusal does
    /// not fail the others.
    /// </summary>
    public Task<BinaryResult[]> RunBatchAsync(string tenant, IReadOnlyList<BinaryOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return RunBatchAsync(operations.Count, i => tenant, i => operations[i]);
    }

    /// <summary>
    /// Runs operations of possibly several tenants (the binary transport merges the batches of all its connections)
    /// in one enclave crossing: <paramref name="tenantOf"/> and <paramref name="operationAt"/> give operation i's
    /// tenant and operation. Each is checked against its own tenant's keys.
    /// </summary>
    internal async Task<BinaryResult[]> RunBatchAsync(int operationCount, Func<int, string> tenantOf, Func<int, BinaryOperation> operationAt)
    {
        var results = new BinaryResult[operationCount];
        var accepted = new (int Index, StoredKey Key, StoredKeyVersion Version)[operationCount];
        int count = 0;
        var packed = new ArrayBufferWriter<byte>(operationCount * 1280);
        string? lastTenant = null;
        byte[] tenantBytes = [];
        StoredKey? lastKey = null;
        byte[] keyIdBytes = [];
        for (int i = 0; i < operationCount; i++)
        {
            var op = operationAt(i);
            string tenant = tenantOf(i);
            if (!ReferenceEquals(tenant, lastTenant))
            {
                lastTenant = tenant;
                tenantBytes = Encoding.UTF8.GetBytes(tenant);
            }

            try
            {
                CheckInput(op.Data, "data");
                if (op.Op is EnclaveOp.Verify or EnclaveOp.MacVerify)
                {
                    CheckInput(op.Extra, op.Op == EnclaveOp.Verify ? "signature" : "mac");
                }

                var (key, version) = await UseAsync(tenant, op.KeyId, op.Version == 0 ? null : op.Version).ConfigureAwait(false);
                if (!ReferenceEquals(key, lastKey))
                {
                    lastKey = key;
                    keyIdBytes = Encoding.UTF8.GetBytes(key.Id);
                }

                Pack(packed, ToEnclave(op) with
                {
                    Spec = key.Spec,
                    Usage = key.Usage,
                    Version = version.Version,
                    Blob = version.Blob,
                    Tenant = tenantBytes,
                    KeyId = keyIdBytes,
                });
                accepted[count++] = (i, key, version);
            }
            catch (CryptoProblemException ex)
            {
                results[i] = BinaryResult.Refused(ex.StatusCode, ex.Code, ex.Message);
            }
            catch (StorageUnavailableException)
            {
                results[i] = BinaryResult.Refused(503, CryptoModuleErrorCodes.StorageUnavailable, "The key store is unavailable; nothing was changed. Retry later.");
            }
        }

        if (count == 0)
        {
            return results;
        }

        (ReadOnlyMemory<byte> First, ReadOnlyMemory<byte> Second, CryptoProblemException? Refusal)[] answers;
        try
        {
            answers = enclave.CallBatch(packed.WrittenSpan, count);
        }
        catch (CryptoProblemException ex)
        {
            answers = [.. Enumerable.Repeat<(ReadOnlyMemory<byte>, ReadOnlyMemory<byte>, CryptoProblemException?)>((default, default, ex), count)];
        }

        // Consecutive identical uses (a merged batch is mostly one key and one operation) are queued as one record.
        (StoredKey Key, uint Version, string Operation, string Outcome) run = (null!, 0, string.Empty, string.Empty);
        long uses = 0;
        for (int j = 0; j < count; j++)
        {
            var (index, key, version) = accepted[j];
            var (first, second, refusal) = answers[j];
            string operation = AuditName(operationAt(index).Op);
            string outcome;
            if (refusal is null)
            {
                results[index] = new BinaryResult { Version = version.Version, First = first, Second = second };
                outcome = "ok";
            }
            else
            {
                results[index] = BinaryResult.Refused(refusal.StatusCode, refusal.Code, refusal.Message);
                outcome = refusal.Code;
            }

            if (uses > 0 && ReferenceEquals(run.Key, key) && run.Version == version.Version && ReferenceEquals(run.Operation, operation) && run.Outcome == outcome)
            {
                uses++;
                continue;
            }

            if (uses > 0)
            {
                audit.Record(run.Key.Tenant, run.Key.Id, run.Version, run.Operation, run.Outcome, uses);
            }

            run = (key, version.Version, operation, outcome);
            uses = 1;
        }

        if (uses > 0)
        {
            audit.Record(run.Key.Tenant, run.Key.Id, run.Version, run.Operation, run.Outcome, uses);
        }

        return results;
    }

    /// <summary>The enclave request of an operation with only the fields its JSON twin sends.</summary>
    private static EnclaveRequest ToEnclave(BinaryOperation op)
    {
        var flags = op.Flags & EnclaveRequestFlags.Prehashed;
        return op.Op switch
        {
            EnclaveOp.Sign => new EnclaveRequest { Op = op.Op, Scheme = op.Scheme, Flags = flags, Data = op.Data.Span, Extra = op.Extra.Span },
            EnclaveOp.Verify => new EnclaveRequest { Op = op.Op, Scheme = op.Scheme, Flags = flags, Data = op.Data.Span, Extra = op.Extra.Span, Iv = op.Iv.Span },
            EnclaveOp.Encrypt or EnclaveOp.Decrypt => new EnclaveRequest { Op = op.Op, Scheme = op.Scheme, Data = op.Data.Span, Iv = op.Iv.Span, Aad = op.Aad.Span },
            EnclaveOp.Mac => new EnclaveRequest { Op = op.Op, Data = op.Data.Span },
            EnclaveOp.MacVerify => new EnclaveRequest { Op = op.Op, Data = op.Data.Span, Extra = op.Extra.Span },
            _ => throw CryptoProblemException.Malformed($"Operation {op.Op} is not carried by the binary transport."),
        };
    }

    private static void Pack(ArrayBufferWriter<byte> packed, in EnclaveRequest request)
    {
        int length = request.Length;
        var span = packed.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        request.WriteTo(span[4..]);
        packed.Advance(4 + length);
    }

    private static string AuditName(EnclaveOp op) => op switch
    {
        EnclaveOp.Sign => "sign",
        EnclaveOp.Verify => "verify",
        EnclaveOp.Encrypt => "encrypt",
        EnclaveOp.Decrypt => "decrypt",
        EnclaveOp.Mac => "mac",
        _ => "mac-verify",
    };
}
