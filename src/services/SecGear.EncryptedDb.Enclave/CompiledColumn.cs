namespace SecGear.EncryptedDb.Enclave;

/// <summary>A candidate column with its key and cell binding resolved once per query.</summary>
/// <param name="Plan">The plan's description.</param>
/// <param name="Key">The column key (null for plaintext).</param>
/// <param name="Binding">The cell binding (null for plaintext).</param>
/// <param name="TagBinding">The row-tag binding of a deterministic column whose row tags arrive (null otherwise).</param>
internal sealed record CompiledColumn(PlanColumn Plan, ColumnKey? Key, CellBinding? Binding, RowTagBinding? TagBinding = null);
