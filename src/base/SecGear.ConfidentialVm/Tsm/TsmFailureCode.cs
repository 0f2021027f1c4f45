namespace SecGear.ConfidentialVm.Tsm;

/// <summary>Why configfs-tsm (or a vendor guest device) gave no usable report.</summary>
public enum TsmFailureCode
{
    /// <summary>configfs is not mounted at the expected place (no <c>/sys/kernel/config</c>).</summary>
    ConfigFsNotMounted = 1,

    /// <summary>configfs is mounted but has no <c>tsm/report</c>: the kernel is older than 6.7 or built without CONFIG_TSM_REPORTS.</summary>
    KernelTooOld,

    /// <summary>configfs-tsm exists but no TEE driver registered a provider (mkdir of a report entry fails with ENXIO): not a confidential VM, or its guest driver is not loaded.</summary>
    ProviderMissing,

    /// <summary>The caller may not create report entries or open the device (EACCES/EPERM): run as root or grant access.</summary>
    PermissionDenied,

    /// <summary>The provider stayed busy (EBUSY/EAGAIN) through every retry.</summary>
    Busy,

    /// <summary>Another writer changed the entry (its <c>generation</c> moved) on every attempt.</summary>
    ConcurrentWriter,

    /// <summary>The provider rejected the inblob (EINVAL, EFBIG).</summary>
    InblobRejected,

    /// <summary>The outblob is shorter than the provider's format allows.</summary>
    OutblobTooShort,

    /// <summary>The outblob (or auxblob) is longer than the configured limit or the provider's format allows.</summary>
    OutblobTooLarge,

    /// <summary>The provider's name is not one this engine knows (tdx_guest, sev_guest, arm_cca_guest).</summary>
    UnsupportedProvider,

    /// <summary>The outblob is not in the provider's format.</summary>
    OutblobMalformed,

    /// <summary>Another I/O error (the errno is in the message).</summary>
    IoError,

    /// <summary>The TEE has no usable way to produce remotely verifiable evidence here (e.g. TDX without configfs-tsm gives only a MAC'd TD report).</summary>
    NotSupported,

    /// <summary>The provider refused the requested privilege level (<c>privlevel</c>): below its <c>privlevel_floor</c>, above 3, or not offered at all.</summary>
    PrivLevelRejected,
}
