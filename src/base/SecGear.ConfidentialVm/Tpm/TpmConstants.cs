namespace SecGear.ConfidentialVm.Tpm;

/// <summary>TPM 2.0 constants this engine uses (TPM 2.0 Library Part 2).</summary>
public static class TpmConstants
{
    /// <summary>TPM_ST_NO_SESSIONS.</summary>
    public const ushort NoSessions = 0x8001;

    /// <summary>TPM_ST_SESSIONS.</summary>
    public const ushort Sessions = 0x8002;

    /// <summary>TPM_RS_PW: the password authorization session.</summary>
    public const uint PasswordSession = 0x40000009;

    /// <summary>TPM_RH_OWNER.</summary>
    public const uint Owner = 0x40000001;

    /// <summary>TPM_RH_ENDORSEMENT.</summary>
    public const uint Endorsement = 0x4000000B;

    /// <summary>TPM_ALG_SHA256.</summary>
    public const ushort Sha256 = 0x000B;

    /// <summary>TPM_ALG_NULL.</summary>
    public const ushort Null = 0x0010;

    /// <summary>TPM_ALG_RSASSA.</summary>
    public const ushort RsaSsa = 0x0014;

    /// <summary>TPM_ALG_RSA.</summary>
    public const ushort Rsa = 0x0001;

    /// <summary>TPM_CC_NV_ReadPublic.</summary>
    public const uint NvReadPublic = 0x00000169;

    /// <summary>TPM_CC_NV_Read.</summary>
    public const uint NvRead = 0x0000014E;

    /// <summary>TPM_CC_Quote.</summary>
    public const uint Quote = 0x00000158;

    /// <summary>TPM_CC_PCR_Read.</summary>
    public const uint PcrRead = 0x0000017E;

    /// <summary>TPM_CC_ReadPublic.</summary>
    public const uint ReadPublic = 0x00000173;

    /// <summary>Azure confidential VMs: the NV index holding the HCL report.</summary>
    public const uint AzureHclReportIndex = 0x01400001;

    /// <summary>Azure confidential VMs: the persistent handle of the vTPM attestation key (AK).</summary>
    public const uint AzureAkHandle = 0x81000003;

    /// <summary>Largest NV read per command (TPM2_NV_Read's MAX_NV_BUFFER_SIZE is at least 1024 on every TPM seen; stay below).</summary>
    public const int NvChunk = 512;
}
