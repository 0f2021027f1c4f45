using System.Globalization;

namespace SecGear.Attestation.AmdSevSnp;

/// <summary>
/// The components of an SEV-SNP TCB_VERSION. Milan and Genoa: byte 0 boot loader, 1 TEE, 6 SNP, 7 microcode.
/// Turin: byte 0 FMC, 1 boot loader, 2 TEE, 3 SNP, 7 microcode.
/// </summary>
/// <param name="Raw">The 64-bit value as stored in the report.</param>
/// <param name="Fmc">The FMC security patch level (Turin only; 0 otherwise).</param>
/// <param name="BootLoader">The boot loader SPL.</param>
/// <param name="Tee">The PSP OS (TEE) SPL.</param>
/// <param name="Snp">The SNP firmware SPL.</param>
/// <param name="Microcode">The microcode SPL.</param>
public readonly record struct SnpTcbVersion(ulong Raw, byte Fmc, byte BootLoader, byte Tee, byte Snp, byte Microcode)
{
    /// <summary>Splits a raw TCB_VERSION using the layout of <paramref name="product"/> (Milan layout when unknown).</summary>
    public static SnpTcbVersion FromRaw(ulong raw, SnpProduct product)
    {
        byte At(int index) => (byte)(raw >> (8 * index));
        return product == SnpProduct.Turin
            ? new SnpTcbVersion(raw, At(0), At(1), At(2), At(3), At(7))
            : new SnpTcbVersion(raw, 0, At(0), At(1), At(6), At(7));
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"0x{Raw:x16} (fmc {Fmc}, bl {BootLoader}, tee {Tee}, snp {Snp}, ucode {Microcode})");
}
