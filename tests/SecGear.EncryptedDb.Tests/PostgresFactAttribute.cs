namespace SecGear.EncryptedDb.Tests;

/// <summary>A fact that needs a PostgreSQL server: skipped, with the reason, when SECGEAR_TEST_POSTGRES is not set.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "SECGEAR_TEST_POSTGRES";

    public PostgresFactAttribute(bool needsPsql = false)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set (an Npgsql connection string to a PostgreSQL database the tests may create schemas in; .ci/run sets it up).";
        }
        else if (needsPsql && !File.Exists("/usr/bin/psql"))
        {
            Skip = "psql is not installed (Debian package postgresql-client, listed in .ci/apt-packages).";
        }
    }

    public static string ConnectionString => Environment.GetEnvironmentVariable(Variable)!;
}
