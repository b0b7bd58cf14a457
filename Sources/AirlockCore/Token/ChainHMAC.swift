import Crypto

/// HMAC-SHA256 (RFC 2104) for the token chain, built on swift-crypto's `SHA256`.
///
/// swift-crypto's generic `HMAC<SHA256>` allocates a `SymmetricKey` and two padded key arrays on
/// every use and is not specialized across the module boundary: about 3.5 µs per link here,
/// which alone would exceed the 20 µs budget for a 5-caveat chain. This type keeps the padded
/// key absorbed in two `SHA256` states, on the stack, so one link costs four SHA-256 block
/// compressions and no allocation. `ChainHMACTests` checks it against RFC 4231 and against
/// `HMAC<SHA256>`.
struct ChainHMAC: Sendable {
    /// SHA-256 after absorbing `key ⊕ ipad` and `key ⊕ opad`.
    private let inner: SHA256
    private let outer: SHA256

    /// `key` must be at most 64 bytes (root keys and chain signatures are 32).
    init(key: UnsafeRawBufferPointer) {
        precondition(key.count <= SHA256.blockByteCount, "chain keys are at most one block")
        var inner = SHA256()
        var outer = SHA256()
        withUnsafeTemporaryAllocation(byteCount: SHA256.blockByteCount, alignment: 8) { pad in
            for i in 0..<pad.count { pad[i] = (i < key.count ? key[i] : 0) ^ 0x36 }
            inner.update(bufferPointer: UnsafeRawBufferPointer(pad))
            for i in 0..<pad.count { pad[i] ^= 0x36 ^ 0x5C }
            outer.update(bufferPointer: UnsafeRawBufferPointer(pad))
            pad.initializeMemory(as: UInt8.self, repeating: 0)
        }
        self.inner = inner
        self.outer = outer
    }

    init(key: SHA256Digest) {
        self = key.withUnsafeBytes { ChainHMAC(key: $0) }
    }

    func authenticate(_ message: UnsafeRawBufferPointer) -> SHA256Digest {
        var inner = self.inner
        inner.update(bufferPointer: message)
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize()
    }

    func authenticate(_ message: ArraySlice<UInt8>) -> SHA256Digest {
        message.withUnsafeBytes { authenticate($0) }
    }

    /// Compares a computed signature with the token's 32 bytes without an early exit, so the
    /// time taken says nothing about how many leading bytes matched.
    static func constantTimeEquals(_ computed: SHA256Digest, _ given: ArraySlice<UInt8>) -> Bool {
        guard given.count == SHA256.byteCount else { return false }
        var difference: UInt8 = 0
        computed.withUnsafeBytes { a in
            given.withUnsafeBytes { b in
                for i in 0..<SHA256.byteCount { difference |= a[i] ^ b[i] }
            }
        }
        return difference == 0
    }
}
