using System.Security.Cryptography;
using System.Text;
using SecGear.Edl;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// The contract hash: SHA-256 over <see cref="EdlCanonicalForm.Of"/> (everything that shapes the wire; not comments,
/// whitespace or file layout). Host and enclave refuse to talk when theirs differ.
/// </summary>
internal static class ContractHash
{
    public static byte[] Compute(EdlContract contract)
    {
        using (SHA256 sha = SHA256.Create())
        {
            return sha.ComputeHash(Encoding.UTF8.GetBytes(EdlCanonicalForm.Of(contract)));
        }
    }
}
