using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace SecGear.EncryptedDb;

/// <summary>
/// A column encryption key (CEK, 32 random bytes) and the cell ciphers built on it. The CEK is never used directly:
/// HKDF-SHA-256 (RFC 5869) derives one 256-bit subkey per scheme, so the deterministic and randomized ciphers never
/// share a key. Cell layout: <c>version u8 = 1 | scheme u8 | nonce[12] | ciphertext | tag[16]</c>.
/// <list type="bullet">
/// <item>Deterministic: AES-256-GCM-SIV (RFC 8452, BouncyCastle <c>GcmSivBlockCipher</c>) with the all-zero nonce; the
/// nonce-misuse-resistant use RFC 8452 section 9 describes: equal (associated data, plaintext) pairs give equal ciphertexts,
/// nothing else leaks.</item>
/// <item>Randomized: AES-256-GCM (NIST SP 800-38D, <see cref="AesGcm"/>) with a fresh random 96-bit nonce per cell.</item>
/// </list>
/// Dispose to zero the key material.
/// </summary>
public sealed class ColumnKey : IDisposable
{
    /// <summary>Length of a CEK.</summary>
    public const int KeyLength = 32;

    /// <summary>Length of a deterministic cell's row tag (HMAC-SHA-256 truncated to 128 bits).</summary>
    public const int RowTagLength = 16;

    /// <summary>Bytes a cell adds to its plaintext: version, scheme, nonce and tag.</summary>
    public const int Overhead = 2 + NonceLength + TagLength;

    private const byte Version = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    private readonly byte[] _deterministicKey;
    private readonly byte[] _randomizedKey;
    private readonly byte[] _rowTagKey;
    private readonly ThreadLocal<AesGcm> _gcm;
    private bool _disposed;

    /// <summary>Wraps a 32-byte CEK (copied).</summary>
    public ColumnKey(ReadOnlySpan<byte> cek)
    {
        if (cek.Length != KeyLength)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"a column encryption key has {KeyLength} bytes, not {cek.Length}");
        }

        _deterministicKey = new byte[KeyLength];
        _randomizedKey = new byte[KeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, cek, _deterministicKey, [], "secgear-encdb v1 deterministic AES-256-GCM-SIV"u8);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, cek, _randomizedKey, [], "secgear-encdb v1 randomized AES-256-GCM"u8);
        _rowTagKey = new byte[KeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, cek, _rowTagKey, [], "secgear-encdb v1 row tag HMAC-SHA-256"u8);

        // AesGcm instances are not safe for concurrent use; one per thread keeps the hot path lock-free.
        _gcm = new ThreadLocal<AesGcm>(() => new AesGcm(_randomizedKey, TagLength), trackAllValues: true);
    }

    /// <summary>Creates a fresh random CEK.</summary>
    public static byte[] Generate() => RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>
    /// Encrypts one encoded value (see <see cref="ValueCodec"/>) for the given binding; a randomized cell is bound to
    /// <paramref name="rowId"/>, the row reference (<see cref="RowReference"/>: row id and version; ignored for deterministic cells).
    /// </summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, CellBinding binding, ReadOnlySpan<byte> rowId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] cell = new byte[Overhead + plaintext.Length];
        cell[0] = Version;
        cell[1] = (byte)binding.Scheme;
        Span<byte> nonce = cell.AsSpan(2, NonceLength);
        Span<byte> ciphertext = cell.AsSpan(2 + NonceLength, plaintext.Length);
        Span<byte> tag = cell.AsSpan(2 + NonceLength + plaintext.Length, TagLength);
        byte[] aad = new byte[binding.AadLength(binding.Scheme == EncryptionType.Randomized ? rowId.Length : 0)];
        binding.WriteAad(aad, binding.Scheme == EncryptionType.Randomized ? rowId : default);
        if (binding.Scheme == EncryptionType.Randomized)
        {
            RandomNumberGenerator.Fill(nonce);
            _gcm.Value!.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }
        else
        {
            // Nonce stays all-zero (deterministic). GCM-SIV output is ciphertext || tag.
            GcmSivBlockCipher siv = Siv(forEncryption: true, aad);
            byte[] output = new byte[siv.GetOutputSize(plaintext.Length)];
            int written = siv.ProcessBytes(plaintext.ToArray(), 0, plaintext.Length, output, 0);
            written += siv.DoFinal(output, written);
            output.AsSpan(0, written).CopyTo(cell.AsSpan(2 + NonceLength));
        }

        return cell;
    }

    /// <summary>
    /// Decrypts a cell into <paramref name="plaintext"/> (at least <c>cell.Length - Overhead</c> bytes) and returns its
    /// length; throws <see cref="EncryptedDbException"/> (IntegrityFailure) when the cell was altered, moved to
    /// another row or column, rolled back to another version of its row (<paramref name="rowId"/> is the row reference), or made
    /// under another key.
    /// </summary>
    public int Decrypt(ReadOnlySpan<byte> cell, CellBinding binding, ReadOnlySpan<byte> rowId, Span<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cell.Length < Overhead || cell[0] != Version || cell[1] != (byte)binding.Scheme)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {binding.Description} is not a version-{Version} {binding.Scheme} ciphertext");
        }

        int length = cell.Length - Overhead;
        ReadOnlySpan<byte> boundRow = binding.Scheme == EncryptionType.Randomized ? rowId : default;
        int aadLength = binding.AadLength(boundRow.Length);
        Span<byte> aad = aadLength <= 512 ? stackalloc byte[aadLength] : new byte[aadLength];
        binding.WriteAad(aad, boundRow);
        try
        {
            if (binding.Scheme == EncryptionType.Randomized)
            {
                _gcm.Value!.Decrypt(cell.Slice(2, NonceLength), cell.Slice(2 + NonceLength, length), cell[^TagLength..], plaintext[..length], aad);
            }
            else
            {
                if (!cell.Slice(2, NonceLength).SequenceEqual(stackalloc byte[NonceLength]))
                {
                    throw new CryptographicException("a deterministic cell with a non-zero nonce");
                }

                GcmSivBlockCipher siv = Siv(forEncryption: false, aad.ToArray());
                byte[] input = cell[(2 + NonceLength)..].ToArray();
                byte[] output = new byte[siv.GetOutputSize(input.Length)];
                int written = siv.ProcessBytes(input, 0, input.Length, output, 0);
                written += siv.DoFinal(output, written);
                output.AsSpan(0, written).CopyTo(plaintext);
                CryptographicOperations.ZeroMemory(output);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or Org.BouncyCastle.Crypto.InvalidCipherTextException)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {binding.Description} failed authentication: altered, moved from another row or column, rolled back to an older version of its row, or encrypted under another key");
        }

        return length;
    }

    /// <summary>Decrypts a cell and decodes its value.</summary>
    public object DecryptValue(ReadOnlySpan<byte> cell, CellBinding binding, ReadOnlySpan<byte> rowId)
    {
        int max = Math.Max(0, cell.Length - Overhead);
        Span<byte> buffer = max <= 256 ? stackalloc byte[max] : new byte[max];
        try
        {
            int length = Decrypt(cell, binding, rowId, buffer);
            return ValueCodec.Decode(buffer[..length]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>
    /// Computes a deterministic cell's row tag: HMAC-SHA-256 (RFC 2104) under a subkey HKDF derives from the CEK,
    /// truncated to 128 bits, over <c>binding prefix | len u16 | row reference | present u8 | cell</c> (<paramref name="rowId"/>
    /// is the row reference, <see cref="RowReference"/>: row id and version; <paramref name="cell"/>
    /// is ignored when <paramref name="present"/> is false: SQL NULL). It binds the stored ciphertext to its row, which
    /// the ciphertext itself cannot do (equal values must encrypt equally in every row).
    /// </summary>
    public void ComputeRowTag(RowTagBinding binding, ReadOnlySpan<byte> rowId, bool present, ReadOnlySpan<byte> cell, Span<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(binding);
        if (rowId.Length > ushort.MaxValue)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, $"a row id of {rowId.Length} bytes");
        }

        if (!present)
        {
            cell = default;
        }

        int length = binding.Prefix.Length + 2 + rowId.Length + 1 + cell.Length;
        Span<byte> input = length <= 1024 ? stackalloc byte[length] : new byte[length];
        binding.Prefix.CopyTo(input);
        int offset = binding.Prefix.Length;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(input[offset..], (ushort)rowId.Length);
        rowId.CopyTo(input[(offset + 2)..]);
        offset += 2 + rowId.Length;
        input[offset++] = present ? (byte)1 : (byte)0;
        cell.CopyTo(input[offset..]);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_rowTagKey, input, mac);
        mac[..RowTagLength].CopyTo(tag);
    }

    /// <summary>Checks a row tag in constant time; IntegrityFailure (naming the column, never a value) when it does not match.</summary>
    public void VerifyRowTag(RowTagBinding binding, ReadOnlySpan<byte> rowId, bool present, ReadOnlySpan<byte> cell, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[RowTagLength];
        ComputeRowTag(binding, rowId, present, cell, expected);
        if (tag.Length != RowTagLength || !CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {binding.Description} does not match its row tag: moved from another row, set to NULL, altered, or rolled back to an older version of its row");
        }
    }

    /// <summary>Zeroes the derived keys.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (AesGcm gcm in _gcm.Values)
        {
            gcm.Dispose();
        }

        _gcm.Dispose();
        CryptographicOperations.ZeroMemory(_deterministicKey);
        CryptographicOperations.ZeroMemory(_randomizedKey);
        CryptographicOperations.ZeroMemory(_rowTagKey);
    }

    private GcmSivBlockCipher Siv(bool forEncryption, byte[] aad)
    {
        var siv = new GcmSivBlockCipher(new AesEngine());
        siv.Init(forEncryption, new AeadParameters(new KeyParameter(_deterministicKey), TagLength * 8, new byte[NonceLength], aad));
        return siv;
    }
}
