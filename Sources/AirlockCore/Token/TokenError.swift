/// Why a capability token could not be parsed, verified, minted or stored.
///
/// Every case has a stable `code` that the decision and the API pass on unchanged, so a client
/// (or a model) can act on it without parsing the sentence. Messages name the exact field and,
/// for malformed tokens, the byte offset in the decoded binary (or the character offset in the
/// text) where reading stopped.
public enum TokenError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text or binary form does not follow the format in `docs/tokens.md`.
    /// `offset` is a byte offset into the decoded binary, or a character offset into the text
    /// when `field` is `text`.
    case malformed(field: String, offset: Int, reason: String)
    /// The token names a root key this verifier does not hold (never minted here, or removed).
    case unknownKey(String)
    /// The signature chain does not match: the token was altered, truncated or spliced.
    case badSignature
    /// The binary starts with a version byte this code does not implement.
    case unsupportedVersion(UInt8)
    /// A caveat this verifier does not understand. Ignoring it would widen the token, so the
    /// whole token is rejected. `index` counts caveats from 0 in chain order.
    case unknownCaveat(index: Int, detail: String)
    /// A caveat handed to `mint` or `attenuate` cannot be encoded (bad tool name, zero limit…).
    case invalidCaveat(String)
    /// A task id, policy name or key handed to `mint` cannot be encoded, or the token would
    /// exceed the size or caveat-count limits.
    case invalidInput(String)
    /// The root key directory or a key file is missing, unsafe or unreadable.
    case keyStore(path: String, message: String)
    /// The revocation list file could not be read or written.
    case revocationList(path: String, message: String)

    /// A stable machine-readable code, `snake_case`.
    public var code: String {
        switch self {
        case .malformed: return "malformed"
        case .unknownKey: return "unknown_key"
        case .badSignature: return "bad_signature"
        case .unsupportedVersion: return "unsupported_version"
        case .unknownCaveat: return "unknown_caveat"
        case .invalidCaveat: return "invalid_caveat"
        case .invalidInput: return "invalid_input"
        case .keyStore: return "key_store"
        case .revocationList: return "revocation_list"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let field, let offset, let reason):
            let place = field == "text" ? "character \(offset)" : "byte \(offset)"
            return "malformed: \(field) at \(place): \(reason)"
        case .unknownKey(let id): return "unknown_key: no root key with id `\(id)`"
        case .badSignature: return "bad_signature: the signature chain does not match"
        case .unsupportedVersion(let v): return "unsupported_version: token version \(v) (this verifier knows 1)"
        case .unknownCaveat(let index, let detail): return "unknown_caveat: caveat \(index): \(detail)"
        case .invalidCaveat(let message): return "invalid_caveat: \(message)"
        case .invalidInput(let message): return "invalid_input: \(message)"
        case .keyStore(let path, let message): return "key_store: \(path): \(message)"
        case .revocationList(let path, let message): return "revocation_list: \(path): \(message)"
        }
    }
}
