namespace SecGear.VerticalFl;

/// <summary>What the split-layer enclave runs, and so what the leader's host sees (docs/vertical-fl.md).</summary>
public enum TrainingMode
{
    /// <summary>The enclave runs the fused layer; the leader's host gets its output and runs the top network and loss.</summary>
    SplitLayer = 1,

    /// <summary>The enclave also runs the top layer and the loss with the labels given to it; the host gets only predictions.</summary>
    Strict = 2,
}
