import AirlockCore

extension LogEvent {
    /// A token was minted. Recorded without its signature: id, lineage, caveats as JSON, and the
    /// unsigned body (base64url) that a replay folds into the same grant.
    public static func tokenMinted(_ token: CapabilityToken, by caller: LogCaller) -> LogEvent {
        var fields = tokenFields(token)
        fields["caller"] = caller.json
        return LogEvent(.tokenMinted, fields, token: token)
    }

    /// The first use of a token whose unsigned body the log has not recorded (an attenuated
    /// token). The log writes this itself for the verified token of a `call.received`.
    public static func tokenSeen(_ token: CapabilityToken) -> LogEvent {
        LogEvent(.tokenSeen, tokenFields(token), token: token)
    }

    /// A token id was revoked; every token derived from it is refused from now on.
    public static func tokenRevoked(tokenId: TokenID, by caller: LogCaller, reason: String?) -> LogEvent {
        LogEvent(.tokenRevoked, ["token": .string(tokenId.text), "caller": caller.json, "reason": reason.json])
    }

    /// The fields that describe a token without its signature.
    static func tokenFields(_ token: CapabilityToken) -> [String: JSONValue] {
        let body = token.unsignedBody
        var lineage = [JSONValue.string(token.id.text)]
        for case .derived(let id) in token.caveats { lineage.append(.string(id.text)) }
        return [
            "token": .string(token.effectiveId.text), "lineage": .array(lineage), "task": .string(token.taskId),
            "keyId": .string(token.keyId), "policyName": .string(token.policyName), "policyDigest": .string(token.policyDigest.hex),
            "caveats": .array(token.caveats.map(\.json)), "unsigned": .string(token.unsignedText),
            "tokenDigest": .string(LogDigest.sha256Hex(body)),
        ]
    }
}
