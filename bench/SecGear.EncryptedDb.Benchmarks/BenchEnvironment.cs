using System.Net;
using SecGear.EncryptedDb.Client;
using SecGear.EncryptedDb.Service;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;

namespace SecGear.EncryptedDb.Benchmarks;

/// <summary>Starts query services (switchless or regular row batches) and connects clients that trust their enclave.</summary>
internal static class BenchEnvironment
{
    public static string ConnectionString => Environment.GetEnvironmentVariable("SECGEAR_TEST_POSTGRES")
        ?? throw new InvalidOperationException("set SECGEAR_TEST_POSTGRES to an Npgsql connection string (the benchmarks create and drop their own encdb_bench_* schema)");

    public static Task<EncryptedQueryService> StartServiceAsync(string connectionString, bool switchless, int batchRows = 8192, int switchlessMaxBatchRows = 256) =>
        EncryptedQueryService.StartAsync(
            new QueryServiceOptions { ConnectionString = connectionString, Switchless = switchless, BatchRows = batchRows, SwitchlessMaxBatchRows = switchlessMaxBatchRows },
            new IPEndPoint(IPAddress.Loopback, 0));

    public static EncryptedDbOptions ClientOptions(string connectionString, EncryptedQueryService service)
    {
        var image = EnclaveImage.Load(Path.Combine(AppContext.BaseDirectory, "SecGear.EncryptedDb.Enclave.sgimage"));
        (var verifier, var policy) = EnclaveTrust.Simulation(image.Identity.Measurement.ToArray(), image.Identity.Signer.ToArray(), SimulatedAttestationAuthority.EnsureCaCertificate());
        return new EncryptedDbOptions { ConnectionString = connectionString, QueryService = service.EndPoint, Verifier = verifier, EnclavePolicy = policy };
    }
}
