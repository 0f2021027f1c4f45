using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SecGear.Trusted.SharedMemory;

/// <summary>
/// The enclave's table of host-allocated shared buffers (docs/switchless.md, "Shared memory"). The engine registers
/// each buffer it has mapped and gets back the token the host passes to <c>[user_check]</c> parameters: the
/// table's random 31-bit tag in the high half (so a token of another enclave is recognised as such) and the buffer
/// id in the low half. Enclave code resolves tokens with <see cref="Open"/>; a removed buffer stays mapped until
/// the last <see cref="UntrustedBuffer"/> over it is disposed.
/// </summary>
public sealed class SharedMemoryTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, Entry> _entries = [];
    private readonly uint _tag = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);

    /// <summary>Number of buffers registered now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Registers a buffer the engine mapped: <paramref name="memory"/> keeps the mapping alive (its reference count
    /// protects readers), <paramref name="pointer"/> and <paramref name="length"/> are this side's view of it, and
    /// <paramref name="owner"/> (may be null) is disposed when the buffer is removed.
    /// </summary>
    /// <returns>The token the host hands to the enclave.</returns>
    /// <exception cref="SharedMemoryException">The id is already registered.</exception>
    public unsafe nint Register(uint id, SafeHandle memory, byte* pointer, int length, IDisposable? owner)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfZero(id);
        lock (_gate)
        {
            if (!_entries.TryAdd(id, new Entry(memory, (nint)pointer, length, owner)))
            {
                throw new SharedMemoryException($"Shared buffer {id} is already registered.");
            }
        }

        return (nint)(((long)_tag << 32) | id);
    }

    /// <summary>Removes buffer <paramref name="id"/>: later <see cref="Open"/> calls fail; open views stay valid until disposed.</summary>
    /// <returns>False when no such buffer is registered.</returns>
    public bool Remove(uint id)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_entries.Remove(id, out entry))
            {
                return false;
            }
        }

        entry.Owner?.Dispose();
        return true;
    }

    /// <summary>Removes every buffer (the enclave is being destroyed).</summary>
    public void Clear()
    {
        Entry[] entries;
        lock (_gate)
        {
            entries = [.. _entries.Values];
            _entries.Clear();
        }

        foreach (Entry entry in entries)
        {
            entry.Owner?.Dispose();
        }
    }

    /// <summary>
    /// Resolves a token received from the host into a view of the shared buffer. The bytes stay untrusted: the host
    /// can change them at any time, so copy what you validate (<see cref="UntrustedBuffer.CopyTo"/>).
    /// </summary>
    /// <exception cref="SharedMemoryException">The token is not one of this enclave's live buffers.</exception>
    public UntrustedBuffer Open(nint token)
    {
        long value = token;
        uint tag = (uint)(value >>> 32);
        uint id = (uint)value;
        if (tag != _tag)
        {
            throw new SharedMemoryException(value == 0
                ? "The shared-memory token is null."
                : $"Shared-memory token 0x{value:x} does not belong to this enclave (it was allocated by another enclave, or is not a token).");
        }

        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(id, out entry))
            {
                throw new SharedMemoryException($"Shared buffer {id} is not registered: it was freed, or never allocated.");
            }

            // Take the reference under the lock, so a concurrent Remove cannot unmap between lookup and use.
            bool added = false;
            try
            {
                entry.Memory.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                throw new SharedMemoryException($"Shared buffer {id} was freed.");
            }
        }

        return new UntrustedBuffer(entry.Memory, entry.Pointer, entry.Length);
    }

    private readonly record struct Entry(SafeHandle Memory, nint Pointer, int Length, IDisposable? Owner);
}
