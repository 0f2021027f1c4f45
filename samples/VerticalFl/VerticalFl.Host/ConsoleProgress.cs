using System.Globalization;
using SecGear.VerticalFl;

namespace VerticalFl.Host;

/// <summary>Per-epoch progress: a bar redrawn in place on a terminal, one plain line per epoch when output is redirected.</summary>
internal sealed class ConsoleProgress(string name, int epochs) : IProgress<EpochResult>
{
    private readonly bool _interactive = !Console.IsOutputRedirected;

    public void Report(EpochResult value)
    {
        int done = value.Epoch + 1;
        string figures = string.Create(CultureInfo.InvariantCulture, $"{name,-8} epoch {done,3}/{epochs} loss {value.TrainLoss:F4} accuracy {value.TestAccuracy:F4} auc {value.TestAuc:F4} ({value.Elapsed.TotalSeconds:F2} s)");
        if (!_interactive)
        {
            Console.WriteLine(figures);
            return;
        }

        const int Width = 24;
        int filled = done * Width / epochs;
        Console.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {figures}");
        if (done == epochs)
        {
            Console.WriteLine();
        }
    }
}
