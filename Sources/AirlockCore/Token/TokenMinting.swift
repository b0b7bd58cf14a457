import Crypto

/// Minting (with a root key) and attenuation (with nothing but the token): both append caveat
/// records and extend the HMAC chain, then parse the result back.
extension CapabilityToken {
    /// Mints a token signed by `key`. The `caveats` belong to the minted id; `derived` caveats
    /// are not accepted here (attenuation adds them).
    public static func mint(
        key: RootKey, taskId: String, policyName: String, policyDigest: PolicyDigest, caveats: [Caveat] = []
    ) throws(TokenError) -> CapabilityToken {
        try mint(key: key, id: .random(), taskId: taskId, policyName: policyName, policyDigest: policyDigest, caveats: caveats)
    }

    static func mint(
        key: RootKey, id: TokenID, taskId: String, policyName: String, policyDigest: PolicyDigest, caveats: [Caveat]
    ) throws(TokenError) -> CapabilityToken {
        guard TokenWire.isLabel(taskId.utf8) else {
            throw .invalidInput("task id `\(taskId)` must be 1 to 255 bytes of UTF-8 without control characters")
        }
        guard TokenWire.isLabel(policyName.utf8) else {
            throw .invalidInput("policy name `\(policyName)` must be 1 to 255 bytes of UTF-8 without control characters")
        }
        try rejectReserved(caveats)
        var w = TokenWireWriter()
        w.u8(TokenWire.version)
        w.short(key.id.utf8)
        w.raw(id.bytes)
        w.short(taskId.utf8)
        w.short(policyName.utf8)
        w.raw(policyDigest.bytes)
        let signature = Array(key.hmac.authenticate(w.bytes[...]))
        return try CapabilityToken(binary: extended(w.bytes, existing: 0, signature: signature, with: caveats))
    }

    /// A narrower token, computed offline from this one's signature: a fresh `derived` id, then
    /// `caveats`. Nothing can be removed or widened; `Grant` folding takes intersections and
    /// minimums, so a caveat that asks for more than the parent has simply changes nothing.
    public func attenuated(with caveats: [Caveat]) throws(TokenError) -> CapabilityToken {
        try attenuated(with: caveats, derivedId: .random())
    }

    func attenuated(with caveats: [Caveat], derivedId: TokenID) throws(TokenError) -> CapabilityToken {
        try Self.rejectReserved(caveats)
        return try appending([.derived(derivedId)] + caveats)
    }

    /// Appends caveats as they are, `derived` and `unknown` included.
    func appending(_ caveats: [Caveat]) throws(TokenError) -> CapabilityToken {
        try CapabilityToken(binary: appendingBinary(caveats))
    }

    /// The signed binary with `caveats` appended, not parsed back (tests build malformed but
    /// correctly signed tokens with it).
    func appendingBinary(_ caveats: [Caveat]) throws(TokenError) -> [UInt8] {
        let body = Array(binary.dropLast(TokenWire.signatureLength))
        return try Self.extended(body, existing: self.caveats.count, signature: Array(signature), with: caveats)
    }

    /// Appends each caveat's record and advances the chain. Callers parse the result, so a
    /// minted token is exactly what a verifier will read.
    private static func extended(
        _ body: [UInt8], existing: Int, signature: [UInt8], with caveats: [Caveat]
    ) throws(TokenError) -> [UInt8] {
        guard existing + caveats.count <= maxCaveats else {
            throw .invalidInput("the token would carry \(existing + caveats.count) caveats; the limit is \(maxCaveats)")
        }
        var bytes = body
        var signature = signature
        for caveat in caveats {
            let record = try caveat.encodedRecord()
            signature = Array(TokenChain.link(signature, record[...]))
            bytes += record
        }
        bytes += signature
        guard bytes.count <= TokenWire.maxBinaryLength else {
            throw .invalidInput("the token would be \(bytes.count) bytes; the limit is \(TokenWire.maxBinaryLength)")
        }
        return bytes
    }

    private static func rejectReserved(_ caveats: [Caveat]) throws(TokenError) {
        for caveat in caveats {
            switch caveat {
            case .derived: throw .invalidCaveat("`derived` caveats are added by attenuation, not given")
            case .unknown: throw .invalidCaveat("an unknown caveat kind cannot be minted")
            default: continue
            }
        }
    }
}
