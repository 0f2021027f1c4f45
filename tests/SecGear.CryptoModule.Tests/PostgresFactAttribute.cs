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
}
