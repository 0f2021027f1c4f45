using System.CommandLine;
using SecGear.Images;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear sign</c>: one-step with <c>--key</c>, or two-step: <c>--digest-out</c>, sign the digest elsewhere,
/// then <c>--signature --public-key</c>. The manifest comes from <c>--manifest</c> and/or the value options.
/// </summary>
internal static class SignCommand
{
    public static Command Create()
    {
        var manifest = new Option<FileInfo?>("--manifest") { Description = "Manifest JSON (name, productId, securityVersion, debug, maxThreads, heapLimit, entryAssembly)." };
        var input = new Option<string[]>("--input") { Description = "Directories (added recursively, relative paths) and files (added by file name).", Required = true, AllowMultipleArgumentsPerToken = true };
        var key = new Option<FileInfo?>("--key") { Description = "One-step: ECDSA P-384 private key PEM." };
        var digestOut = new Option<FileInfo?>("--digest-out") { Description = "Two-step, first half: write the 48-byte signing digest and stop." };
        var signature = new Option<FileInfo?>("--signature") { Description = "Two-step, second half: signature over the digest (DER or 96-byte r||s)." };
        var publicKey = new Option<FileInfo?>("--public-key") { Description = "Two-step: the signer's public key (PEM or SubjectPublicKeyInfo DER)." };
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the signed image (.sgimage)." };
        var name = new Option<string?>("--name") { Description = "Enclave name (overrides the manifest)." };
        var entry = new Option<string?>("--entry") { Description = "Entry assembly path inside the image (overrides the manifest)." };
        var productId = new Option<ushort?>("--product-id") { Description = "Product id (overrides the manifest)." };
        var svn = new Option<ushort?>("--security-version") { Description = "Security version (overrides the manifest)." };
        var debug = new Option<bool?>("--debug") { Description = "Debug enclave: true or false (overrides the manifest)." };
        var maxThreads = new Option<int?>("--max-threads") { Description = "Maximum concurrent ECALLs (overrides the manifest)." };
        var heapLimit = new Option<long?>("--heap-limit") { Description = "Heap limit in bytes (overrides the manifest)." };
        var command = new Command("sign", "Pack files into a signed, measured enclave image.")
        {
            manifest, input, key, digestOut, signature, publicKey, output, name, entry, productId, svn, debug, maxThreads, heapLimit,
        };

        CliAction.Set(command, (parse, stdout) =>
        {
            var keyFile = parse.GetValue(key);
            var digestFile = parse.GetValue(digestOut);
            var signatureFile = parse.GetValue(signature);
            var publicKeyFile = parse.GetValue(publicKey);
            var outFile = parse.GetValue(output);
            int modes = (keyFile is null ? 0 : 1) + (digestFile is null ? 0 : 1) + (signatureFile is null ? 0 : 1);
            if (modes != 1)
            {
                throw new CliUsageException("give exactly one of --key (one-step), --digest-out (two-step, first half) or --signature (two-step, second half)");
            }

            if ((signatureFile is null) != (publicKeyFile is null))
            {
                throw new CliUsageException("--signature and --public-key go together");
            }

            if (digestFile is null && outFile is null)
            {
                throw new CliUsageException("--out is required when signing");
            }

            var values = parse.GetValue(manifest) is { } manifestFile ? ManifestFile.Read(manifestFile.FullName) : new ManifestFile();
            values.Name = parse.GetValue(name) ?? values.Name;
            values.EntryAssembly = parse.GetValue(entry) ?? values.EntryAssembly;
            values.ProductId = parse.GetValue(productId) ?? values.ProductId;
            values.SecurityVersion = parse.GetValue(svn) ?? values.SecurityVersion;
            values.Debug = parse.GetValue(debug) ?? values.Debug;
            values.MaxThreads = parse.GetValue(maxThreads) ?? values.MaxThreads;
            values.HeapLimit = parse.GetValue(heapLimit) ?? values.HeapLimit;

            var builder = new EnclaveImageBuilder(values.ToManifest());
            foreach (var item in parse.GetRequiredValue(input))
            {
                if (Directory.Exists(item))
                {
                    builder.AddDirectory(item);
                }
                else if (File.Exists(item))
                {
                    builder.AddFile(Path.GetFileName(item), File.ReadAllBytes(item));
                }
                else
                {
                    throw new FileNotFoundException($"input '{item}' is neither a file nor a directory");
                }
            }

            if (digestFile is not null)
            {
                var digest = builder.ComputeSigningDigest();
                File.WriteAllBytes(digestFile.FullName, digest);
                stdout.WriteLine($"measurement: {Convert.ToHexStringLower(builder.ComputeMeasurement())}");
                stdout.WriteLine($"wrote signing digest (SHA-384 of the sigstruct) to {digestFile.FullName}");
                stdout.WriteLine($"sign it with e.g.: openssl pkeyutl -sign -inkey key.pem -in {digestFile.Name} -out sig.bin");
                return SecGearCli.Success;
            }

            byte[] image;
            if (keyFile is not null)
            {
                using var signingKey = SigningKeys.LoadPrivateKey(keyFile.FullName);
                image = builder.Sign(signingKey);
            }
            else
            {
                image = builder.ImportSignature(SigningKeys.LoadPublicKey(publicKeyFile!.FullName), File.ReadAllBytes(signatureFile!.FullName));
            }

            var verified = EnclaveImage.Load(image);
            CliFiles.WriteAtomically(outFile!.FullName, image, CliFiles.Public, overwrite: true);
            stdout.WriteLine($"wrote {outFile.FullName} ({image.Length} bytes, {verified.Files.Count} files)");
            stdout.WriteLine($"measurement: {verified.Identity.MeasurementHex}");
            stdout.WriteLine($"signer: {verified.Identity.SignerHex}");
            return SecGearCli.Success;
        });
        return command;
    }
}
