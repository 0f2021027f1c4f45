namespace SecGear.Transport;

/// <summary>A slot's message header, read once out of shared memory (the peer may change the slot afterwards).</summary>
internal readonly record struct SlotMessage(MessageKind Kind, int Contract, int Function, int Status, bool Overflow, int Length, long Sequence);
