namespace SecGear.Host;

/// <summary>
/// A buffer mapped both in the host and in one enclave, from <see cref="Enclave.AllocateSharedMemory"/>. The host
/// fills <see cref="Span"/>; passing <see cref="Token"/> to a <c>[user_check]</c> parameter (an <c>nint</c> in
/// generated code) lets the enclave open the same bytes with no copy (<c>EnclaveContext.OpenSharedMemory</c>).
/// The enclave rejects the token after <see cref="Dispose"/>, and in any other enclave. Do not use
/// <see cref="Span"/> after disposing.
/// </summary>
public sealed unsafe class SharedMemory : IDisposable
{
    private readonly IDisposable _mapping;
    private readonly byte* _pointer;
    private readonly Action<SharedMemory> _free;
    private int _disposed;

    internal SharedMemory(IDisposable mapping, byte* pointer, int length, uint id, nint token, Action<SharedMemory> free)
    {
        _mapping = mapping;
        _pointer = pointer;
        Length = length;
        Id = id;
        Token = token;
        _free = free;
    }

    /// <summary>Length in bytes.</summary>
    public int Length { get; }

    /// <summary>
    /// The value to pass to a <c>[user_check]</c> parameter: an opaque token the enclave resolves and validates (not an
    /// address). It stays the same after <see cref="Dispose"/>, so a stale copy is rejected by the enclave rather than reused.
    /// </summary>
    public nint Token { get; }

    /// <summary>The host's view of the bytes.</summary>
    /// <exception cref="ObjectDisposedException">The buffer was freed.</exception>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return new Span<byte>(_pointer, Length);
        }
    }

    internal uint Id { get; }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Unregisters the buffer from the enclave and unmaps the host's view. Disposing twice does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _free(this);
        }
        finally
        {
            _mapping.Dispose();
        }
    }
}
