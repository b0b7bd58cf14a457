import Foundation

/// Revoked token ids. A grant is revoked when any id of its lineage is: revoking a token revokes
/// every token derived from it, while revoking a derived token leaves its parent alone.
///
/// A pure value: the broker decides when to persist it. On disk it is
/// `<state>/revoked-tokens.json`, `{"version": 1, "revoked": ["<id>", …]}` with ids sorted,
/// replaced atomically on save.
public struct RevocationList: Hashable, Sendable {
    public private(set) var revoked: Set<TokenID>

    public init(revoked: Set<TokenID> = []) { self.revoked = revoked }

    public static let fileName = "revoked-tokens.json"

    public mutating func revoke(_ id: TokenID) { revoked.insert(id) }

    public func isRevoked(_ id: TokenID) -> Bool { revoked.contains(id) }

    /// True when any id in the grant's lineage is revoked.
    public func isRevoked(_ grant: Grant) -> Bool {
        !revoked.isEmpty && grant.lineage.contains { revoked.contains($0) }
    }

    /// Loads `<stateDirectory>/revoked-tokens.json`; a missing file is an empty list.
    public static func load(stateDirectory: String) throws(TokenError) -> RevocationList {
        let path = "\(stateDirectory)/\(fileName)"
        let bytes: [UInt8]?
        do { bytes = try TokenFiles.readFileIfPresent(path) } catch { throw .revocationList(path: error.path, message: error.message) }
        guard let bytes else { return RevocationList() }
        do {
            return try parse(String(decoding: bytes, as: UTF8.self), file: path)
        } catch {
            throw .revocationList(path: error.location.description, message: error.tokenStoreMessage)
        }
    }

    static func parse(_ text: String, file: String) throws(ConfigError) -> RevocationList {
        let m = try ConfigValue.parse(text, file: file).mapping()
        let version = try m.require("version")
        guard try version.uint64() == 1 else { throw version.error("unsupported revocation list version") }
        var list = RevocationList()
        for item in try m.require("revoked").list() {
            guard let id = TokenID(text: try item.string()) else { throw item.error("not a token id (22 characters of base64url)") }
            list.revoke(id)
        }
        try m.finish()
        return list
    }

    /// Writes `<stateDirectory>/revoked-tokens.json` atomically (temporary file, fsync, rename,
    /// directory fsync), creating the state directory (mode 0700) if needed.
    public func save(stateDirectory: String) throws(TokenError) {
        let path = "\(stateDirectory)/\(Self.fileName)"
        do {
            try TokenFiles.makeDirectoryIfMissing(stateDirectory)
            try TokenFiles.replaceAtomically(path, directory: stateDirectory, Array(rendered.utf8))
        } catch {
            throw .revocationList(path: error.path, message: error.message)
        }
    }

    /// Ids sorted, one per line, so the file diffs well.
    var rendered: String {
        let ids = revoked.sorted().map { "    \"\($0.text)\"" }
        return ids.isEmpty
            ? "{\"version\": 1, \"revoked\": []}\n"
            : "{\"version\": 1, \"revoked\": [\n" + ids.joined(separator: ",\n") + "\n]}\n"
    }
}

extension ConfigError {
    /// `field.path: message`, for errors whose location is given separately.
    var tokenStoreMessage: String { fieldPath.isEmpty ? message : "\(fieldPath): \(message)" }
}
