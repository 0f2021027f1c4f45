namespace SecGear.VerticalFl;

/// <summary>What happened on a follower's link.</summary>
internal enum LinkEventKind
{
    Joined,
    EmbeddingsAccepted,
    GradientSent,
    Refused,
    Ack,
    Failure,
    Dropped,
}
