using System.Globalization;
using System.Text.Json;

namespace SecGear.Attestation;

/// <summary>Writes an <see cref="AttestationResult"/> as JSON: <c>{"verified":…, "failure":{code,message}?, "claims":{…}?}</c>.</summary>
public static class AttestationResultJson
{
    /// <summary>Serialises the result (claim names are the ones documented in docs/attestation.md).</summary>
    public static string Serialize(AttestationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            Write(writer, result);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the result to a JSON writer.</summary>
    public static void Write(Utf8JsonWriter writer, AttestationResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteStartObject();
        writer.WriteBoolean("verified", result.Succeeded);
        if (result.Failure is { } failure)
        {
            writer.WriteStartObject("failure");
            writer.WriteString("code", failure.Code.ToString());
            writer.WriteString("message", failure.Message);
            writer.WriteEndObject();
        }

        if (result.Claims is { } claims)
        {
            writer.WritePropertyName("claims");
            WriteClaims(writer, claims);
        }

        writer.WriteEndObject();
    }

    private static void WriteClaims(Utf8JsonWriter writer, AttestationClaims claims)
    {
        writer.WriteStartObject();
        writer.WriteString("format", claims.Format);
        writer.WriteString("tee", claims.Tee.ToString());
        writer.WriteBoolean("simulated", claims.Simulated);
        writer.WriteString("unique_id", Convert.ToHexStringLower(claims.UniqueId.Span));
        writer.WriteString("signer_id", Convert.ToHexStringLower(claims.SignerId.Span));
        WriteNumber(writer, "product_id", claims.ProductId);
        WriteNumber(writer, "security_version", claims.SecurityVersion);
        writer.WriteBoolean("debug", claims.Debug);
        writer.WriteString("report_data", Convert.ToHexStringLower(claims.ReportData.Span));
        writer.WriteString("tcb_status", TcbStatusNames.ToName(claims.TcbStatus));
        writer.WriteStartArray("advisory_ids");
        foreach (var id in claims.AdvisoryIds)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
        WriteDate(writer, "tcb_date", claims.TcbDate);
        WriteNumber(writer, "tcb_evaluation_data_number", claims.TcbEvaluationDataNumber);
        WriteDate(writer, "collateral_valid_from", claims.CollateralValidFrom);
        WriteDate(writer, "collateral_valid_until", claims.CollateralValidUntil);
        if (claims.Fmspc is not null)
        {
            writer.WriteString("fmspc", claims.Fmspc);
        }

        if (claims.PceId is not null)
        {
            writer.WriteString("pce_id", claims.PceId);
        }

        writer.WriteStartObject("fields");
        foreach (var (name, value) in claims.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static void WriteDate(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } date)
        {
            writer.WriteString(name, date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }
    }
}
