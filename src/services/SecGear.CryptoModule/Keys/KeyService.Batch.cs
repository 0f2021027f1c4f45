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
    public async Task<BinaryResult[]> RunBatchAsync(string tenant, IReadOnlyList<BinaryOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var results = new BinaryResult[operations.Count];
        var accepted = new (int Index, StoredKey Key, StoredKeyVersion Version)[operations.Count];
        int count = 0;
        var packed = new ArrayBufferWriter<byte>(operations.Count * 1280);
        byte[] tenantBytes = Encoding.UTF8.GetBytes(tenant);
        for (int i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            try
            {
                CheckInput(op.Data, "data");
                if (op.Op is EnclaveOp.Verify or EnclaveOp.MacVerify)
                {
                    CheckInput(op.Extra, op.Op == EnclaveOp.Verify ? "signature" : "mac");
                }

                var (key, version) = await UseAsync(tenant, op.KeyId, op.Version == 0 ? null : op.Version).ConfigureAwait(false);
                Pack(packed, ToEnclave(op) with
                {
                    Spec = key.Spec,
                    Usage = key.Usage,
                    Version = version.Version,
                    Blob = version.Blob,
                    Tenant = tenantBytes,
                    KeyId = Encoding.UTF8.GetBytes(key.Id),
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

        (byte[] First, byte[] Second, CryptoProblemException? Refusal)[] answers;
        try
        {
            answers = enclave.CallBatch(packed.WrittenSpan, count);
        }
        catch (CryptoProblemException ex)
        {
            answers = [.. Enumerable.Repeat<(byte[], byte[], CryptoProblemException?)>(([], [], ex), count)];
        }

        for (int j = 0; j < count; j++)
        {
            var (index, key, version) = accepted[j];
            var (first, second, refusal) = answers[j];
            string operation = AuditName(operations[index].Op);
            if (refusal is null)
            {
                results[index] = new BinaryResult { Version = version.Version, First = first, Second = second };
                audit.Record(key.Tenant, key.Id, version.Version, operation, "ok");
            }
            else
            {
                results[index] = BinaryResult.Refused(refusal.StatusCode, refusal.Code, refusal.Message);
                audit.Record(key.Tenant, key.Id, version.Version, operation, refusal.Code);
            }
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
