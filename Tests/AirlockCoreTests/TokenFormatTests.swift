import Crypto
import Foundation
import Testing
@testable import AirlockCore

/// The byte layout of `docs/tokens.md`, checked by building a token by hand, and every way a
/// token can be malformed.
@Suite struct TokenFormatTests {
    let key = TokenFixtures.key()
    let keyring = RootKeyring(keys: [TokenFixtures.key()])

    /// Builds the binary exactly as the document describes it, with an independent HMAC chain.
    @Test func binaryLayoutMatchesTheDocument() throws {
        let id = TokenID(text: "AAECAwQFBgcICQoLDA0ODw")!  // bytes 0x00…0x0f
        let token = try CapabilityToken.mint(
            key: key, id: id, taskId: "t1", policyName: "ci", policyDigest: TokenFixtures.digest,
            caveats: [.maxCalls(3), .tools(["read", "grep"])])
        var identifier: [UInt8] = [0x01, 8] + Array("testkey1".utf8) + Array(0...15)
        identifier += [2] + Array("t1".utf8) + [2] + Array("ci".utf8) + TokenFixtures.digest.bytes
        let maxCalls: [UInt8] = [0x04, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 3]
        let tools: [UInt8] = [0x01, 0x00, 0x0B, 2, 4] + Array("grep".utf8) + [4] + Array("read".utf8)
        var signature = HMAC<SHA256>.authenticationCode(for: identifier, using: SymmetricKey(data: [UInt8](repeating: 7, count: 32)))
        for record in [maxCalls, tools] { signature = HMAC<SHA256>.authenticationCode(for: record, using: SymmetricKey(data: signature)) }
        let expected = identifier + maxCalls + tools + Array(signature)
        #expect(token.binary == expected)
        #expect(token.text == "alk1." + Data(expected).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""))
    }

    @Test func caveatBodiesFollowTheDocument() throws {
        let limits = try Caveat.limits(CaveatLimits(wallTime: Milliseconds(1500), processes: 8)).encodedRecord()
        #expect(limits == [0x06, 0x00, 0x12, 0x00, 0x11] + [0, 0, 0, 0, 0, 0, 0x05, 0xDC] + [0, 0, 0, 0, 0, 0, 0, 8])
        let path = try Caveat.argument(ArgumentConstraint(name: "p", rule: .pathUnder(["src/"]))).encodedRecord()
        #expect(path == [0x05, 0x00, 0x09, 1, UInt8(ascii: "p"), 0x01, 1, 0x00, 0x03] + Array("src".utf8))
        let values = try Caveat.argument(ArgumentConstraint(name: "v", rule: .oneOf([.bool(true), .integer(-1), .string("x")]))).encodedRecord()
        #expect(values == [0x05, 0x00, 0x13, 1, UInt8(ascii: "v"), 0x02, 3, 0x01, 0x00, 0x01, UInt8(ascii: "x"), 0x02] + [UInt8](repeating: 0xFF, count: 8) + [0x03, 0x01])
        let expires = try Caveat.expires(EpochSeconds(0x0102)).encodedRecord()
        #expect(expires == [0x02, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0x01, 0x02])
    }

    func expectMalformed(_ text: String, field: String, offset: Int? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            _ = try CapabilityToken(text: text)
            Issue.record("parsed", sourceLocation: sourceLocation)
        } catch {
            guard case .malformed(let f, let o, _) = error else {
                Issue.record("expected malformed, got \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(f == field, sourceLocation: sourceLocation)
            if let offset { #expect(o == offset, sourceLocation: sourceLocation) }
        }
    }

    func text(_ bytes: [UInt8]) -> String { "alk1." + TokenBase64URL.encode(bytes) }

    @Test func textErrorsNameTheCharacter() throws {
        let good = try TokenFixtures.richToken().text
        expectMalformed("alk2." + good.dropFirst(5), field: "text", offset: 3)
        expectMalformed("", field: "text", offset: 0)
        expectMalformed(good + "=", field: "text")
        expectMalformed(good.replacingOccurrences(of: "alk1.", with: "alk1. "), field: "text", offset: 5)
        expectMalformed(String(good.prefix(40)) + "+" + good.dropFirst(41), field: "text", offset: 40)
        expectMalformed("alk1." + String(repeating: "A", count: 9000), field: "text")
        // One byte 0xFF is "_w"; "_x" has non-zero unused bits and must not decode to the same byte.
        #expect(TokenBase64URL.encode([0xFF]) == "_w")
        if case .success = TokenBase64URL.decode("_x".utf8) { Issue.record("non-canonical base64url accepted") }
    }

    @Test func binaryErrorsNameTheFieldAndByte() throws {
        let token = try TokenFixtures.richToken()
        let b = token.binary
        expectMalformed(text(Array(b.prefix(1))), field: "key id length", offset: 1)
        expectMalformed(text(Array(b.prefix(6))), field: "key id", offset: 2)
        expectMalformed(text(Array(b.prefix(token.identifierEnd - 5))), field: "policy digest")
        expectMalformed(text(Array(b.prefix(token.identifierEnd + 10))), field: "signature", offset: token.identifierEnd)
        expectMalformed(text(b + [0]), field: "caveat 6 length")  // one trailing byte
        let overrun = Array(b.dropLast(32)) + [0x02, 0x00, 0x40] + token.signature
        expectMalformed(text(overrun), field: "caveat 6", offset: b.count - 32 + 3)  // a body that runs into the signature
        var badKeyId = b
        badKeyId[2] = UInt8(ascii: "/")
        expectMalformed(text(badKeyId), field: "key id", offset: 1)
    }

    @Test func nonCanonicalCaveatBodiesAreMalformed() throws {
        let bare = try CapabilityToken.mint(key: key, taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest)
        let bodies: [(UInt8, [UInt8], String)] = [
            (0x01, [2, 4] + Array("read".utf8) + [4] + Array("grep".utf8), "tools out of order"),
            (0x01, [2, 4] + Array("grep".utf8) + [4] + Array("grep".utf8), "duplicate tool"),
            (0x01, [1, 4] + Array("grep".utf8) + [9], "trailing byte in a body"),
            (0x02, [0, 0, 0, 0, 0, 0, 1], "short expiry"),
            (0x05, [1, UInt8(ascii: "p"), 0x01, 1, 0, 4] + Array("src/".utf8), "prefix with trailing slash"),
            (0x05, [1, UInt8(ascii: "p"), 0x01, 1, 0, 2] + Array("..".utf8), "prefix with .."),
            (0x05, [1, UInt8(ascii: "p"), 0x02, 0], "empty value list"),
            (0x05, [1, UInt8(ascii: "v"), 0x02, 1, 0x03, 2], "boolean 2"),
            (0x06, [0, 0], "empty limits mask"),
            (0x06, [0, 1, 0, 0, 0, 0, 0, 0, 0, 0], "zero limit"),
            (0x07, [1, 2, 3], "short derived id"),
        ]
        for (kind, body, what) in bodies {
            let forged = text(try bare.appendingBinary([.unknown(kind: kind, body: body, detail: "")]))
            do {
                _ = try CapabilityToken(text: forged)
                Issue.record("\(what) parsed")
            } catch {
                #expect(error.code == "malformed", "\(what): \(error)")
            }
        }
    }

    @Test func unknownCaveatsMakeVerificationFail() throws {
        let bare = try TokenFixtures.richToken()
        let cases: [(UInt8, [UInt8])] = [
            (0x2A, [1, 2, 3]),  // a kind from the future
            (0x00, []),
            (0x05, [1, UInt8(ascii: "p"), 0x09, 1, 2, 3]),  // argument operator 9
            (0x05, [1, UInt8(ascii: "v"), 0x02, 1, 0x07, 0]),  // value type 7
            (0x06, [0x10, 0x00] + [UInt8](repeating: 1, count: 8)),  // limits field bit 12
        ]
        for (kind, body) in cases {
            let token = try bare.appending([.unknown(kind: kind, body: body, detail: "")])
            let parsed = try CapabilityToken(text: token.text)  // inspect still works
            guard case .unknown(let k, _, _) = parsed.caveats.last else {
                Issue.record("kind \(kind) did not parse as unknown")
                continue
            }
            #expect(k == kind)
            #expect(throws: TokenError.unknownCaveat(index: bare.caveats.count, detail: parsed.caveats.last!.unknownDetail)) {
                try keyring.verify(parsed)
            }
        }
    }

    @Test func unsupportedVersionAndUnknownKeyAreReportedAsSuch() throws {
        var bytes = try TokenFixtures.richToken().binary
        bytes[0] = 2
        #expect(throws: TokenError.unsupportedVersion(2)) { try CapabilityToken(text: text(bytes)) }
        let other = try CapabilityToken.mint(key: TokenFixtures.key("retired"), taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest)
        #expect(throws: TokenError.unknownKey("retired")) { try keyring.verify(other) }
    }

    @Test func errorCodesAreStable() {
        let codes = [
            TokenError.malformed(field: "x", offset: 0, reason: ""), .unknownKey(""), .badSignature, .unsupportedVersion(9),
            .unknownCaveat(index: 0, detail: ""), .invalidCaveat(""), .invalidInput(""), .keyStore(path: "", message: ""),
            .revocationList(path: "", message: ""),
        ].map(\.code)
        #expect(codes == [
            "malformed", "unknown_key", "bad_signature", "unsupported_version", "unknown_caveat", "invalid_caveat",
            "invalid_input", "key_store", "revocation_list",
        ])
    }

    @Test func tokensHaveBoundedSizeAndCaveatCount() throws {
        var token = try CapabilityToken.mint(key: key, taskId: "t", policyName: "p", policyDigest: TokenFixtures.digest)
        #expect(throws: TokenError.self) { try token.appending(Array(repeating: .maxCalls(1), count: CapabilityToken.maxCaveats + 1)) }
        token = try token.appending(Array(repeating: .maxCalls(1), count: CapabilityToken.maxCaveats))
        #expect(throws: TokenError.self) { try token.attenuated(with: []) }
    }
}

extension Caveat {
    var unknownDetail: String {
        if case .unknown(_, _, let detail) = self { return detail }
        return ""
    }
}
