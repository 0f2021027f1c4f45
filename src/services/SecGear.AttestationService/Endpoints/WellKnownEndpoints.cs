using System.Text.Json;
using Microsoft.Extensions.Options;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Security;

namespace SecGear.AttestationService.Endpoints;

/// <summary>The JWKS and the configuration document, for relying parties that verify tokens offline.</summary>
internal static class WellKnownEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(AttestationServiceRoutes.Jwks, (TokenService tokens) => Results.Text(tokens.JwksJson(), "application/jwk-set+json"))
            .WithTags("Discovery")
            .Produces(200, contentType: "application/jwk-set+json");
        routes.MapGet(AttestationServiceRoutes.Configuration, Configuration)
            .WithTags("Discovery")
            .Produces(200, contentType: "application/json");
    }

    private static IResult Configuration(HttpContext context, IOptions<AttestationServiceOptions> options, EvidenceAppraiser appraiser)
    {
        var request = context.Request;
        string baseUri = $"{request.Scheme}://{request.Host}{request.PathBase}";
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("issuer", options.Value.Issuer);
            writer.WriteString("jwks_uri", baseUri + AttestationServiceRoutes.Jwks);
            writer.WriteString("challenge_endpoint", baseUri + AttestationServiceRoutes.Challenge);
            writer.WriteString("attestation_endpoint", baseUri + AttestationServiceRoutes.Attestation);
            writer.WriteString("resource_endpoint", baseUri + AttestationServiceRoutes.Resources);
            writer.WriteStartArray("token_signing_alg_values_supported");
            writer.WriteStringValue("ES256");
            writer.WriteEndArray();
            writer.WriteString("eat_profile", AttestationTokenClaims.ProfileValue);
            writer.WriteStartArray("evidence_formats_supported");
            foreach (var format in EvidenceAppraiser.Formats.Where(f => appraiser.SimulationTrusted || f != Attestation.EvidenceFormats.SecGearSimulation))
            {
                writer.WriteStringValue(format);
            }

            writer.WriteEndArray();
            writer.WriteNumber("challenge_lifetime_seconds", (long)options.Value.ChallengeLifetime.TotalSeconds);
            writer.WriteNumber("token_lifetime_seconds", (long)options.Value.TokenLifetime.TotalSeconds);
            writer.WriteString("resource_envelope_algorithm", ResourceEnvelope.Algorithm);
            writer.WriteEndObject();
        }

        return Results.Text(System.Text.Encoding.UTF8.GetString(stream.ToArray()), "application/json");
    }
}
