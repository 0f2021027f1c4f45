using System.Security.Cryptography;
using SecGear.CryptoModule.Hosting;
using SecGear.CryptoModule.Keys;
using SecGear.CryptoModule.Security;
using SecGear.CryptoModule.Storage;

namespace SecGear.CryptoModule.Endpoints;

/// <summary>Tenants (admin), keyless operations, attestation and audit.</summary>
internal static class ModuleEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(CryptoModuleRoutes.Tenants, async (HttpContext context, AdminAuthenticator admin, KeyStore store) =>
        {
            admin.Require(context);
            var body = await RequestBody.ReadAsync(context, CryptoModuleJson.Default.CreateTenantRequest);
            if (body.Id is null || !System.Text.RegularExpressions.Regex.IsMatch(body.Id, "^[a-z0-9][a-z0-9-]{0,63}$"))
            {
                throw CryptoProblemException.Malformed("id must be 1-64 characters of a-z 0-9 -, starting with a letter or digit.");
            }

            var (credential, hash) = TenantAuthenticator.NewCredential(body.Id);
            if (!await store.CreateTenantAsync(body.Id, body.Name, hash))
            {
                throw new CryptoProblemException(StatusCodes.Status409Conflict, CryptoModuleErrorCodes.AlreadyExists, $"A tenant '{body.Id}' exists already.");
            }

            return Results.Json(new TenantCreated(body.Id, credential), CryptoModuleJson.Default.TenantCreated, statusCode: StatusCodes.Status201Created);
        }).WithTags("Tenants").Accepts<CreateTenantRequest>("application/json").Produces<TenantCreated>(StatusCodes.Status201Created);

        app.MapGet(CryptoModuleRoutes.Tenants, async (HttpContext context, AdminAuthenticator admin, KeyStore store) =>
        {
            admin.Require(context);
            return Results.Json(new TenantList(await store.ListTenantsAsync()), CryptoModuleJson.Default.TenantList);
        }).WithTags("Tenants").Produces<TenantList>();

        app.MapPost(CryptoModuleRoutes.Digest, async (HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(service.Digest(tenant, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.DigestRequest)), CryptoModuleJson.Default.DigestResponse);
        }).WithTags("Operations").Accepts<DigestRequest>("application/json").Produces<DigestResponse>();

        app.MapPost(CryptoModuleRoutes.Random, async (HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(service.Random(tenant, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.RandomRequest)), CryptoModuleJson.Default.RandomResponse);
        }).WithTags("Operations").Accepts<RandomRequest>("application/json").Produces<RandomResponse>();

        app.MapGet(CryptoModuleRoutes.Attestation, (string? nonce, ModuleEnclave enclave) =>
        {
            // The enclave computes the report data from the nonce and the store key it holds: the host names neither.
            var (evidence, check) = enclave.Call(new EnclaveRequest { Op = EnclaveOp.Attest, Data = Nonce(nonce) });
            return Results.Json(new ModuleAttestation(evidence, check, enclave.EngineName), CryptoModuleJson.Default.ModuleAttestation);
        }).WithTags("Attestation").Produces<ModuleAttestation>();

        app.MapGet(CryptoModuleRoutes.Transports, (BinaryEndpoint binary) =>
            Results.Json(new Binary.BinaryEndpointInfo(binary.Port), CryptoModuleJson.Default.BinaryEndpointInfo)).WithTags("Operations").Produces<Binary.BinaryEndpointInfo>();

        app.MapGet(CryptoModuleRoutes.ImportParameters, async (string? nonce, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(service.ImportParameters(tenant, Nonce(nonce)), CryptoModuleJson.Default.KeyImportParameters);
        }).WithTags("Keys").Produces<KeyImportParameters>();

        app.MapGet(CryptoModuleRoutes.Audit, async (int? limit, HttpContext context, TenantAuthenticator auth, KeyStore store, AuditWriter audit) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            await audit.FlushAsync();
            return Results.Json(new AuditList(await store.ListAuditAsync(tenant, Math.Clamp(limit ?? 100, 1, 1000))), CryptoModuleJson.Default.AuditList);
        }).WithTags("Audit").Produces<AuditList>();
    }

    private static byte[] Nonce(string? text)
    {
        byte[] nonce;
        try
        {
            nonce = Base64UrlDecode(text ?? string.Empty);
        }
        catch (FormatException)
        {
            throw CryptoProblemException.Malformed("nonce must be base64url.");
        }

        return nonce.Length is < 16 or > 64 ? throw CryptoProblemException.Malformed($"nonce must be 16-64 bytes (got {nonce.Length}).") : nonce;
    }

    private static byte[] Base64UrlDecode(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", 0 => string.Empty, _ => throw new FormatException() };
        return Convert.FromBase64String(padded);
    }
}
