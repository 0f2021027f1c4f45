
namespace SecGear.ConfidentialVm.Tsm;

/// <summary>A report read from configfs-tsm (or a vendor guest device).</summary>
/// <param name="Provider">The provider name (e.g. <c>tdx_guest</c>).</param>
/// <param name="Tee">The TEE the provider names.</param>
/// <param name="Outblob">The report: TDX quote, SEV-SNP report or CCA token.</param>
/// <param name="Auxblob">Supplemental data (the SEV-SNP certificate table); empty when the provider gives none.</param>
/// <param name="Generation">The entry's generation after the report was read.</param>
public sealed record TsmReport(string Provider, ConfidentialVmTee Tee, byte[] Outblob, byte[] Auxblob, long Generation);
