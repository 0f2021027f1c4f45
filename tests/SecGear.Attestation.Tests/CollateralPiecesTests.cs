using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests;

/// <summary>IntelCollateral.FromPieces: TDX-2's separate PCS files, recognised by content, in any order.</summary>
public sealed class CollateralPiecesTests
{
    private static readonly string[] Names =
    [
        "sample_tcbInfo_response.json", "tcbinfo_issuer_chain.pem", "sample_qeIdentity_response.json", "qeidentity_issuer_chain.pem",
        "pckcrl.der", "pckcrl_issuer_chain.pem", "rootcrl.der",
    ];

    private static ReadOnlyMemory<byte> Piece(string name) => TestVectors.Read("tdx-v4/go-tdx-guest/" + name);

    private static AttestationFailureCode? Verdict(IntelCollateral collateral) =>
        Samples.Verify(Samples.Tdx2Quote, collateral, Samples.Tdx2Time).Failure?.Code;

    [TestVectorFact]
    public void Pieces_in_any_order_give_the_same_verdict_as_the_explicit_PCS_responses()
    {
        var expected = Verdict(Samples.Tdx2Collateral);
        var forward = IntelCollateral.FromPieces([.. Names.Select(Piece)]);
        var backward = IntelCollateral.FromPieces([.. Names.Reverse().Select(Piece)]);

        Assert.Equal(AttestationFailureCode.TcbLevelNotSupported, expected);
        Assert.Equal(expected, Verdict(forward));
        Assert.Equal(expected, Verdict(backward));
        Assert.Equal(Samples.Tdx2Collateral.ValidFrom, forward.ValidFrom);
        Assert.Equal(Samples.Tdx2Collateral.ValidUntil, forward.ValidUntil);
    }

    [TestVectorFact]
    public void One_signing_chain_serves_both_TCB_info_and_QE_identity()
    {
        var collateral = IntelCollateral.FromPieces([.. Names.Where(n => n != "qeidentity_issuer_chain.pem").Select(Piece)]);

        Assert.Equal(AttestationFailureCode.TcbLevelNotSupported, Verdict(collateral));
    }

    [TestVectorFact]
    public void The_PCK_CRL_issuer_chain_is_optional()
    {
        var collateral = IntelCollateral.FromPieces([.. Names.Where(n => n != "pckcrl_issuer_chain.pem").Select(Piece)]);

        Assert.Equal(AttestationFailureCode.TcbLevelNotSupported, Verdict(collateral));
    }

    [TestVectorTheory]
    [InlineData("sample_tcbInfo_response.json", "TCB info")]
    [InlineData("sample_qeIdentity_response.json", "QE identity")]
    [InlineData("pckcrl.der", "PCK CRL")]
    [InlineData("rootcrl.der", "root CA CRL")]
    public void A_missing_piece_is_named(string missing, string role)
    {
        var ex = Assert.Throws<AttestationException>(() => IntelCollateral.FromPieces([.. Names.Where(n => n != missing).Select(Piece)]));

        Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
        Assert.Contains(role, ex.Failure.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void A_duplicated_CRL_or_a_complete_collateral_file_among_pieces_is_refused()
    {
        var duplicate = Assert.Throws<AttestationException>(() => IntelCollateral.FromPieces([.. Names.Select(Piece), Piece("pckcrl.der")]));
        var complete = Assert.Throws<AttestationException>(() => IntelCollateral.FromPieces(
            [Piece("pckcrl.der"), TestVectors.Read("tdx-v4/dcap-qvl/tdx_quote_collateral.json")]));

        Assert.Contains("second PCK CRL", duplicate.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("given alone", complete.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_pieces_or_unrecognisable_bytes_are_malformed()
    {
        Assert.Equal(AttestationFailureCode.CollateralMalformed, Assert.Throws<AttestationException>(() => IntelCollateral.FromPieces([])).Failure.Code);
        Assert.Equal(AttestationFailureCode.CollateralMalformed, Assert.Throws<AttestationException>(() => IntelCollateral.FromPieces([new byte[] { 1, 2, 3 }, new byte[] { 4 }])).Failure.Code);
        Assert.Equal(AttestationFailureCode.CollateralMalformed, Assert.Throws<AttestationException>(() => IntelCollateral.FromPieces([.. Enumerable.Repeat(new ReadOnlyMemory<byte>([0x30]), IntelCollateral.MaxPieces + 1)])).Failure.Code);
    }
}
