import Testing
@testable import AirlockCore

/// Any change to a token's bytes must fail parsing or verification — never yield a grant.
@Suite struct TokenTamperTests {
    let keyring = RootKeyring(keys: [TokenFixtures.key(), TokenFixtures.key("otherkey", byte: 9, created: 2)])

    static func tokens() throws -> [CapabilityToken] {
        let rich = try TokenFixtures.richToken()
        let bare = try CapabilityToken.mint(key: TokenFixtures.key(), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest)
        let values = try rich.attenuated(with: [
            .argument(ArgumentConstraint(name: "mode", rule: .oneOf([.string("fast"), .integer(-3), .bool(false)]))),
            .notBefore(TokenFixtures.now),
        ])
        return [rich, bare, values]
    }

    /// True when the bytes neither parse nor verify.
    func rejects(binary: [UInt8]) -> Bool {
        guard let token = try? CapabilityToken(binary: binary) else { return true }
        return (try? keyring.verify(token)) == nil
    }

    @Test func flippingAnyByteOfTheBinaryFails() throws {
        for token in try Self.tokens() {
            #expect(!rejects(binary: token.binary))  // the untouched token verifies
            for position in token.binary.indices {
                for mask: UInt8 in [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF] {
                    var bytes = token.binary
                    bytes[position] ^= mask
                    #expect(rejects(binary: bytes), "byte \(position) ^ \(mask) of a \(token.caveats.count)-caveat token")
                }
            }
        }
    }

    @Test func changingAnyCharacterOfTheTextFails() throws {
        let replacements = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ")
        for token in try Self.tokens() {
            let text = Array(token.text)
            for position in text.indices {
                for replacement in replacements where replacement != text[position] {
                    var changed = text
                    changed[position] = replacement
                    #expect((try? keyring.verify(text: String(changed))) == nil, "character \(position) -> \(replacement)")
                }
            }
        }
    }

    @Test func removingTheLastCaveatFails() throws {
        for token in try Self.tokens() where !token.caveats.isEmpty {
            let lastStart = token.recordEnds.count > 1 ? token.recordEnds[token.recordEnds.count - 2] : token.identifierEnd
            let stripped = Array(token.binary[..<lastStart]) + token.signature
            #expect(throws: TokenError.badSignature) { try keyring.verify(CapabilityToken(binary: stripped)) }
        }
    }

    @Test func reorderingCaveatsFails() throws {
        let token = try TokenFixtures.richToken()
        let records = Self.records(of: token)
        for i in records.indices {
            for j in records.indices where i < j {
                var swapped = records
                swapped.swapAt(i, j)
                let bytes = Array(token.binary[..<token.identifierEnd]) + swapped.joined() + token.signature
                #expect(throws: TokenError.badSignature) { try keyring.verify(CapabilityToken(binary: bytes)) }
            }
        }
    }

    @Test func splicingOneTokensSignatureOntoAnothersCaveatsFails() throws {
        let a = try TokenFixtures.richToken()
        let b = try TokenFixtures.richToken()
        let spliced = Array(a.binary.dropLast(32)) + b.signature
        #expect(throws: TokenError.badSignature) { try keyring.verify(CapabilityToken(binary: spliced)) }
        // b's identifier with a's caveats and signature.
        let mixed = Array(b.binary[..<b.identifierEnd]) + a.binary[a.identifierEnd...]
        #expect(throws: TokenError.badSignature) { try keyring.verify(CapabilityToken(binary: mixed)) }
        // a parent's signature on its child's caveats (skipping the child's links).
        let parent = try CapabilityToken.mint(key: TokenFixtures.key(), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest, caveats: [.maxCalls(5)])
        let child = try parent.attenuated(with: [.maxCalls(1)])
        let widened = Array(child.binary.dropLast(32)) + parent.signature
        #expect(throws: TokenError.badSignature) { try keyring.verify(CapabilityToken(binary: widened)) }
    }

    @Test func replacingACaveatWithAWiderOneFails() throws {
        let token = try CapabilityToken.mint(key: TokenFixtures.key(), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest, caveats: [.maxCalls(5)])
        let wider = try Caveat.maxCalls(500).encodedRecord()
        let bytes = Array(token.binary[..<token.identifierEnd]) + wider + token.signature
        #expect(throws: TokenError.badSignature) { try keyring.verify(CapabilityToken(binary: bytes)) }
    }

    @Test func aTokenSignedByAnotherKeyWithTheSameIdFails() throws {
        let forged = try CapabilityToken.mint(key: TokenFixtures.key(byte: 8), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest)
        #expect(throws: TokenError.badSignature) { try keyring.verify(forged) }
    }

    static func records(of token: CapabilityToken) -> [[UInt8]] {
        var start = token.identifierEnd
        return token.recordEnds.map { end in
            defer { start = end }
            return Array(token.binary[start..<end])
        }
    }
}
