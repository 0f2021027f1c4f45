using System.Text;
using System.Xml;
using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Attestation.Tests.NvidiaGpu;

/// <summary>GPU-RIM-1: validly signed RIMs that do not match GPU-1.</summary>
public sealed class NvidiaRimTests
{
    /// <summary>The 0-based indices SOURCES.md lists as differing when GPU-1 is compared with GPU-RIM-1 anyway.</summary>
    private const string ExpectedMismatches = "1,2,3,7,9,11,21,22,25,26,27,29,30,31,32,34,36,37,39,40";

    private readonly NvidiaGpuVerifier _verifier = new();

    [TestVectorFact]
    public void Both_rims_load_with_their_kind_version_and_active_indices()
    {
        var collateral = GpuSamples.RimCollateral;

        Assert.Equal("545.00", collateral.DriverManifest!.Version);
        Assert.Equal(NvidiaRimKind.Driver, collateral.DriverManifest.Kind);
        Assert.Equal("96.00.5E.00.01", collateral.VbiosManifest!.Version);
        Assert.Equal(NvidiaRimKind.Vbios, collateral.VbiosManifest.Kind);
        Assert.Equal(21, collateral.DriverManifest.Measurements.Count(m => m.Active));
        Assert.Equal(12, collateral.VbiosManifest.Measurements.Count(m => m.Active));
        Assert.Equal(4, collateral.VbiosManifest.Measurements.Single(m => m.Index == 12).Alternatives.Count);
        Assert.Equal(4, collateral.DriverManifest.SignerChain.Count);
        Assert.Equal("GH100", collateral.DriverManifest.Product);
    }

    [TestVectorFact]
    public void Gpu1_against_gpu_rim_1_fails_on_the_driver_version_first()
    {
        var result = _verifier.Verify(GpuSamples.Gpu1Evidence, GpuSamples.RimCollateral, GpuSamples.RimTime);

        Assert.Equal(AttestationFailureCode.ReferenceValueMismatch, result.Failure?.Code);
        Assert.Contains("545.00", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Contains("550.90.07", result.Failure.Message, StringComparison.Ordinal);
        Assert.NotNull(result.Claims);
        Assert.Equal("false", result.Claims!.Fields["measurements_appraised"]);
    }

    [TestVectorFact]
    public void Comparing_anyway_names_the_first_mismatching_index_with_found_and_expected_and_lists_all_twenty()
    {
        var anyVersion = new NvidiaGpuVerifier(new NvidiaGpuVerifierOptions { RequireRimVersionMatch = false });
        var claims = anyVersion.Verify(GpuSamples.Gpu1Evidence, null, GpuSamples.Gpu1Time).ThrowIfFailed();

        var result = anyVersion.Verify(GpuSamples.Gpu1Evidence, GpuSamples.RimCollateral, GpuSamples.RimTime);

        Assert.Equal(AttestationFailureCode.ReferenceValueMismatch, result.Failure?.Code);
        Assert.StartsWith("Vbios RIM index 1 (SPDM block 2): found " + claims.Fields["measurement_2"] + ", expected ", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(ExpectedMismatches, result.Claims!.Fields["rim_mismatched_indices"]);
        Assert.Equal("32", result.Claims.Fields["rim_compared_indices"]);
        Assert.Equal("mismatch: 20 of 32 measurements", result.Claims.Fields["reference_values"]);
    }

    [TestVectorFact]
    public void Rim_signer_certificates_are_expired_at_a_2026_clock()
    {
        var failure = _verifier.Verify(GpuSamples.Gpu1Evidence, GpuSamples.RimCollateral, TestVectors.At("2026-01-01T00:00:00Z")).Failure;

        Assert.Equal(AttestationFailureCode.ReferenceManifestUntrusted, failure?.Code);
        Assert.Contains("HCC RIM L4 Signer", failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Rims_are_not_accepted_under_the_device_root()
    {
        var deviceRootOnly = new NvidiaGpuVerifier(new NvidiaGpuVerifierOptions { RimTrustAnchors = NvidiaGpuVerifierOptions.NvidiaDeviceProduction });

        var failure = deviceRootOnly.Verify(GpuSamples.Gpu1Evidence, GpuSamples.RimCollateral, GpuSamples.RimTime).Failure;

        Assert.Equal(AttestationFailureCode.ReferenceManifestUntrusted, failure?.Code);
        Assert.Contains("RootNotTrusted", failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Reordered_attributes_and_reindented_tags_still_verify()
    {
        foreach (var rim in new[] { GpuSamples.DriverRim, GpuSamples.VbiosRim })
        {
            var text = Encoding.UTF8.GetString(rim);
            // Swap two attributes of every Resource and add whitespace inside tags: canonicalisation undoes both.
            text = System.Text.RegularExpressions.Regex.Replace(text, "type=\"Measurement\" index=\"([0-9]+)\"", "index=\"$1\"\n   type=\"Measurement\"");
            Assert.NotEqual(Encoding.UTF8.GetString(rim), text);

            AssertManifestVerifies(Encoding.UTF8.GetBytes(text), expected: true);
        }
    }

    [TestVectorFact]
    public void Changing_any_signed_element_of_either_rim_breaks_its_digest()
    {
        const string signedElements = "//*[not(ancestor-or-self::*[local-name()='Signature'])]";
        foreach (var rim in new[] { GpuSamples.DriverRim, GpuSamples.VbiosRim })
        {
            int count = Load(rim).SelectNodes(signedElements)!.Count;
            Assert.True(count > 60, $"{count} signed elements");
            for (int i = 0; i < count; i++)
            {
                // An added attribute on each signed element in turn: every element is covered by the digest.
                var added = Load(rim);
                ((XmlElement)added.SelectNodes(signedElements)![i]!).SetAttribute("tampered", "1");
                AssertManifestVerifies(Save(added), expected: false, AttestationFailureCode.ReferenceManifestSignatureInvalid);

                // One hex digit of a golden value changed: the values themselves are covered.
                var changed = Load(rim);
                var element = (XmlElement)changed.SelectNodes(signedElements)![i]!;
                var hash = element.GetAttributeNode("Hash0", "http://www.w3.org/2001/04/xmlenc#sha384");
                if (hash is not null)
                {
                    hash.Value = (hash.Value[0] == 'a' ? "b" : "a") + hash.Value[1..];
                    AssertManifestVerifies(Save(changed), expected: false, AttestationFailureCode.ReferenceManifestSignatureInvalid);
                }
            }
        }
    }

    [TestVectorFact]
    public void Changing_the_signed_info_or_the_signature_value_breaks_the_signature()
    {
        var signedInfo = Load(GpuSamples.DriverRim);
        var method = (XmlElement)signedInfo.GetElementsByTagName("Reference", "http://www.w3.org/2000/09/xmldsig#")[0]!;
        method.SetAttribute("Id", "r1");
        AssertManifestVerifies(Save(signedInfo), expected: false, AttestationFailureCode.ReferenceManifestSignatureInvalid);

        var value = Load(GpuSamples.VbiosRim);
        var signatureValue = value.GetElementsByTagName("SignatureValue", "http://www.w3.org/2000/09/xmldsig#")[0]!;
        var bytes = Convert.FromBase64String(signatureValue.InnerText);
        bytes[10] ^= 1;
        signatureValue.InnerText = Convert.ToBase64String(bytes);
        AssertManifestVerifies(Save(value), expected: false, AttestationFailureCode.ReferenceManifestSignatureInvalid);
    }

    [TestVectorFact]
    public void Documents_outside_the_canonicalisation_subset_are_refused()
    {
        var text = Encoding.UTF8.GetString(GpuSamples.DriverRim);
        var withComment = text.Replace("<ns0:Payload", "<!-- c --><ns0:Payload", StringComparison.Ordinal);
        var withXmlLang = text.Replace("<ns0:Payload ", "<ns0:Payload xml:lang=\"en\" ", StringComparison.Ordinal);
        var withDtd = "<!DOCTYPE x [<!ENTITY e \"v\">]>" + text;

        foreach (var variant in new[] { withComment, withXmlLang, withDtd })
        {
            var ex = Assert.Throws<AttestationException>(() => NvidiaReferenceManifest.Load(Encoding.UTF8.GetBytes(variant)));
            Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
        }
    }

    [TestVectorFact]
    public void Two_rims_of_the_same_kind_are_refused()
    {
        var ex = Assert.Throws<AttestationException>(() => NvidiaGpuCollateral.Load([GpuSamples.DriverRim, GpuSamples.DriverRim]));

        Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
    }

    private void AssertManifestVerifies(byte[] rim, bool expected, AttestationFailureCode? code = null)
    {
        var manifest = NvidiaReferenceManifest.Load(rim);
        var collateral = manifest.Kind == NvidiaRimKind.Driver ? NvidiaGpuCollateral.Create(manifest, null) : NvidiaGpuCollateral.Create(null, manifest);
        var anyVersion = new NvidiaGpuVerifier(new NvidiaGpuVerifierOptions { RequireRimVersionMatch = false });
        var result = anyVersion.Verify(GpuSamples.Gpu1Evidence, collateral, GpuSamples.RimTime);

        // A correctly signed RIM reaches the measurement comparison (which GPU-1 fails); a tampered one stops before.
        if (expected)
        {
            Assert.True(result.Failure?.Code == AttestationFailureCode.ReferenceValueMismatch, result.Failure?.ToString());
        }
        else
        {
            Assert.True(result.Failure?.Code == code, result.Failure?.ToString());
        }
    }

    private static XmlDocument Load(byte[] xml)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.LoadXml(Encoding.UTF8.GetString(xml));
        return document;
    }

    private static byte[] Save(XmlDocument document) => Encoding.UTF8.GetBytes(document.OuterXml);
}
