using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm;

/// <summary>Where a confidential VM's hardware evidence comes from: configfs-tsm, or a vendor guest device.</summary>
public interface IEvidenceSource
{
    /// <summary>The TEE this source's reports come from.</summary>
    ConfidentialVmTee Tee { get; }

    /// <summary>What the source is, for logs and <c>secgear platform detect</c> (e.g. "configfs-tsm provider tdx_guest").</summary>
    string Description { get; }

    /// <summary>A report binding the 64-byte <paramref name="reportData"/>.</summary>
    /// <exception cref="TsmException">See <see cref="TsmFailureCode"/>.</exception>
    TsmReport GetReport(ReadOnlySpan<byte> reportData);
}
