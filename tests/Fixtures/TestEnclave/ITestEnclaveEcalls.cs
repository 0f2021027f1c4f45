namespace SecGear.Tests.TestEnclave;

/// <summary>The ECALL interface the enclave implements (generated shape).</summary>
public interface ITestEnclaveEcalls
{
    void Empty();

    byte[] Echo(ReadOnlySpan<byte> data);

    int HostThreadViaOcall();

    int NestedEntry(int x);

    int PrivateInner(int x);

    void RefusedNesting();

    void Throw(string message);

    string OcallThrows(bool catchIt);

    void Hold();

    void Sleep(int milliseconds);

    void Log(int level, string message);

    byte[] Identity();

    byte[] Seal(ReadOnlySpan<byte> data);

    byte[] Unseal(ReadOnlySpan<byte> blob);

    byte[] Random(int count);

    byte[] EchoViaHost(ReadOnlySpan<byte> data);
}
