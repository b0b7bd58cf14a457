/// A token without its signature: what the execution log keeps so that a replay can rebuild the
/// exact grant of a call without the credential ever being written down.
///
/// The unsigned body is the binary form (see `docs/tokens.md`) minus its final 32 bytes. It says
/// everything `inspect` shows, and nothing that lets anyone use the token: the chain's HMAC is
/// the credential, and no one can compute it without the root key or the token itself.
extension CapabilityToken {
    /// The binary form without the final signature.
    public var unsignedBody: [UInt8] { Array(binary[..<(binary.count - TokenWire.signatureLength)]) }

    /// `unsignedBody` in base64url without padding, as the execution log writes it.
    public var unsignedText: String { TokenBase64URL.encode(unsignedBody) }

    /// Parses `unsignedText`; see `init(unsignedBody:)`.
    public init(unsignedText: String) throws(TokenError) {
        switch TokenBase64URL.decode(unsignedText.utf8) {
        case .success(let body): try self.init(unsignedBody: body)
        case .failure(let failure): throw .malformed(field: "unsigned body", offset: failure.offset, reason: failure.reason)
        }
    }

    /// Parses an unsigned body (as `unsignedBody` gives it). The result carries an all-zero
    /// signature, so it never verifies; use `Grant(unverified:)` to fold its caveats.
    public init(unsignedBody: [UInt8]) throws(TokenError) {
        try self.init(binary: unsignedBody + [UInt8](repeating: 0, count: TokenWire.signatureLength))
    }
}

extension Grant {
    /// Folds the caveats of a token whose signature is NOT checked here: for replaying decisions
    /// the broker made with a token it verified at the time (the execution log records the
    /// unsigned body of every verified token). Never use it on a token from a request.
    public init(unverified token: CapabilityToken) throws(TokenError) {
        try self.init(folding: token)
    }

    /// The same grant, bound to another policy text: for "what if this policy had been in force"
    /// replays, which would otherwise deny every call as `policy_changed`. The broker never calls it.
    public func rebound(toPolicy digest: PolicyDigest) -> Grant {
        var copy = self
        copy.policyDigest = digest
        return copy
    }
}
