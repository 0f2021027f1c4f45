namespace SecGear.Testing;

/// <summary>A fact that needs a PostgreSQL server: skipped, with the reason, when SECGEAR_TEST_POSTGRES is not set.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <summary>The environment variable holding the Npgsql connection string.</summary>
    public const string Variable = "SECGEAR_TEST_POSTGRES";

    /// <summary>Skips the fact when PostgreSQL is not configured, or when <paramref name="needsPsql"/> and psql is not installed.</summary>
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

    /// <summary>The connection string; only read by tests the attribute did not skip.</summary>
    public static string ConnectionString => Environment.GetEnvironmentVariable(Variable)!;
}
