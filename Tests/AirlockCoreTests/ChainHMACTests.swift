import Crypto
import Testing
@testable import AirlockCore

@Suite struct ChainHMACTests {
    func hex(_ digest: SHA256Digest) -> String { digest.map { String($0, radix: 16).leftPadded() }.joined() }

    @Test(arguments: [
        // RFC 4231 §4.2 and §4.3.
        ([UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ])
    func matchesRFC4231(key: [UInt8], message: [UInt8], expected: String) {
        let mac = key.withUnsafeBytes { ChainHMAC(key: $0) }.authenticate(message[...])
        #expect(hex(mac) == expected)
    }

    @Test func matchesSwiftCryptoForChainSizedKeysAndMessages() {
        var rng = TokenTestRandom(seed: 4231)
        for length in [0, 1, 31, 32, 55, 56, 63, 64, 65, 200] {
            let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let ours = key.withUnsafeBytes { ChainHMAC(key: $0) }.authenticate(message[...])
            let theirs = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
            #expect(Array(ours) == Array(theirs), "message of \(length) bytes")
        }
    }

    @Test func constantTimeComparisonFindsADifferenceInAnyByte() {
        let digest = SHA256.hash(data: [1, 2, 3])
        let bytes = Array(digest)
        #expect(ChainHMAC.constantTimeEquals(digest, bytes[...]))
        for i in bytes.indices {
            var changed = bytes
            changed[i] ^= 0x01
            #expect(!ChainHMAC.constantTimeEquals(digest, changed[...]))
        }
        #expect(!ChainHMAC.constantTimeEquals(digest, bytes.dropLast()))
    }
}

private extension String {
    func leftPadded() -> String { count == 1 ? "0" + self : self }
}
