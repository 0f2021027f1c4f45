using ScottPlot;

namespace SecGear.VerticalFl;

/// <summary>A PNG of the loss (left axis) and test accuracy (right axis) per epoch of the central and vertical runs.</summary>
public static class TrainingPlot
{
    /// <summary>Writes the plot to <paramref name="path"/> (PNG, 900 x 500).</summary>
    public static void Save(string path, IReadOnlyList<EpochResult> central, IReadOnlyList<EpochResult> vertical, string title = "Vertical FL (split layer in the enclave) vs central training")
    {
        ArgumentNullException.ThrowIfNull(central);
        ArgumentNullException.ThrowIfNull(vertical);
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("training loss");
        plot.Axes.Right.Label.Text = "test accuracy";
        Add(plot, central, r => r.TrainLoss, "central loss", Colors.Blue, LinePattern.Solid, right: false);
        Add(plot, vertical, r => r.TrainLoss, "vertical loss", Colors.Orange, LinePattern.Dashed, right: false);
        Add(plot, central, r => r.TestAccuracy, "central accuracy", Colors.Green, LinePattern.Solid, right: true);
        Add(plot, vertical, r => r.TestAccuracy, "vertical accuracy", Colors.Red, LinePattern.Dashed, right: true);
        plot.ShowLegend(Alignment.MiddleRight);
        plot.SavePng(path, 900, 500);
    }

    private static void Add(Plot plot, IReadOnlyList<EpochResult> results, Func<EpochResult, double> value, string label, Color color, LinePattern pattern, bool right)
    {
        double[] xs = [.. results.Select(r => (double)r.Epoch + 1)];
        double[] ys = [.. results.Select(value)];
        var scatter = plot.Add.Scatter(xs, ys, color);
        scatter.LegendText = label;
        scatter.LinePattern = pattern;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 0;
        if (right)
        {
            scatter.Axes.YAxis = plot.Axes.Right;
        }
    }
}
