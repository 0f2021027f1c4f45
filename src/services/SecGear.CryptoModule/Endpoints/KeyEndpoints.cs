using SecGear.CryptoModule.Keys;
using SecGear.CryptoModule.Security;

namespace SecGear.CryptoModule.Endpoints;

/// <summary>Keys: create, list, read, rotate, enable, disable, destroy, and every cryptographic operation.</summary>
internal static class KeyEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup(CryptoModuleRoutes.Keys).WithTags("Keys");
        keys.MapPost("/", async (HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            var info = await service.CreateAsync(tenant, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.CreateKeyRequest));
            return Results.Json(info, CryptoModuleJson.Default.KeyInfo, statusCode: StatusCodes.Status201Created);
        }).Accepts<CreateKeyRequest>("application/json").Produces<KeyInfo>(StatusCodes.Status201Created);

        keys.MapPost("/import", async (HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            var info = await service.ImportAsync(tenant, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.ImportKeyRequest));
            return Results.Json(info, CryptoModuleJson.Default.KeyInfo, statusCode: StatusCodes.Status201Created);
        }).Accepts<ImportKeyRequest>("application/json").Produces<KeyInfo>(StatusCodes.Status201Created);

        keys.MapGet("/", async (HttpContext context, TenantAuthenticator auth, KeyService service) =>
            Results.Json(await service.ListAsync(await auth.AuthenticateAsync(context)), CryptoModuleJson.Default.KeyList)).Produces<KeyList>();

        keys.MapGet("/{id}", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
            Results.Json((await service.GetAsync(await auth.AuthenticateAsync(context), id, fresh: true)).ToInfo(), CryptoModuleJson.Default.KeyInfo)).Produces<KeyInfo>();

        keys.MapDelete("/{id}", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            await service.DestroyAsync(await auth.AuthenticateAsync(context), id);
            return Results.NoContent();
        });

        keys.MapPost("/{id}/rotate", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
            Results.Json(await service.RotateAsync(await auth.AuthenticateAsync(context), id), CryptoModuleJson.Default.KeyInfo)).Produces<KeyInfo>();
        keys.MapPost("/{id}/import-version", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(await service.ImportVersionAsync(tenant, id, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.ImportKeyVersionRequest)),
                CryptoModuleJson.Default.KeyInfo);
        }).Accepts<ImportKeyVersionRequest>("application/json").Produces<KeyInfo>();
        keys.MapPost("/{id}/disable", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
            Results.Json(await service.SetStateAsync(await auth.AuthenticateAsync(context), id, KeyState.Disabled), CryptoModuleJson.Default.KeyInfo)).Produces<KeyInfo>();
        keys.MapPost("/{id}/enable", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
            Results.Json(await service.SetStateAsync(await auth.AuthenticateAsync(context), id, KeyState.Enabled), CryptoModuleJson.Default.KeyInfo)).Produces<KeyInfo>();

        keys.MapPost("/{id}/sign", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(await service.SignAsync(tenant, id, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.SignRequest)), CryptoModuleJson.Default.SignResponse);
        }).Accepts<SignRequest>("application/json").Produces<SignResponse>();

        keys.MapPost("/{id}/verify", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(await service.VerifyAsync(tenant, id, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.VerifyRequest)), CryptoModuleJson.Default.VerifyResponse);
        }).Accepts<VerifyRequest>("application/json").Produces<VerifyResponse>();

        keys.MapPost("/{id}/encrypt", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(await service.EncryptAsync(tenant, id, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.EncryptRequest)), CryptoModuleJson.Default.EncryptResponse);
        }).Accepts<EncryptRequest>("application/json").Produces<EncryptResponse>();

        keys.MapPost("/{id}/decrypt", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(await service.DecryptAsync(tenant, id, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.DecryptRequest)), CryptoModuleJson.Default.DecryptResponse);
        }).Accepts<DecryptRequest>("application/json").Produces<DecryptResponse>();

        keys.MapPost("/{id}/mac", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(await service.MacAsync(tenant, id, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.MacRequest)), CryptoModuleJson.Default.MacResponse);
        }).Accepts<MacRequest>("application/json").Produces<MacResponse>();

        keys.MapPost("/{id}/mac-verify", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(await service.MacVerifyAsync(tenant, id, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.MacVerifyRequest)), CryptoModuleJson.Default.VerifyResponse);
        }).Accepts<MacVerifyRequest>("application/json").Produces<VerifyResponse>();

        keys.MapPost("/{id}/generate-data-key", async (string id, HttpContext context, TenantAuthenticator auth, KeyService service) =>
        {
            string tenant = await auth.AuthenticateAsync(context);
            return Results.Json(await service.GenerateDataKeyAsync(tenant, id, await RequestBody.ReadAsync(context, CryptoModuleJson.Default.DataKeyRequest)), CryptoModuleJson.Default.DataKeyResponse);
        }).Accepts<DataKeyRequest>("application/json").Produces<DataKeyResponse>();
    }
}
