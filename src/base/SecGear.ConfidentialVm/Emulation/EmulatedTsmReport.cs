using System.Text.Json;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Emulation;

/// <summary>
/// What an emulated provider serves: its name, a recorded outblob, an optional auxblob, and whether the inblob is
/// written over the outblob's report-data field (<see cref="PatchReportData"/>).
/// </summary>
public sealed class EmulatedTsmReport
{
    /// <summary>The provider name (e.g. <c>tdx_guest</c>).</summary>
    public required string Provider { get; init; }

    /// <summary>The recorded outblob.</summary>
    public required byte[] Outblob { get; init; }

    /// <summary>The recorded auxblob; null when the provider has none (the attribute is then invisible).</summary>
    public byte[]? Auxblob { get; init; }

    /// <summary>
    /// False (default): serve the recording byte for byte; its hardware report data is the recording's, so the
    /// enclave binding cannot match. True: write the inblob over the report-data field (TDX REPORTDATA, SNP
    /// REPORT_DATA, CCA realm challenge) so that the binding matches; the hardware signature then no longer verifies.
    /// </summary>
    public bool PatchReportData { get; init; }

    /// <summary>
    /// Loads an emulation description: a JSON file <c>{"provider": "...", "outblob": "path", "auxblob": "path"?,
    /// "patchReportData": bool?}</c>, paths relative to the file. This is how the runner takes an emulated provider
    /// (environment variable <c>SECGEAR_CVM_EMULATION</c>).
    /// </summary>
    /// <exception cref="TsmException">The file is unreadable or malformed (<see cref="TsmFailureCode.IoError"/>).</exception>
    public static EmulatedTsmReport Load(string path)
    {
        try
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            string provider = root.GetProperty("provider").GetString() ?? throw new FormatException("provider is null");
            string outblob = root.GetProperty("outblob").GetString() ?? throw new FormatException("outblob is null");
            string? auxblob = root.TryGetProperty("auxblob", out var aux) ? aux.GetString() : null;
            bool patch = root.TryGetProperty("patchReportData", out var p) && p.GetBoolean();
            return new EmulatedTsmReport
            {
                Provider = provider,
                Outblob = File.ReadAllBytes(Path.Combine(directory, outblob)),
                Auxblob = auxblob is null ? null : File.ReadAllBytes(Path.Combine(directory, auxblob)),
                PatchReportData = patch,
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new TsmException(TsmFailureCode.IoError, $"the configfs-tsm emulation description {path} is unusable: {ex.Message}");
        }
    }

    /// <summary>The outblob for <paramref name="inblob"/>.</summary>
    public byte[] Produce(ReadOnlySpan<byte> inblob)
    {
        byte[] outblob = [.. Outblob];
        if (!PatchReportData)
        {
            return outblob;
        }

        int offset = TsmProviders.TeeOf(Provider) switch
        {
            ConfidentialVmTee.Tdx => TsmProviders.TdxReportDataOffset,
            ConfidentialVmTee.SevSnp => TsmProviders.SnpReportDataOffset,
            ConfidentialVmTee.Cca => CcaChallengeOffset(outblob),
            _ => -1,
        };
        if (offset >= 0 && offset + inblob.Length <= outblob.Length)
        {
            inblob.CopyTo(outblob.AsSpan(offset));
        }

        return outblob;
    }

    /// <summary>
    /// The realm challenge of a CCA token: claim key 10 followed by a 64-byte byte string (0a 58 40) in the realm
    /// token, which follows the platform token; the last occurrence is the realm's.
    /// </summary>
    private static int CcaChallengeOffset(ReadOnlySpan<byte> token)
    {
        int at = token.LastIndexOf([(byte)0x0a, (byte)0x58, (byte)0x40]);
        return at < 0 ? -1 : at + 3;
    }
}
