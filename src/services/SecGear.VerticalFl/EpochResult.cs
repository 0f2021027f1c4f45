namespace SecGear.VerticalFl;

/// <summary>One epoch of a training run: mean training loss, test accuracy and AUC, wall time.</summary>
public sealed record EpochResult(int Epoch, double TrainLoss, double TestAccuracy, double TestAuc, TimeSpan Elapsed);
