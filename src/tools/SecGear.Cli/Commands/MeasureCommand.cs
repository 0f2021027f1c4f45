using System.CommandLine;
using SecGear.Images;

namespace SecGear.Cli.Commands;

/// <summary><c>secgear measure &lt;image&gt;</c>: verifies the image and prints its recomputed measurement.</summary>
internal static class MeasureCommand
{
    public static Command Create()
    {
        var image = new Argument<FileInfo>("image") { Description = "The enclave image (.sgimage)." };
        var command = new Command("measure", "Verify an enclave image and print its measurement (hex).") { image };
        CliAction.Set(command, (parse, stdout) =>
        {
            stdout.WriteLine(EnclaveImage.Load(parse.GetRequiredValue(image).FullName).Identity.MeasurementHex);
            return SecGearCli.Success;
        });
        return command;
    }
}
