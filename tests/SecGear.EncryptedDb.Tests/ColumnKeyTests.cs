using System.Text;

namespace SecGear.EncryptedDb.Tests;

public sealed class ColumnKeyTests : IDisposable
{
    private static readonly byte[] Row1 = ValueCodec.Encode(1L);
    private static readonly byte[] Row2 = ValueCodec.Encode(2L);
    private readonly ColumnKey _key = new(ColumnKey.Generate());
    private readonly CellBinding _note = new(EncryptionType.Randomized, "accounts", "note");
    private readonly CellBinding _email = new(EncryptionType.Deterministic, "accounts", "email");

    [Fact]
    public void Randomized_cell_of_an_older_row_version_fails_under_the_current_version()
    {
        byte[] old = _key.Encrypt(ValueCodec.Encode("balance-then"), _note, RowReference.Of(Row1, 41));
        Assert.Equal("balance-then", _key.DecryptValue(old, _note, RowReference.Of(Row1, 41)));
        var ex = Assert.Throws<EncryptedDbException>(() => _key.DecryptValue(old, _note, RowReference.Of(Row1, 42)));
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, ex.Code);
        Assert.Contains("rolled back", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_tag_of_an_older_row_version_fails_under_the_current_version()
    {
        var binding = new RowTagBinding("accounts", "email");
        byte[] cell = _key.Encrypt(ValueCodec.Encode("ada@example.org"), _email, default);
        byte[] tag = new byte[ColumnKey.RowTagLength];
        _key.ComputeRowTag(binding, RowReference.Of(Row1, 7), true, cell, tag);
        _key.VerifyRowTag(binding, RowReference.Of(Row1, 7), true, cell, tag);
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, Assert.Throws<EncryptedDbException>(() => _key.VerifyRowTag(binding, RowReference.Of(Row1, 8), true, cell, tag)).Code);
    }

    [Fact]
    public void Randomized_cell_decrypts_to_the_value_in_its_own_row_and_column()
    {
        byte[] cell = _key.Encrypt(ValueCodec.Encode("fragile"), _note, Row1);
        Assert.Equal("fragile", _key.DecryptValue(cell, _note, Row1));
        Assert.Equal(ColumnKey.Overhead + 1 + 7, cell.Length);
    }

    [Fact]
    public void Randomized_encryption_of_one_value_twice_gives_different_ciphertexts()
    {
        byte[] value = ValueCodec.Encode(42.5m);
        Assert.NotEqual(_key.Encrypt(value, _note, Row1), _key.Encrypt(value, _note, Row1));
    }

    [Fact]
    public void Deterministic_encryption_of_equal_values_is_equal_in_every_row()
    {
        byte[] a = _key.Encrypt(ValueCodec.Encode("ada@example.org"), _email, default);
        byte[] b = _key.Encrypt(ValueCodec.Encode("ada@example.org"), _email, default);
        byte[] c = _key.Encrypt(ValueCodec.Encode("alan@example.org"), _email, default);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal("ada@example.org", _key.DecryptValue(a, _email, default));
    }

    [Fact]
    public void Randomized_cell_moved_to_another_row_fails_authentication()
    {
        byte[] cell = _key.Encrypt(ValueCodec.Encode("fragile"), _note, Row1);
        var ex = Assert.Throws<EncryptedDbException>(() => _key.DecryptValue(cell, _note, Row2));
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, ex.Code);
        Assert.Contains("accounts.note", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fragile", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cell_moved_to_another_column_fails_authentication()
    {
        byte[] randomized = _key.Encrypt(ValueCodec.Encode("fragile"), _note, Row1);
        Assert.Throws<EncryptedDbException>(() => _key.DecryptValue(randomized, new CellBinding(EncryptionType.Randomized, "accounts", "owner"), Row1));
        Assert.Throws<EncryptedDbException>(() => _key.DecryptValue(randomized, new CellBinding(EncryptionType.Randomized, "orders", "note"), Row1));
        byte[] deterministic = _key.Encrypt(ValueCodec.Encode("ada@example.org"), _email, default);
        Assert.Throws<EncryptedDbException>(() => _key.DecryptValue(deterministic, new CellBinding(EncryptionType.Deterministic, "accounts", "iban"), default));
    }

    [Fact]
    public void Deterministic_columns_of_one_domain_share_ciphertexts_so_they_can_be_joined()
    {
        var products = new CellBinding(EncryptionType.Deterministic, "products", "sku", "sku");
        var lines = new CellBinding(EncryptionType.Deterministic, "line_items", "sku", "sku");
        byte[] value = ValueCodec.Encode("SKU-00001");
        Assert.Equal(_key.Encrypt(value, products, default), _key.Encrypt(value, lines, default));
    }

    [Fact]
    public void Decrypt_fails_when_one_ciphertext_bit_flips()
    {
        byte[] cell = _key.Encrypt(ValueCodec.Encode(1234L), _note, Row1);
        for (int i = 0; i < cell.Length; i++)
        {
            byte[] altered = (byte[])cell.Clone();
            altered[i] ^= 0x01;
            Assert.Throws<EncryptedDbException>(() => _key.DecryptValue(altered, _note, Row1));
        }
    }

    [Fact]
    public void Cell_made_under_another_key_fails_authentication()
    {
        using var other = new ColumnKey(ColumnKey.Generate());
        byte[] cell = other.Encrypt(ValueCodec.Encode("x"), _note, Row1);
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, Assert.Throws<EncryptedDbException>(() => _key.DecryptValue(cell, _note, Row1)).Code);
        byte[] det = other.Encrypt(ValueCodec.Encode("x"), _email, default);
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, Assert.Throws<EncryptedDbException>(() => _key.DecryptValue(det, _email, default)).Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(29)]
    public void Truncated_cell_is_refused_with_a_typed_error(int length)
    {
        byte[] cell = _key.Encrypt(ValueCodec.Encode("fragile"), _note, Row1);
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, Assert.Throws<EncryptedDbException>(() => _key.DecryptValue(cell.AsSpan(0, length), _note, Row1)).Code);
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_refused()
    {
        Assert.Equal(EncryptedDbFailureCode.KeyUnavailable, Assert.Throws<EncryptedDbException>(() => new ColumnKey(new byte[16])).Code);
    }

    public void Dispose() => _key.Dispose();

    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
