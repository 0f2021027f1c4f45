using System.Buffers.Binary;
using System.Text;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace SecGear.SecureChannel.Tests;

/// <summary>The ShangMi suite (id 3): known answers for its primitives, then the protocol behaviours with it.</summary>
public sealed class SmSuiteTests : IClassFixture<SimulatedEnclaveFixture>
{
    private static readonly SecureChannelOptions Sm = new() { Suites = [SecureChannelSuite.EcdheSm2Sm4GcmSm3] };
    private readonly SimulatedMachine _enclave;

    public SmSuiteTests(SimulatedEnclaveFixture fixture)
    {
        _enclave = fixture.Enclave;
    }

    [Theory]
    [InlineData("abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")]
    [InlineData("abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd", "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")]
    public void Suite_hash_is_sm3_per_the_gbt_32905_examples(string message, string digest) =>
        Assert.Equal(Convert.FromHexString(digest), SuiteInfo.Sm2.HashData(Encoding.ASCII.GetBytes(message)));

    [Fact]
    public void Sm4_engine_matches_the_gbt_32907_example()
    {
        var key = Convert.FromHexString("0123456789abcdeffedcba9876543210");
        var engine = new SM4Engine();
        engine.Init(true, new KeyParameter(key));
        var block = new byte[16];
        engine.ProcessBlock(key, block);
        Assert.Equal(Convert.FromHexString("681edf34d206965e86b3e94f536e4246"), block);
    }

    [Fact]
    public void Record_cipher_is_sm4_gcm_per_the_rfc_8998_example()
    {
        using var cipher = SuiteInfo.Sm2.CreateCipher(Convert.FromHexString("0123456789ABCDEFFEDCBA9876543210"));
        var nonce = Convert.FromHexString("00001234567800000000ABCD");
        var aad = Convert.FromHexString("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        var plaintext = Convert.FromHexString(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA");
        var expected = Convert.FromHexString(
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
            + "83DE3541E4C2B58177E065A9BF7B62EC");
        var sealedOutput = new byte[plaintext.Length + 16];
        cipher.Seal(nonce, plaintext, sealedOutput, aad);
        Assert.Equal(expected, sealedOutput);

        var opened = new byte[plaintext.Length];
        Assert.True(cipher.Open(nonce, sealedOutput, opened, aad));
        Assert.Equal(plaintext, opened);
        sealedOutput[^1] ^= 1;
        Assert.False(cipher.Open(nonce, sealedOutput, opened, aad));
        Assert.All(opened, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(64)]
    [InlineData(100)]
    public void Hmac_sm3_follows_rfc_2104_over_the_64_byte_sm3_block(int keyLength)
    {
        var hash = SuiteInfo.Sm2.Hash;
        var key = Enumerable.Range(0, keyLength).Select(i => (byte)i).ToArray();
        var message = "HMAC-SM3 wiring"u8.ToArray();
        var block = new byte[64];
        (keyLength > 64 ? hash.Hash(key) : key).CopyTo(block, 0);
        var inner = hash.Hash([.. block.Select(b => (byte)(b ^ 0x36)), .. message]);
        var expected = hash.Hash([.. block.Select(b => (byte)(b ^ 0x5C)), .. inner]);
        Assert.Equal(expected, hash.Hmac(key, message));
    }

    [Fact]
    public void Hkdf_sm3_extract_is_hmac_sm3_and_expand_chains_blocks_per_rfc_5869()
    {
        var hash = SuiteInfo.Sm2.Hash;
        var prk = hash.Extract("salt"u8, "input key material"u8);
        Assert.Equal(hash.Hmac("salt"u8, "input key material"u8), prk);
        var okm = hash.Expand(prk, "info"u8, 40);
        var t1 = hash.Hmac(prk, [.. "info"u8, 1]);
        var t2 = hash.Hmac(prk, [.. t1, .. "info"u8, 2]);
        Assert.Equal([.. t1, .. t2[..8]], okm);
    }

    [Fact]
    public void Sm2_curve_is_sm2p256v1_of_gbt_32918_5()
    {
        var domain = Sm2EphemeralKey.DomainParameters;
        Assert.Equal(Hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"), domain.Curve.Field.Characteristic.ToByteArrayUnsigned());
        Assert.Equal(Hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"), domain.Curve.A.GetEncoded());
        Assert.Equal(Hex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"), domain.Curve.B.GetEncoded());
        Assert.Equal(Hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"), domain.N.ToByteArrayUnsigned());
        Assert.Equal(Hex("0432C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"), domain.G.GetEncoded(false));
        Assert.True(domain.H.IntValue == 1);
    }

    [Fact]
    public void Sm2_key_agreement_gives_both_sides_the_same_secret()
    {
        using var a = SuiteInfo.Sm2.CreateEphemeral();
        using var b = SuiteInfo.Sm2.CreateEphemeral();
        var ab = a.DeriveSharedSecret(b.PublicKey);
        Assert.Equal(32, ab.Length);
        Assert.Equal(ab, b.DeriveSharedSecret(a.PublicKey));
        Assert.NotEqual(a.PublicKey, b.PublicKey);
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static TheoryData<string, byte[]> InvalidPoints()
    {
        using var key = SuiteInfo.Sm2.CreateEphemeral();
        var offCurve = key.PublicKey;
        offCurve[^1] ^= 1;
        var compressed = key.PublicKey;
        compressed[0] = 2;
        // p of sm2p256v1 as X: a coordinate outside the field.
        var outOfField = new byte[65];
        outOfField[0] = 4;
        Convert.FromHexString("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF").CopyTo(outOfField, 1);
        var zero = new byte[65];
        zero[0] = 4;
        return new()
        {
            { "off the curve", offCurve },
            { "compressed", compressed },
            { "x = p", outOfField },
            { "(0, 0)", zero },
            { "the identity encoding", [0] },
            { "too short", key.PublicKey[..64] },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidPoints))]
    public void Sm2_key_agreement_refuses_an_invalid_peer_point(string what, byte[] point)
    {
        using var key = SuiteInfo.Sm2.CreateEphemeral();
        var ex = Assert.Throws<SecureChannelException>(() => key.DeriveSharedSecret(point));
        Assert.True(ex.Reason == SecureChannelFailureCode.InvalidPublicKey, what);
    }

    [Fact]
    public async Task Client_talks_to_the_enclave_with_the_sm_suite()
    {
        using var server = Handshakes.EchoServer(_enclave, Sm);
        await using var client = await SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy, Sm);
        Assert.Equal(SecureChannelSuite.EcdheSm2Sm4GcmSm3, client.Suite);
        await client.SendAsync("国密 hello"u8.ToArray());
        var reply = await client.ReceiveAsync();
        Assert.Equal([.. "echo:"u8, .. "国密 hello"u8], Assert.IsType<byte[]>(reply));
        await client.CloseAsync();
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Server_picks_the_sm_suite_when_it_prefers_it_and_the_client_offers_it()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheSm2Sm4GcmSm3, SecureChannelSuite.EcdheP256Aes256GcmSha256] });
        using var session = Handshakes.Establish(server, _enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256, SecureChannelSuite.EcdheSm2Sm4GcmSm3] });
        Assert.Equal(SecureChannelSuite.EcdheSm2Sm4GcmSm3, session.Suite);
    }

    [Fact]
    public void Evidence_binds_the_sm3_transcript_and_the_sm2_key()
    {
        using var server = Handshakes.EchoServer(_enclave, Sm);
        using var client = new ClientHandshake(Sm, _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var serverHello = Handshakes.Single(server.Process(client.CreateHello()));
        using var attacker = SuiteInfo.Sm2.CreateEphemeral();
        attacker.PublicKey.CopyTo(serverHello, Wire.FrameHeaderLength + 2 + 2 + Wire.SessionIdLength + 2);
        var ex = Assert.Throws<SecureChannelException>(() => client.ProcessServerHello(serverHello));
        Assert.Equal(SecGear.Attestation.AttestationFailureCode.PolicyReportDataMismatch, ex.AttestationFailure?.Code);
    }

    [Fact]
    public void Server_rejects_an_sm2_client_key_that_is_not_on_the_curve()
    {
        using var server = Handshakes.EchoServer(_enclave, Sm);
        using var client = new ClientHandshake(Sm, _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var clientKey = client.ProcessServerHello(Handshakes.Single(server.Process(client.CreateHello())));
        clientKey[^33] ^= 0x01;
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(clientKey));
        Assert.Equal(SecureChannelFailureCode.InvalidPublicKey, ex.Reason);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Server_rejects_a_wrong_sm3_client_finished()
    {
        using var server = Handshakes.EchoServer(_enclave, Sm);
        using var client = new ClientHandshake(Sm, _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var clientKey = client.ProcessServerHello(Handshakes.Single(server.Process(client.CreateHello())));
        clientKey[^1] ^= 0x01;
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(clientKey));
        Assert.Equal(SecureChannelFailureCode.KeyConfirmationFailed, ex.Reason);
    }

    [Theory]
    [InlineData(Wire.FrameHeaderLength + Wire.RecordHeaderLength)]
    [InlineData(-1)]
    [InlineData(Wire.FrameHeaderLength + Wire.SessionIdLength + 3)]
    public void Server_rejects_a_tampered_sm4_gcm_record(int offset)
    {
        using var server = Handshakes.EchoServer(_enclave, Sm);
        using var client = Handshakes.Establish(server, _enclave, Sm);
        var record = client.Seal("transfer 100"u8);
        record[offset < 0 ? record.Length + offset : offset] ^= 0x01;
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(record));
        Assert.Equal(SecureChannelFailureCode.AuthenticationFailed, ex.Reason);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Server_rejects_a_replayed_sm4_gcm_record()
    {
        using var server = Handshakes.EchoServer(_enclave, Sm);
        using var client = Handshakes.Establish(server, _enclave, Sm);
        var record = client.Seal("once"u8);
        Assert.Single(server.Process(record));
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(record));
        Assert.Equal(SecureChannelFailureCode.Replayed, ex.Reason);
    }

    [Fact]
    public void Sm_suite_rekeys_both_directions_and_keeps_working()
    {
        var options = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheSm2Sm4GcmSm3], RekeyAfterRecords = 2 };
        using var server = Handshakes.EchoServer(_enclave, options);
        using var client = Handshakes.Establish(server, _enclave, options);
        for (int i = 0; i < 7; i++)
        {
            var message = new byte[1000 + i];
            BinaryPrimitives.WriteInt32BigEndian(message, i);
            var reply = Handshakes.OpenReply(client, Handshakes.Single(server.Process(client.Seal(message))));
            Assert.Equal([.. "echo:"u8, .. message], Assert.IsType<byte[]>(reply));
        }

        Assert.Equal(3u, client.SendEpoch);
        Assert.Equal(3u, client.ReceiveEpoch);
    }

    [Fact]
    public void Sm_suite_carries_a_full_size_record()
    {
        using var server = Handshakes.EchoServer(_enclave, Sm);
        using var client = Handshakes.Establish(server, _enclave, Sm);
        var message = new byte[Sm.MaxRecordPayload - 5];
        new Random(3).NextBytes(message);
        var reply = Handshakes.OpenReply(client, Handshakes.Single(server.Process(client.Seal(message))));
        Assert.Equal([.. "echo:"u8, .. message], Assert.IsType<byte[]>(reply));
    }
}
