using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.SecureChannel.Tests;

/// <summary>Optional client-certificate authentication: the server's policy, the client's proof of possession.</summary>
public sealed class ClientAuthenticationTests : IClassFixture<SimulatedEnclaveFixture>, IDisposable
{
    private readonly SimulatedMachine _enclave;
    private readonly X509Certificate2 _root = ClientCertificates.CreateRoot();

    public ClientAuthenticationTests(SimulatedEnclaveFixture fixture)
    {
        _enclave = fixture.Enclave;
    }

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(SecureChannelSuite.EcdheP256Aes256GcmSha256)]
    [InlineData(SecureChannelSuite.EcdheP384Aes256GcmSha384)]
    public async Task Server_accepts_a_client_certificate_chaining_to_its_trusted_root(SecureChannelSuite suite)
    {
        using var leaf = ClientCertificates.Issue(_root, suite == SecureChannelSuite.EcdheP384Aes256GcmSha384 ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        using var server = Handshakes.EchoServer(_enclave, ServerOptions(ClientCertificatePolicy.TrustedRoots([_root]), suite));
        var options = new SecureChannelOptions { Suites = [suite], ClientCredential = ClientCredential.FromCertificate(leaf) };
        await using var client = await SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy, options);
        await client.SendAsync("authenticated"u8.ToArray());
        Assert.NotNull(await client.ReceiveAsync());
    }

    [Fact]
    public void Request_handler_sees_the_session_and_the_authenticated_client_certificate()
    {
        using var leaf = ClientCertificates.Issue(_root, ECCurve.NamedCurves.nistP256);
        var seen = new List<SecureChannelRequest>();
        using var server = SecureChannelServer.Create(d => _enclave.Platform.GetEvidence(d), r => { seen.Add(r); return null; }, ServerOptions(ClientCertificatePolicy.TrustedRoots([_root])));
        using var session = Handshakes.Establish(server, _enclave, new SecureChannelOptions { ClientCredential = ClientCredential.FromCertificate(leaf) });
        Assert.Empty(server.Process(session.Seal("who am i"u8)));
        var request = Assert.Single(seen);
        Assert.Equal(leaf.RawData, request.ClientCertificate.ToArray());
        Assert.Equal(session.SessionId, request.SessionId.ToArray());
        Assert.Equal(SecureChannelSuite.EcdheP256Aes256GcmSha256, request.Suite);
        Assert.Equal("who am i"u8.ToArray(), request.Message.ToArray());
    }

    [Fact]
    public void Request_handler_sees_no_certificate_without_client_authentication()
    {
        var seen = new List<SecureChannelRequest>();
        using var server = SecureChannelServer.Create(d => _enclave.Platform.GetEvidence(d), r => { seen.Add(r); return null; });
        using var session = Handshakes.Establish(server, _enclave);
        Assert.Empty(server.Process(session.Seal("anonymous"u8)));
        Assert.True(Assert.Single(seen).ClientCertificate.IsEmpty);
    }

    [Fact]
    public void Server_accepts_a_pinned_sm2_client_certificate_signed_with_sm2_sm3_in_the_sm_suite()
    {
        var (certificate, key) = ClientCertificates.CreateSm2();
        using var server = Handshakes.EchoServer(_enclave, ServerOptions(ClientCertificatePolicy.PinnedPublicKeys([ClientCertificates.SpkiSha256(certificate)]), SecureChannelSuite.EcdheSm2Sm4GcmSm3));
        using var session = Handshakes.Establish(server, _enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheSm2Sm4GcmSm3], ClientCredential = ClientCredential.FromSm2(certificate, key) });
        Assert.NotNull(Handshakes.OpenReply(session, Handshakes.Single(server.Process(session.Seal("国密"u8)))));
    }

    [Fact]
    public async Task Server_requires_a_certificate_when_its_policy_is_set_and_the_client_learns_why()
    {
        using var server = Handshakes.EchoServer(_enclave, ServerOptions(ClientCertificatePolicy.TrustedRoots([_root])));
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy));
        Assert.Equal(SecureChannelFailureCode.ClientCertificateRequired, ex.Reason);
        Assert.True(ex.IsPeerAlert);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Server_rejects_a_certificate_from_another_root()
    {
        using var otherRoot = ClientCertificates.CreateRoot("CN=Other CA");
        using var leaf = ClientCertificates.Issue(otherRoot, ECCurve.NamedCurves.nistP256);
        using var server = Handshakes.EchoServer(_enclave, ServerOptions(ClientCertificatePolicy.TrustedRoots([_root])));
        AssertRejected(server, new SecureChannelOptions { ClientCredential = ClientCredential.FromCertificate(leaf) }, SecureChannelFailureCode.ClientCertificateRejected);
    }

    [Fact]
    public void Server_rejects_a_certificate_whose_key_is_not_pinned()
    {
        using var leaf = ClientCertificates.Issue(_root, ECCurve.NamedCurves.nistP256);
        using var server = Handshakes.EchoServer(_enclave, ServerOptions(ClientCertificatePolicy.PinnedPublicKeys([SHA256.HashData("some other key"u8)])));
        AssertRejected(server, new SecureChannelOptions { ClientCredential = ClientCredential.FromCertificate(leaf) }, SecureChannelFailureCode.ClientCertificateRejected);
    }

    [Fact]
    public void Server_rejects_an_expired_client_certificate_even_when_pinned()
    {
        using var leaf = ClientCertificates.Issue(_root, ECCurve.NamedCurves.nistP256, DateTimeOffset.UtcNow.AddHours(1));
        var clock = new ManualTimeProvider();
        clock.Advance(TimeSpan.FromHours(2));
        var pinned = ClientCertificatePolicy.PinnedPublicKeys([SHA256.HashData(leaf.PublicKey.ExportSubjectPublicKeyInfo())]);
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { ClientCertificatePolicy = pinned, TimeProvider = clock });
        var ex = AssertRejected(server, new SecureChannelOptions { ClientCredential = ClientCredential.FromCertificate(leaf) }, SecureChannelFailureCode.ClientCertificateRejected);
        Assert.Contains("valid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_rejects_a_certificate_sent_without_a_signature()
    {
        using var leaf = ClientCertificates.Issue(_root, ECCurve.NamedCurves.nistP256);
        using var server = Handshakes.EchoServer(_enclave, ServerOptions(ClientCertificatePolicy.TrustedRoots([_root])));
        var clientKey = ClientKeyFrom(server, new SecureChannelOptions { ClientCredential = ClientCredential.FromCertificate(leaf) });

        // ClientKey = session id | key len | key (65) | cert len | cert | sig len | sig | finished: drop the signature.
        int certLengthAt = Wire.FrameHeaderLength + Wire.SessionIdLength + 2 + 65;
        int signatureLengthAt = certLengthAt + 4 + (int)BinaryPrimitives.ReadUInt32BigEndian(clientKey.AsSpan(certLengthAt));
        int signatureLength = BinaryPrimitives.ReadUInt16BigEndian(clientKey.AsSpan(signatureLengthAt));
        byte[] body = [.. clientKey.AsSpan(Wire.FrameHeaderLength, signatureLengthAt - Wire.FrameHeaderLength), 0, 0, .. clientKey.AsSpan(signatureLengthAt + 2 + signatureLength)];
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(Wire.Frame(MessageType.ClientKey, body)));
        Assert.Equal(SecureChannelFailureCode.ClientCertificateSignatureInvalid, ex.Reason);
    }

    [Fact]
    public void Server_rejects_a_signature_that_does_not_verify_with_the_certificate()
    {
        using var leaf = ClientCertificates.Issue(_root, ECCurve.NamedCurves.nistP256);
        using var server = Handshakes.EchoServer(_enclave, ServerOptions(ClientCertificatePolicy.TrustedRoots([_root])));
        var clientKey = ClientKeyFrom(server, new SecureChannelOptions { ClientCredential = ClientCredential.FromCertificate(leaf) });

        // The byte just before the 32-byte Finished is the signature's last byte.
        clientKey[^33] ^= 1;
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(clientKey));
        Assert.Equal(SecureChannelFailureCode.ClientCertificateSignatureInvalid, ex.Reason);
    }

    [Fact]
    public void Server_rejects_an_ecdsa_certificate_in_the_sm_suite()
    {
        using var leaf = ClientCertificates.Issue(_root, ECCurve.NamedCurves.nistP256);
        var options = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheSm2Sm4GcmSm3], ClientCredential = ClientCredential.FromCertificate(leaf) };
        using var server = Handshakes.EchoServer(_enclave, ServerOptions(ClientCertificatePolicy.TrustedRoots([_root]), SecureChannelSuite.EcdheSm2Sm4GcmSm3));
        using var client = new ClientHandshake(options, _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var ex = Assert.Throws<SecureChannelException>(() => client.ProcessServerHello(Handshakes.Single(server.Process(client.CreateHello()))));
        Assert.Equal(SecureChannelFailureCode.ClientCertificateSignatureInvalid, ex.Reason);
    }

    [Fact]
    public void Server_without_client_authentication_refuses_a_certificate_it_did_not_ask_for()
    {
        using var leaf = ClientCertificates.Issue(_root, ECCurve.NamedCurves.nistP256);
        using var server = Handshakes.EchoServer(_enclave);
        AssertRejected(server, new SecureChannelOptions { ClientCredential = ClientCredential.FromCertificate(leaf) }, SecureChannelFailureCode.UnexpectedMessage);
    }

    [Fact]
    public void Sm2_credential_refuses_a_private_key_that_is_not_the_certificates()
    {
        var (certificate, _) = ClientCertificates.CreateSm2();
        var (_, otherKey) = ClientCertificates.CreateSm2();
        Assert.Throws<ArgumentException>(() => ClientCredential.FromSm2(certificate, otherKey));
    }

    [Fact]
    public void Server_rejects_a_client_certificate_that_is_not_x509()
    {
        using var leaf = ClientCertificates.Issue(_root, ECCurve.NamedCurves.nistP256);
        using var server = Handshakes.EchoServer(_enclave, ServerOptions(ClientCertificatePolicy.TrustedRoots([_root])));
        var clientKey = ClientKeyFrom(server, new SecureChannelOptions { ClientCredential = ClientCredential.FromCertificate(leaf) });
        int certAt = Wire.FrameHeaderLength + Wire.SessionIdLength + 2 + 65 + 4;
        clientKey[certAt] = 0x05;
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(clientKey));
        Assert.Equal(SecureChannelFailureCode.ClientCertificateRejected, ex.Reason);
    }

    private static SecureChannelOptions ServerOptions(ClientCertificatePolicy policy, SecureChannelSuite suite = SecureChannelSuite.EcdheP256Aes256GcmSha256) =>
        new() { Suites = [suite], ClientCertificatePolicy = policy };

    private byte[] ClientKeyFrom(SecureChannelServer server, SecureChannelOptions options)
    {
        using var client = new ClientHandshake(options, _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        return client.ProcessServerHello(Handshakes.Single(server.Process(client.CreateHello())));
    }

    private SecureChannelException AssertRejected(SecureChannelServer server, SecureChannelOptions options, SecureChannelFailureCode expected)
    {
        var ex = Assert.Throws<SecureChannelException>(() => Handshakes.Establish(server, _enclave, options));
        Assert.Equal(expected, ex.Reason);
        Assert.Equal(0, server.SessionCount);
        return ex;
    }
}
