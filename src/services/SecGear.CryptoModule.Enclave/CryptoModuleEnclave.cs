using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SecGear.CryptoModule.Interop;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.SharedMemory;

namespace SecGear.CryptoModule.Enclave;

/// <summary>
/// The crypto module's ECALLs: one binary request in, one response out, either copied (<c>cm_call</c>) or through a
/// host shared buffer (<c>cm_call_shared</c>). Every request is parsed from a private copy; a malformed one gets a
/// <see cref="EnclaveStatus.MalformedRequest"/> response, never an exception across the boundary.
/// </summary>
public sealed class CryptoModuleEnclave : ICryptoModuleEcalls
{
    /// <summary>Largest request accepted through shared memory (64 MiB, the engine's payload limit).</summary>
    public const int MaxSharedRequest = 64 * 1024 * 1024;

    // A batch is split across cores only when each core gets at least this many operations: below that the hand-off
    // costs more than it saves on 1 KiB GCM.
    private const int MinEntriesPerCore = 8;

    private readonly EnclaveContext _context;
    private readonly KeyOperations _operations;

    /// <summary>The trusted runtime creates the enclave with its context.</summary>
    public CryptoModuleEnclave(EnclaveContext context)
    {
        _context = context;
        _operations = new KeyOperations(context.Sealer, context.Random, context.Platform as IAttestingPlatform);
    }

    /// <inheritdoc />
    public int CmCall(ReadOnlySpan<byte> request, Span<byte> response)
    {
        // The generated stub already copied the request out of untrusted memory.
        var (status, first, second) = Serve(request);
        return EnclaveResponse.Write(response, status, first, second);
    }

    /// <inheritdoc />
    public int CmCallShared(nint buffer, nuint requestLen)
    {
        using UntrustedBuffer shared = _context.OpenSharedMemory(buffer);
        if (requestLen > (nuint)shared.Length || requestLen > MaxSharedRequest)
        {
            return WriteShared(shared, EnclaveStatus.MalformedRequest, Encoding.UTF8.GetBytes($"a request of {requestLen} bytes in a {shared.Length}-byte buffer"), []);
        }

        // One copy out of untrusted memory before parsing: the host cannot change the bytes between check and use.
        int length = (int)requestLen;
        byte[] copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            shared.CopyTo(0, copy.AsSpan(0, length));
            if (EnclaveRequest.TryParse(copy.AsSpan(0, length), out var request, out _) && KeyOperations.IsGcmEncryption(request)
                && TryEncryptShared(shared, request) is int written)
            {
                return written;
            }

            var (status, first, second) = Serve(copy.AsSpan(0, length));
            return WriteShared(shared, status, first, second);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private (EnclaveStatus, byte[], byte[]) Serve(ReadOnlySpan<byte> bytes)
    {
        if (!EnclaveRequest.TryParse(bytes, out var request, out string? error))
        {
            return (EnclaveStatus.MalformedRequest, Encoding.UTF8.GetBytes(error), []);
        }

        return request.Op == EnclaveOp.Batch ? ServeBatch(request.Data) : Serve(request);
    }

    /// <summary>
    /// Serves each request of a batch on its own (one refusal does not fail the others) and answers the responses in
    /// order. A batch may not nest. A large batch is split across the cores: the host merges many clients' operations
    /// into one call, and served one after another they would use one core where the clients' own code used all.
    /// </summary>
    private (EnclaveStatus, byte[], byte[]) ServeBatch(ReadOnlySpan<byte> data)
    {
        var entries = new List<Range>();
        int offset = 0;
        while (offset < data.Length)
        {
            if (data.Length - offset < 4)
            {
                return (EnclaveStatus.MalformedRequest, Encoding.UTF8.GetBytes("a batch entry's length runs past the end"), []);
            }

            int length = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
            offset += 4;
            if (length < 0 || data.Length - offset < length)
            {
                return (EnclaveStatus.MalformedRequest, Encoding.UTF8.GetBytes("a batch entry runs past the end"), []);
            }

            entries.Add(new Range(offset, offset + length));
            offset += length;
        }

        var responses = new (EnclaveStatus Status, byte[] First, byte[] Second)[entries.Count];
        int parts = Math.Min(Environment.ProcessorCount, entries.Count / MinEntriesPerCore);
        if (parts > 1)
        {
            // The entries are read from one private array that all parts share (a span cannot cross threads).
            byte[] copy = data.ToArray();
            Parallel.For(0, parts, part =>
            {
                for (int i = part; i < entries.Count; i += parts)
                {
                    responses[i] = ServeEntry(copy.AsSpan()[entries[i]]);
                }
            });
        }
        else
        {
            for (int i = 0; i < entries.Count; i++)
            {
                responses[i] = ServeEntry(data[entries[i]]);
            }
        }

        int total = 0;
        foreach (var response in responses)
        {
            total += 4 + EnclaveResponse.Overhead + response.First.Length + response.Second.Length;
        }

        byte[] packed = new byte[total];
        int at = 0;
        foreach (var (status, first, second) in responses)
        {
            int written = EnclaveResponse.Write(packed.AsSpan(at + 4), status, first, second);
            BinaryPrimitives.WriteInt32LittleEndian(packed.AsSpan(at), written);
            at += 4 + written;
        }

        return (EnclaveStatus.Ok, packed, []);
    }

    private (EnclaveStatus, byte[], byte[]) ServeEntry(ReadOnlySpan<byte> entry) =>
        EnclaveRequest.TryParse(entry, out var request, out string? error)
            ? request.Op == EnclaveOp.Batch
                ? (EnclaveStatus.MalformedRequest, Encoding.UTF8.GetBytes("a batch inside a batch"), [])
                : Serve(request)
            : (EnclaveStatus.MalformedRequest, Encoding.UTF8.GetBytes(error), []);

    private (EnclaveStatus, byte[], byte[]) Serve(in EnclaveRequest request)
    {
        try
        {
            var (first, second) = _operations.Handle(request);
            return (EnclaveStatus.Ok, first, second);
        }
        catch (RefusalException ex)
        {
            return (ex.Status, Encoding.UTF8.GetBytes(ex.Message), []);
        }
        catch (CryptographicException)
        {
            // Platform crypto refused an input we did not pre-check; its message may quote internals, so say less.
            return (EnclaveStatus.InvalidInput, Encoding.UTF8.GetBytes($"{request.Op} refused by the algorithm (input out of range)"), []);
        }
        catch (Org.BouncyCastle.Crypto.CryptoException)
        {
            return (EnclaveStatus.InvalidInput, Encoding.UTF8.GetBytes($"{request.Op} refused by the algorithm (input out of range)"), []);
        }
    }

    /// <summary>
    /// Large GCM encryption encrypted straight into the staging buffer that is written back (one pass and one 1 MiB
    /// array fewer than the general path). Null when the enclave refuses: the general path then answers the refusal.
    /// </summary>
    private int? TryEncryptShared(UntrustedBuffer shared, in EnclaveRequest request)
    {
        int length = KeyOperations.GcmResponseLength(request.Data.Length);
        int padded = (length + 7) & ~7;
        if (padded > shared.Length)
        {
            return -padded;
        }

        byte[] staging = ArrayPool<byte>.Shared.Rent(padded);
        try
        {
            var span = staging.AsSpan(0, padded);
            _operations.EncryptGcmInto(request, span[..length]);
            span[length..].Clear();
            shared.Write(0, span);
            return length;
        }
        catch (Exception ex) when (ex is RefusalException or CryptographicException or Org.BouncyCastle.Crypto.CryptoException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(staging);
        }
    }

    private static int WriteShared(UntrustedBuffer shared, EnclaveStatus status, byte[] first, byte[] second)
    {
        int length = EnclaveResponse.Overhead + first.Length + second.Length;
        // Untrusted memory takes 8-byte aligned, 8-byte sized writes (DESIGN.md section 7): stage, pad, write once.
        int padded = (length + 7) & ~7;
        if (padded > shared.Length)
        {
            return -padded;
        }

        byte[] staging = ArrayPool<byte>.Shared.Rent(padded);
        try
        {
            var span = staging.AsSpan(0, padded);
            EnclaveResponse.Write(span, status, first, second);
            span[length..].Clear();
            shared.Write(0, span);
            return length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(staging);
        }
    }
}
