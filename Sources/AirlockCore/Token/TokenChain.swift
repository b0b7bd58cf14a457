import Crypto
import Foundation

/// The HMAC-SHA256 chain: `sig0 = HMAC(rootKey, identifier)`, `sig_i = HMAC(sig_{i-1}, record_i)`.
///
/// Each link is keyed by the previous signature, so a holder of a token (who knows only the last
/// signature) can extend the chain but cannot compute any earlier link: removing or changing a
/// caveat would need a key they never see.
enum TokenChain {
    /// The next signature: the HMAC of `bytes` keyed by the previous signature.
    static func link(_ signature: some ContiguousBytes, _ bytes: ArraySlice<UInt8>) -> SHA256Digest {
        signature.withUnsafeBytes { ChainHMAC(key: $0) }.authenticate(bytes)
    }

    /// The final signature of the chain over `binary`, whose identifier ends at `identifierEnd`
    /// and whose caveat records end at `recordEnds`.
    static func signature(rootKey: RootKey, binary: [UInt8], identifierEnd: Int, recordEnds: [Int]) -> SHA256Digest {
        var signature = rootKey.hmac.authenticate(binary[..<identifierEnd])
        var start = identifierEnd
        for end in recordEnds {
            signature = link(signature, binary[start..<end])
            start = end
        }
        return signature
    }

    /// Recomputes the chain of `token` from `rootKey` and compares it with the token's
    /// signature in constant time.
    static func isValid(_ token: CapabilityToken, rootKey: RootKey) -> Bool {
        let computed = signature(rootKey: rootKey, binary: token.binary, identifierEnd: token.identifierEnd, recordEnds: token.recordEnds)
        return ChainHMAC.constantTimeEquals(computed, token.signature)
    }
}
