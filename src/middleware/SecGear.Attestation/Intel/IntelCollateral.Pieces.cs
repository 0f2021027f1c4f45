using System.Buffers.Binary;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.Intel;

/// <summary>Collateral assembled from separate files, each recognised by its content.</summary>
public sealed partial class IntelCollateral
{
    /// <summary>Most pieces <see cref="FromPieces"/> takes (seven PCS pieces, with room for a duplicated chain).</summary>
    public const int MaxPieces = 8;

    private const string TcbInfoRole = "TCB info (PCS /tcb response)";
    private const string QeIdentityRole = "QE identity (PCS /qe/identity response)";
    private const string SigningChainRole = "TCB signing issuer chain (PEM)";
    private const string PckCrlChainRole = "PCK CRL issuer chain (PEM)";
    private const string CrlRole = "CRL";

    /// <summary>
    /// Builds collateral from several files, as Intel PCS serves them separately (for example TDX-2's
    /// <c>sample_tcbInfo_response.json</c>, <c>sample_qeIdentity_response.json</c>, <c>tcbinfo_issuer_chain.pem</c>,
    /// <c>pckcrl_issuer_chain.pem</c>, <c>pckcrl.der</c>, <c>rootcrl.der</c>). Each piece is recognised by content:
    /// a PCS TCB info or QE identity JSON body; a PEM chain whose first certificate is a CA (the PCK CRL issuer chain)
    /// or is not (the TCB signing chain, which signs both TCB info and QE identity; several copies must be identical);
    /// a CRL as DER or hex text, which is the root CA CRL when issued by the root of the given chains and the PCK CRL
    /// otherwise. A single piece may also be any complete form <see cref="Load"/> reads. Nothing is trusted here: the
    /// verifier checks every piece as usual. Throws <see cref="AttestationException"/>
    /// (<see cref="AttestationFailureCode.CollateralMalformed"/>) naming a piece that is unrecognised, duplicated or missing.
    /// </summary>
    public static IntelCollateral FromPieces(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        if (pieces.Count is 0 or > MaxPieces)
        {
            throw Malformed($"collateral is given as {pieces.Count} pieces; between 1 and {MaxPieces} are accepted");
        }

        if (pieces.Count == 1)
        {
            try
            {
                return Load(pieces[0].Span);
            }
            catch (AttestationException) when (LonePcsPiece(pieces[0].Span) is { } role)
            {
                // One of the separate PCS responses on its own: say which are missing, not that it is no complete form.
                string[] needed = [TcbInfoRole, QeIdentityRole, SigningChainRole, "PCK CRL", "root CA CRL"];
                string missing = role == CrlRole
                    ? $"{TcbInfoRole}, {QeIdentityRole}, {SigningChainRole} and the other CRL (PCK CRL or root CA CRL)"
                    : string.Join(", ", needed.Where(r => r != role));
                throw Malformed($"the only collateral piece is a {role}; the separate PCS pieces also need: {missing} (give each as another piece)");
            }
        }

        byte[]? tcbInfo = null, qeIdentity = null, signingChain = null, pckCrlChain = null;
        var crls = new List<(int Index, byte[] Data)>();
        int total = 0;
        for (int i = 0; i < pieces.Count; i++)
        {
            var data = EvidenceUnwrapper.SkipCommentLines(pieces[i].Span);
            total += data.Length;
            if (total > MaxSize)
            {
                throw Malformed($"collateral pieces add up to more than {MaxSize} bytes");
            }

            switch (Classify(data, i))
            {
                case TcbInfoRole:
                    Assign(ref tcbInfo, data, TcbInfoRole, i);
                    break;
                case QeIdentityRole:
                    Assign(ref qeIdentity, data, QeIdentityRole, i);
                    break;
                case SigningChainRole:
                    Assign(ref signingChain, data, SigningChainRole, i);
                    break;
                case PckCrlChainRole:
                    Assign(ref pckCrlChain, data, PckCrlChainRole, i);
                    break;
                default:
                    crls.Add((i, data.ToArray()));
                    break;
            }
        }

        var rootSubject = Wrap(() => RootSubject(signingChain ?? pckCrlChain ?? throw new FormatException($"no {SigningChainRole} was given")));
        byte[]? rootCrl = null, pckCrl = null;
        foreach (var (index, data) in crls)
        {
            var issuedByRoot = Wrap(() => Crl(data, $"collateral piece {index + 1}")).Issuer.AsSpan().SequenceEqual(rootSubject);
            if (issuedByRoot)
            {
                Assign(ref rootCrl, data, "root CA CRL", index);
            }
            else
            {
                Assign(ref pckCrl, data, "PCK CRL", index);
            }
        }

        return FromPcsResponses(
            tcbInfo ?? throw Missing(TcbInfoRole),
            signingChain ?? throw Missing(SigningChainRole),
            qeIdentity ?? throw Missing(QeIdentityRole),
            signingChain,
            pckCrl ?? throw Missing("PCK CRL"),
            pckCrlChain ?? [],
            rootCrl ?? throw Missing("root CA CRL (issued by the root of the given chains)"));
    }

    /// <summary>The PCS role of a piece that is one of the separate PCS pieces (a CRL only when it parses as one), else null.</summary>
    private static string? LonePcsPiece(ReadOnlySpan<byte> data)
    {
        var trimmed = EvidenceUnwrapper.SkipCommentLines(data).ToArray();
        try
        {
            string role = Classify(trimmed, 0);
            if (role == CrlRole)
            {
                Wrap(() => Crl(trimmed, "collateral piece 1"));
            }

            return role;
        }
        catch (AttestationException)
        {
            return null;
        }
    }

    private static string Classify(ReadOnlySpan<byte> data, int index)
    {
        int first = data.IndexOfAnyExcept(" \t\r\n"u8);
        if (first >= 0 && data[first] == (byte)'{')
        {
            return FirstPropertyName(data, index) switch
            {
                "tcbInfo" => TcbInfoRole,
                "enclaveIdentity" => QeIdentityRole,
                _ => throw Malformed($"collateral piece {index + 1} is JSON but neither a PCS TCB info nor a QE identity response; a complete collateral file must be given alone"),
            };
        }

        if (data.IndexOf("-----BEGIN CERTIFICATE-----"u8) >= 0)
        {
            var pem = data.ToArray();
            var chain = Wrap(() => Chain(pem, $"collateral piece {index + 1}"));
            return chain[0].Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true } ? PckCrlChainRole : SigningChainRole;
        }

        if ((data.Length >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(data) is 3 or 4 && BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) is 0 or DcapQuoteParser.TeeTypeTdx)
            || (data.Length >= 16 && BinaryPrimitives.ReadUInt32LittleEndian(data) == 1 && BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) == 2))
        {
            throw Malformed($"collateral piece {index + 1} is a complete collateral file; it must be given alone");
        }

        return CrlRole;
    }

    private static string? FirstPropertyName(ReadOnlySpan<byte> json, int index)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName
                ? reader.GetString()
                : null;
        }
        catch (JsonException ex)
        {
            throw Malformed($"collateral piece {index + 1} is not valid JSON: {FailureText.Of(ex)}");
        }
    }

    private static void Assign(ref byte[]? slot, ReadOnlySpan<byte> data, string role, int index)
    {
        if (slot is null)
        {
            slot = data.ToArray();
        }
        else if (!(role == SigningChainRole && slot.AsSpan().SequenceEqual(data)))
        {
            // PCS serves the same TCB signing chain for TCB info and QE identity: identical copies are one piece.
            throw Malformed($"collateral piece {index + 1} is a second {role}");
        }
    }

    private static byte[] RootSubject(byte[] pem)
    {
        var chain = Chain(pem, "issuer chain");
        return chain[^1].SubjectName.RawData;
    }

    private static AttestationException Missing(string role) => Malformed($"the collateral pieces have no {role}");

    private static T Wrap<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw Malformed(FailureText.Of(ex));
        }
    }
}
