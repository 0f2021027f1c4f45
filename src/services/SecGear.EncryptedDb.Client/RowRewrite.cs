namespace SecGear.EncryptedDb.Client;

/// <summary>An UPDATE's new stored values per locked row (in row-id list order), all bound to each row's next version.</summary>
/// <param name="Cells">For each encrypted column the UPDATE writes, the new cell of every row (null for SQL NULL).</param>
/// <param name="Tags">Every row's new <c>encdb_tags</c>, or null when the table keeps no row tags.</param>
/// <param name="Versions">Every row's next version.</param>
internal sealed record RowRewrite(IReadOnlyList<(ColumnSchema Column, byte[]?[] Cells)> Cells, byte[][]? Tags, long[] Versions);
