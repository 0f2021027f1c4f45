namespace SecGear.Trusted.Attestation;

/// <summary>The step counter of one local attestation exchange: each step runs once, in order, even when it fails.</summary>
internal sealed class ExchangeSteps
{
    private int _state;

    public void Advance(int expected)
    {
        if (_state != expected)
        {
            throw new InvalidOperationException($"This local attestation exchange is at step {_state}; this call is step {expected}. Use a new instance per exchange.");
        }

        _state++;
    }
}
