using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using SecGear.CryptoModule.Hosting;
using SecGear.CryptoModule.Interop;
using SecGear.Host;

namespace SecGear.CryptoModule.Keys;

/// <summary>
/// The service's side of the enclave boundary: writes <see cref="EnclaveRequest"/>s, sends small ones with
/// <c>cm_call</c> (switchless when enabled) and large ones through a pooled shared buffer with <c>cm_call_shared</c>,
/// and turns the enclave's refusals into <see cref="CryptoProblemException"/>s. The enclave's answers are parsed as
/// hostile input.
/// </summary>
public sealed class ModuleEnclave : IDisposable
{
    private const int PooledSharedSize = 4 * 1024 * 1024;
    private const int MinResponseCapacity = 4096;
    private readonly Enclave _enclave;
    private readonly CryptoModuleProxy _proxy;
    private readonly int _sharedThreshold;
    private readonly int _inlineLimit;
    private readonly ConcurrentBag<SharedMemory> _sharedPool = [];

    /// <summary>Creates the enclave from its signed image.</summary>
    public ModuleEnclave(string imagePath, EnclaveType engine, bool switchless, int sharedThreshold, int trustedWorkers = 2)
    {
        var options = new EnclaveOptions();
        // A switchless task carries the request or the response inline: room for the largest copied request plus
        // its response growth (RSA-4096 key generation answers about 3 KiB).
        _inlineLimit = ((sharedThreshold + 8192) + 7) / 8 * 8;
        // transition_using_threads functions go switchless with the SDK's defaults (4 KiB tasks) unless the host says
        // otherwise, so regular calls must be asked for explicitly.
        options.Features.Add(switchless
            ? new SwitchlessOptions { MaxInlinePayload = _inlineLimit, TrustedWorkers = trustedWorkers, PoolSize = 64 }
            : new SwitchlessOptions { Enabled = false });

        _enclave = Enclave.Create(imagePath, engine, EnclaveFlags.None, options);
        _proxy = new CryptoModuleProxy(_enclave, null);
        _sharedThreshold = sharedThreshold;
    }

    /// <summary>The engine's name.</summary>
    public string EngineName => _enclave.EngineName;

    /// <summary>The enclave's measured identity.</summary>
    public SecGear.Identity.EnclaveIdentity Identity => _enclave.Identity;

    /// <summary>Whether calls go switchless.</summary>
    public bool IsSwitchless => _enclave.IsSwitchless;

    /// <summary>Evidence of the enclave binding <paramref name="reportData"/>.</summary>
    public byte[] GetEvidence(ReadOnlySpan<byte> reportData) => _enclave.GetEvidence(reportData);

    /// <summary>Reads a successful response's two results while they still lie in the call's buffer.</summary>
    /// <typeparam name="TState">What the reader needs besides the results (e.g. where to copy them).</typeparam>
    /// <typeparam name="TResult">What the reader makes of them.</typeparam>
    public delegate TResult ResponseReader<in TState, out TResult>(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, TState state);

    /// <summary>Sends one request; returns both results, or throws <see cref="CryptoProblemException"/> for a refusal.</summary>
    public (byte[] First, byte[] Second) Call(in EnclaveRequest request) =>
        Call(request, 0, static (first, second, _) => (first.ToArray(), second.ToArray()));

    /// <summary>
    /// Sends one request and hands both results to <paramref name="read"/> before the buffer they lie in is reused, so
    /// a caller with its own destination (a response frame, a pooled buffer) copies a large result once instead of
    /// receiving a new array. The spans are valid only during the call; the enclave's bytes are untrusted content.
    /// </summary>
    /// <exception cref="CryptoProblemException">The enclave refused the request or is unavailable.</exception>
    public TResult Call<TState, TResult>(in EnclaveRequest request, TState state, ResponseReader<TState, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        int length = request.Length;
        if (length > _sharedThreshold)
        {
            // Large data is written once, straight into the shared buffer the enclave reads.
            return CallShared(request, length, state, read);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            request.WriteTo(rented);
            return CallCopied(rented.AsSpan(0, length), request.Op, state, read);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private TResult CallCopied<TState, TResult>(ReadOnlySpan<byte> request, EnclaveOp op, TState state, ResponseReader<TState, TResult> read)
    {
        int capacity = Math.Min(_inlineLimit, Math.Max(MinResponseCapacity, request.Length + 1024));
        for (int attempt = 0; attempt < 2; attempt++)
        {
            byte[] response = ArrayPool<byte>.Shared.Rent(capacity);
            try
            {
                int written;
                try
                {
                    written = _proxy.CmCall(request, response.AsSpan(0, capacity));
                }
                catch (SecGearException ex)
                {
                    throw Unavailable($"the enclave call failed: {ex.Message}");
                }

                if (written < 0)
                {
                    capacity = CheckedNeed(written);
                    if (capacity > _inlineLimit)
                    {
                        // Too large to come back inline: run it again through a shared buffer.
                        return CallShared(request, op, capacity, state, read);
                    }

                    continue;
                }

                return Parse(response.AsSpan(0, Math.Min(written, capacity)), written, capacity, op, state, read);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(response);
            }
        }

        throw Unavailable("the enclave asked for more response space twice");
    }

    private TResult CallShared<TState, TResult>(in EnclaveRequest request, int length, TState state, ResponseReader<TState, TResult> read)
    {
        var buffer = RentShared(length + 4096);
        try
        {
            request.WriteTo(buffer.Span);
            return InvokeShared(buffer, length, request.Op, state, read);
        }
        finally
        {
            ReturnShared(buffer);
        }
    }

    private TResult CallShared<TState, TResult>(ReadOnlySpan<byte> request, EnclaveOp op, int responseNeed, TState state, ResponseReader<TState, TResult> read)
    {
        var buffer = RentShared(Math.Max(request.Length, responseNeed) + 4096);
        try
        {
            request.CopyTo(buffer.Span);
            return InvokeShared(buffer, request.Length, op, state, read);
        }
        finally
        {
            ReturnShared(buffer);
        }
    }

    private TResult InvokeShared<TState, TResult>(SharedMemory buffer, int requestLength, EnclaveOp op, TState state, ResponseReader<TState, TResult> read)
    {
        int written;
        try
        {
            written = _proxy.CmCallShared(buffer.Token, (nuint)requestLength);
        }
        catch (SecGearException ex)
        {
            throw Unavailable($"the enclave call failed: {ex.Message}");
        }

        if (written < 0)
        {
            throw Unavailable($"the enclave's response needs {-(long)written} bytes of shared memory");
        }

        return Parse(buffer.Span[..Math.Min(written, buffer.Length)], written, buffer.Length, op, state, read);
    }

    private SharedMemory RentShared(int needed) =>
        needed <= PooledSharedSize
            ? (_sharedPool.TryTake(out var reused) ? reused : _enclave.AllocateSharedMemory(PooledSharedSize))
            : _enclave.AllocateSharedMemory(needed);

    private void ReturnShared(SharedMemory buffer)
    {
        if (buffer.Length == PooledSharedSize)
        {
            _sharedPool.Add(buffer);
        }
        else
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// Sends several requests (each written by <see cref="EnclaveRequest.WriteTo"/>) in one crossing; answers, in order,
    /// each one's results or its refusal. The requests are <c>length(4) request</c> entries in <paramref name="packed"/>.
    /// </summary>
    public (ReadOnlyMemory<byte> First, ReadOnlyMemory<byte> Second, CryptoProblemException? Refusal)[] CallBatch(ReadOnlySpan<byte> packed, int count)
    {
        // The results are slices of the one copy of the enclave's answer: no array per operation.
        var (answers, _) = Call(new EnclaveRequest { Op = EnclaveOp.Batch, Data = packed });
        var results = new (ReadOnlyMemory<byte>, ReadOnlyMemory<byte>, CryptoProblemException?)[count];
        ReadOnlySpan<byte> span = answers;
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            int length = span.Length - offset >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span[offset..]) : -1;
            if (length < 0 || span.Length - offset - 4 < length || !EnclaveResponse.TryParse(span.Slice(offset + 4, length), out var response))
            {
                throw Unavailable("the enclave's answer to a batch is malformed");
            }

            results[i] = response.Status == EnclaveStatus.Ok
                ? (answers.AsMemory(offset + 4 + EnclaveResponse.FirstOffset, response.First.Length), answers.AsMemory(offset + 4 + EnclaveResponse.Overhead + response.First.Length, response.Second.Length), null)
                : (default, default, Refusal(response));
            offset += 4 + length;
        }

        return offset == span.Length ? results : throw Unavailable("the enclave's answer to a batch has more entries than requests");
    }

    // The lengths are checked once and the spans fixed then; the enclave can change only the bytes inside them.
    private static TResult Parse<TState, TResult>(ReadOnlySpan<byte> bytes, int written, int capacity, EnclaveOp op, TState state, ResponseReader<TState, TResult> read)
    {
        if (written > capacity || !EnclaveResponse.TryParse(bytes, out var response))
        {
            throw Unavailable($"the enclave's answer to {op} is malformed");
        }

        return response.Status == EnclaveStatus.Ok ? read(response.First, response.Second, state) : throw Refusal(response);
    }

    private static CryptoProblemException Refusal(in EnclaveResponse response)
    {
        // The reason is the enclave's own text; it names checks, never secrets. Cap it anyway.
        string reason = Encoding.UTF8.GetString(response.First[..Math.Min(response.First.Length, 512)]);
        return response.Status switch
        {
            EnclaveStatus.WrongUsage => new CryptoProblemException(400, CryptoModuleErrorCodes.WrongKeyUsage, $"Wrong key usage: {reason}."),
            EnclaveStatus.UnsupportedScheme => new CryptoProblemException(400, CryptoModuleErrorCodes.UnsupportedAlgorithm, $"Unsupported algorithm: {reason}."),
            EnclaveStatus.InvalidInput => new CryptoProblemException(400, CryptoModuleErrorCodes.InvalidInput, $"Invalid input: {reason}."),
            EnclaveStatus.InvalidCiphertext => new CryptoProblemException(400, CryptoModuleErrorCodes.InvalidCiphertext, $"Invalid ciphertext: {reason}."),
            EnclaveStatus.KeyBlobInvalid => new CryptoProblemException(500, CryptoModuleErrorCodes.KeyBlobInvalid, $"The stored key does not open in the enclave: {reason}."),
            EnclaveStatus.MalformedRequest => new CryptoProblemException(400, CryptoModuleErrorCodes.MalformedRequest, $"The enclave refused the request: {reason}."),
            _ => Unavailable($"{response.Status}: {reason}"),
        };
    }

    private static int CheckedNeed(int written) =>
        written == int.MinValue || -written > 256 * 1024 * 1024 ? throw Unavailable("the enclave asked for an absurd response size") : -written;

    private static CryptoProblemException Unavailable(string message) =>
        new(StatusCodes.Status503ServiceUnavailable, CryptoModuleErrorCodes.EnclaveUnavailable, $"The enclave is unavailable: {message}.");

    /// <summary>Frees the shared buffers and destroys the enclave.</summary>
    public void Dispose()
    {
        while (_sharedPool.TryTake(out var buffer))
        {
            buffer.Dispose();
        }

        _enclave.Dispose();
    }
}
