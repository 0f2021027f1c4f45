using System.Security.Cryptography;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Host.Tests.Switchless;

/// <summary>Host-allocated shared buffers: same bytes on both sides, tokens validated by the enclave.</summary>
[Collection(ImagesCollection.Name)]
public sealed class SharedMemoryTests(TestImages images)
{
    public static TheoryData<EnclaveType> Engines => [EnclaveType.Simulation, EnclaveType.InProcess];

    [Theory]
    [MemberData(nameof(Engines))]
    public void Enclave_reads_the_hosts_bytes_in_place_and_the_host_sees_the_enclaves_writes(EnclaveType type)
    {
        using Enclave enclave = SwitchlessTests.Create(images.Main, type);
        var (client, _) = SwitchlessTests.Bind(enclave);
        using SharedMemory buffer = enclave.AllocateSharedMemory(1_000_000);
        RandomNumberGenerator.Fill(buffer.Span);
        long expected = Checksum.Of(buffer.Span[1000..501_000]);

        Assert.Equal(1_000_000, buffer.Length);
        Assert.Equal(expected, client.SumShared(buffer.Token, 1000, 500_000));

        buffer.Span[4096 + 64] = 0;
        client.FillShared(buffer.Token, 4096, 64, 0x5A);
        Assert.True(buffer.Span.Slice(4096, 64).IndexOfAnyExcept((byte)0x5A) < 0);
        Assert.NotEqual(0x5A, buffer.Span[4096 + 64]);

        // 11 words: the enclave writes four at a time and then the three left over, and not one byte more.
        buffer.Span[8192 + 88] = 0;
        client.FillShared(buffer.Token, 8192, 88, 0x3C);
        Assert.True(buffer.Span.Slice(8192, 88).IndexOfAnyExcept((byte)0x3C) < 0);
        Assert.NotEqual(0x3C, buffer.Span[8192 + 88]);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_freed_buffers_token_is_rejected_by_the_enclave(EnclaveType type)
    {
        using Enclave enclave = SwitchlessTests.Create(images.Main, type);
        var (client, _) = SwitchlessTests.Bind(enclave);
        SharedMemory buffer = enclave.AllocateSharedMemory(4096);
        nint token = buffer.Token;
        Assert.Equal(0, client.SumShared(token, 0, 4096));

        buffer.Dispose();
        buffer.Dispose();

        var error = Assert.Throws<SharedMemoryException>(() => client.SumShared(token, 0, 8));
        Assert.Contains("not registered", error.Message);
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_buffer_of_another_enclave_is_rejected(EnclaveType type)
    {
        using Enclave first = SwitchlessTests.Create(images.Main, type);
        using Enclave second = SwitchlessTests.Create(images.Main, type);
        var (client, _) = SwitchlessTests.Bind(second);
        using SharedMemory foreign = first.AllocateSharedMemory(4096);

        var error = Assert.Throws<SharedMemoryException>(() => client.SumShared(foreign.Token, 0, 8));
        Assert.Contains("does not belong to this enclave", error.Message);
        Assert.Throws<SharedMemoryException>(() => client.SumShared(0, 0, 8));
        Assert.Throws<SharedMemoryException>(() => client.SumShared(12345, 0, 8));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Unaligned_or_out_of_range_enclave_accesses_are_refused_and_write_nothing(EnclaveType type)
    {
        using Enclave enclave = SwitchlessTests.Create(images.Main, type);
        var (client, _) = SwitchlessTests.Bind(enclave);
        using SharedMemory buffer = enclave.AllocateSharedMemory(1000);

        Assert.Contains("8-byte", Assert.Throws<SharedMemoryException>(() => client.FillShared(buffer.Token, 4, 8, 1)).Message);
        Assert.Contains("8-byte", Assert.Throws<SharedMemoryException>(() => client.FillShared(buffer.Token, 8, 12, 1)).Message);
        Assert.Throws<SharedMemoryException>(() => client.FillShared(buffer.Token, 996, 8, 1));
        Assert.Throws<SharedMemoryException>(() => client.SumShared(buffer.Token, 900, 101));
        Assert.True(buffer.Span.IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(0, client.SumShared(buffer.Token, 0, 1000));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Sizes_outside_1_byte_to_the_payload_limit_are_refused(EnclaveType type)
    {
        using Enclave enclave = SwitchlessTests.Create(images.Main, type);

        Assert.Throws<ArgumentOutOfRangeException>(() => enclave.AllocateSharedMemory(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => enclave.AllocateSharedMemory(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => enclave.AllocateSharedMemory(EnclaveOptions.DefaultMaxPayloadBytes + 1));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Shared_memory_works_without_the_switchless_feature_and_after_dispose_allocation_fails(EnclaveType type)
    {
        var options = new EnclaveOptions();
        options.Features.Add(new SwitchlessOptions { Enabled = false });
        Enclave enclave = Enclave.Create(images.Main, type, EnclaveFlags.Debug, options);
        var (client, _) = SwitchlessTests.Bind(enclave);
        using (SharedMemory buffer = enclave.AllocateSharedMemory(64))
        {
            buffer.Span.Fill(2);
            Assert.Equal(Checksum.Of(buffer.Span), client.SumShared(buffer.Token, 0, 64));
        }

        SharedMemory live = enclave.AllocateSharedMemory(64);
        enclave.Dispose();
        live.Dispose();
        Assert.Throws<EnclaveDisposedException>(() => enclave.AllocateSharedMemory(64));
    }
}
