namespace SecGear.CryptoModule.Tests;

/// <summary>PostgreSQL schemas the module's tests create, one per test so concurrent runs never share a store.</summary>
internal static class TestSchemas
{
    /// <summary>Drops a schema a test created (and everything in it).</summary>
    public static async Task DropAsync(string schema)
    {
        await using var connection = new Npgsql.NpgsqlConnection(PostgresFactAttribute.ConnectionString);
        await connection.OpenAsync();
        await using var drop = connection.CreateCommand();
        drop.CommandText = $"DROP SCHEMA IF EXISTS {schema} CASCADE";
        await drop.ExecuteNonQueryAsync();
    }
}
