using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using SecGear.CryptoModule.Endpoints;
using SecGear.CryptoModule.Keys;
using SecGear.CryptoModule.Security;
using SecGear.CryptoModule.Storage;

namespace SecGear.CryptoModule.Hosting;

/// <summary>Wires the crypto module into an ASP.NET Core application.</summary>
public static class CryptoModuleComposition
{
    /// <summary>The meta entry holding the sealed store wrapping key.</summary>
    public const string StoreKeyMeta = "store-key";

    /// <summary>The meta entry holding the store wrapping key's check value (written by the first instance).</summary>
    public const string StoreKeyCheckMeta = "store-key-check";

    /// <summary>Registers options, store, enclave, audit and the services behind the endpoints.</summary>
    public static WebApplicationBuilder AddCryptoModule(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<CryptoModuleOptions>(builder.Configuration.GetSection(CryptoModuleOptions.SectionName));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<CryptoModuleOptions>>().Value);
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<CryptoModuleOptions>();
            Directory.CreateDirectory(options.ResolvedDataDirectory);
            return options.StorageProvider.ToLowerInvariant() switch
            {
                "sqlite" => KeyStore.Sqlite(Path.Combine(options.ResolvedDataDirectory, "crypto-module.db")),
                "postgres" => KeyStore.Postgres(
                    options.ConnectionString ?? throw new InvalidOperationException("CryptoModule:ConnectionString is required with StorageProvider=postgres."),
                    options.PostgresSchema),
                _ => throw new InvalidOperationException($"CryptoModule:StorageProvider '{options.StorageProvider}' is neither sqlite nor postgres."),
            };
        });
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<CryptoModuleOptions>();
            string image = options.EnclaveImage ?? Path.Combine(AppContext.BaseDirectory, "SecGear.CryptoModule.Enclave.sgimage");
            return new ModuleEnclave(image, options.Engine, options.Switchless, options.SharedMemoryThreshold, options.SwitchlessWorkers);
        });
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        builder.Services.AddSingleton<KeyService>();
        builder.Services.AddSingleton<BinaryEndpoint>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BinaryEndpoint>());
        builder.Services.AddSingleton<TenantAuthenticator>();
        builder.Services.AddSingleton<StoreKeyCheck>();
        builder.Services.AddSingleton(sp => AdminAuthenticator.Create(sp.GetRequiredService<CryptoModuleOptions>()));
        builder.Services.AddOpenApi();
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetSection(CryptoModuleOptions.SectionName).Get<CryptoModuleOptions>()?.MaxRequestBodyBytes
                ?? new CryptoModuleOptions().MaxRequestBodyBytes);
        return builder;
    }

    /// <summary>Creates the tables, starts the enclave and installs the store wrapping key (created and sealed on first start).</summary>
    public static async Task InitializeCryptoModuleAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var store = app.Services.GetRequiredService<KeyStore>();
        await store.InitializeAsync().ConfigureAwait(false);
        var enclave = app.Services.GetRequiredService<ModuleEnclave>();
        var options = app.Services.GetRequiredService<CryptoModuleOptions>();
        byte[] check;
        if (options.KeyBroker.Url is not null)
        {
            // Released by the key broker to this attested enclave; nothing about the key is kept on this machine.
            check = await StoreKeyBroker.InstallAsync(enclave, options.KeyBroker).ConfigureAwait(false);
        }
        else
        {
            byte[]? sealedKey = await store.GetMetaAsync(StoreKeyMeta).ConfigureAwait(false);
            (byte[] sealedBlob, check) = enclave.Call(new EnclaveRequest { Op = EnclaveOp.Initialize, Data = sealedKey });
            if (sealedKey is null)
            {
                byte[] stored = await store.GetOrAddMetaAsync(StoreKeyMeta, () => sealedBlob).ConfigureAwait(false);
                if (!stored.AsSpan().SequenceEqual(sealedBlob))
                {
                    throw new InvalidOperationException("Another module instance stored a different store key first; restart this instance to use it.");
                }
            }
        }

        // Every instance of a store must hold the same wrapping key: the first records its check value (a hash, not
        // secret), the others compare, so a misconfigured instance stops here instead of writing keys nobody else opens.
        byte[] recorded = await store.GetOrAddMetaAsync(StoreKeyCheckMeta, () => check).ConfigureAwait(false);
        if (!recorded.AsSpan().SequenceEqual(check))
        {
            throw new InvalidOperationException(
                $"This store's keys are wrapped under store key {Convert.ToHexStringLower(recorded)}, but the enclave holds {Convert.ToHexStringLower(check)} "
                + (options.KeyBroker.Url is null ? "(sealed on this machine; the store is shared through a key broker)." : $"(released by the key broker's {options.KeyBroker.Resource})."));
        }

        app.Services.GetRequiredService<StoreKeyCheck>().Value = check;
        AdminAuthenticator.Create(app.Services.GetRequiredService<CryptoModuleOptions>());
    }

    /// <summary>Maps the API, the OpenAPI document and the problem middleware.</summary>
    public static WebApplication MapCryptoModule(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<ProblemMiddleware>();
        app.MapOpenApi();
        KeyEndpoints.Map(app);
        ModuleEndpoints.Map(app);
        return app;
    }
}
