using SecGear.CryptoModule.Binary;

namespace SecGear.CryptoModule.Hosting;

/// <summary>One batch read from a binary transport connection, waiting to be merged into an enclave call.</summary>
/// <param name="Connection">Where the answer goes.</param>
/// <param name="Id">The batch's request id, echoed in the answer.</param>
/// <param name="Tenant">The connection's authenticated tenant.</param>
/// <param name="Operations">The operations (slices of the frame they were read from).</param>
/// <param name="Bytes">The frame's size, for the merged call's size limit.</param>
internal sealed record BinaryJob(BinaryConnection Connection, uint Id, string Tenant, List<BinaryOperation> Operations, long Bytes);
