namespace SecGear.CryptoModule.Tests;

/// <summary>A fact that needs a PostgreSQL server: skipped, with the reason, when SECGEAR_TEST_POSTGRES is not set.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "SECGEAR_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set (an Npgsql connection string to a PostgreSQL database the tests may create schemas in; .ci/run sets it up).";
        }
    }

    /// <summary>Drops a schema a test created (and everything in it).</summary>
    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Environment.GetEnvironmentVariable(Variable));
        await connection.OpenAsync();
        await using var drop = connection.CreateCommand();
        drop.CommandText = $"DROP SCHEMA IF EXISTS {schema} CASCADE";
        await drop.ExecuteNonQueryAsync();
    }
}
