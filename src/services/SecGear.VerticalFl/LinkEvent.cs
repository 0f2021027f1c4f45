namespace SecGear.VerticalFl;

/// <summary>One event of a follower's link.</summary>
internal sealed record LinkEvent(LinkEventKind Kind, ulong Round, int Epoch, string? Text);
