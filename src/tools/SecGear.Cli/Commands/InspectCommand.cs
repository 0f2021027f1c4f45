using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecGear.Images;

namespace SecGear.Cli.Commands;

/// <summary><c>secgear inspect &lt;image&gt; [--json]</c>: verifies the image and prints its manifest, identity and files.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var image = new Argument<FileInfo>("image") { Description = "The enclave image (.sgimage)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("inspect", "Verify an enclave image and print its manifest, identity and files.") { image, json };
        CliAction.Set(command, (parse, stdout) =>
        {
            var loaded = EnclaveImage.Load(parse.GetRequiredValue(image).FullName);
            stdout.Write(parse.GetValue(json) ? Json(loaded) : Text(loaded));
            return SecGearCli.Success;
        });
        return command;
    }

    private static string Text(EnclaveImage image)
    {
        var m = image.Manifest;
        var text = new StringBuilder()
            .AppendLine($"name:             {m.Name}")
            .AppendLine($"measurement:      {image.Identity.MeasurementHex}")
            .AppendLine($"signer:           {image.Identity.SignerHex}")
            .AppendLine($"product id:       {m.ProductId}")
            .AppendLine($"security version: {m.SecurityVersion}")
            .AppendLine($"debug:            {(m.Debug ? "true" : "false")}")
            .AppendLine($"max threads:      {m.MaxThreads}")
            .AppendLine($"heap limit:       {m.HeapLimit}")
            .AppendLine($"entry assembly:   {m.EntryAssembly}")
            .AppendLine($"files:            {image.Files.Count}");
        foreach (var file in image.Files)
        {
            text.AppendLine($"  {Convert.ToHexStringLower(SHA256.HashData(file.Content.Span))} {file.Content.Length,10} {file.Path}");
        }

        return text.ToString();
    }

    private static string Json(EnclaveImage image)
    {
        var m = image.Manifest;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("manifest");
            writer.WriteString("name", m.Name);
            writer.WriteNumber("productId", m.ProductId);
            writer.WriteNumber("securityVersion", m.SecurityVersion);
            writer.WriteBoolean("debug", m.Debug);
            writer.WriteNumber("maxThreads", m.MaxThreads);
            writer.WriteNumber("heapLimit", m.HeapLimit);
            writer.WriteString("entryAssembly", m.EntryAssembly);
            writer.WriteEndObject();
            writer.WriteString("measurement", image.Identity.MeasurementHex);
            writer.WriteString("signer", image.Identity.SignerHex);
            writer.WriteNumber("productId", image.Identity.ProductId);
            writer.WriteNumber("securityVersion", image.Identity.SecurityVersion);
            writer.WriteBoolean("debug", image.Identity.Debug);
            writer.WriteStartArray("files");
            foreach (var file in image.Files)
            {
                writer.WriteStartObject();
                writer.WriteString("path", file.Path);
                writer.WriteNumber("length", file.Content.Length);
                writer.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(file.Content.Span)));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }
}
