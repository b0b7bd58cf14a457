import Testing
@testable import AirlockCore

@Suite struct UnitsTests {
    @Test(arguments: [
        ("4096", UInt64(4096)), ("1KiB", 1024), ("256MiB", 256 << 20), ("1 GiB", 1 << 30),
        ("2kB", 2000), ("3MB", 3_000_000),
    ])
    func parsesSizes(text: String, bytes: UInt64) throws {
        #expect(try ByteCount(parsing: text).bytes == bytes)
    }

    @Test func rejectsBadSizes() {
        #expect(throws: UnitError.unknownUnit("MB!", allowed: ByteCount.units.map(\.0))) {
            try ByteCount(parsing: "1MB!")
        }
        #expect(throws: UnitError.notPositive("0MiB")) { try ByteCount(parsing: "0MiB") }
        #expect(throws: UnitError.notANumber("MiB")) { try ByteCount(parsing: "MiB") }
        #expect(throws: UnitError.empty) { try ByteCount(parsing: " ") }
        #expect(throws: UnitError.tooLarge("99999999999GiB")) { try ByteCount(parsing: "99999999999GiB") }
        #expect(throws: UnitError.notANumber("-1KiB")) { try ByteCount(parsing: "-1KiB") }
    }

    @Test(arguments: [("500ms", UInt64(500)), ("10s", 10_000), ("2m", 120_000), ("1h", 3_600_000)])
    func parsesDurations(text: String, ms: UInt64) throws {
        #expect(try Milliseconds(parsing: text).value == ms)
    }

    @Test func durationNeedsAUnit() {
        #expect(throws: UnitError.unknownUnit("(none)", allowed: Milliseconds.units.map(\.0))) {
            try Milliseconds(parsing: "10")
        }
        #expect(throws: UnitError.notPositive("0s")) { try Milliseconds(parsing: "0s") }
    }

    @Test func rendersShortestExactForm() {
        #expect(ByteCount.mib(1).description == "1MiB")
        #expect(ByteCount(1536 << 10).description == "1536KiB")
        #expect(ByteCount(1000).description == "1000B")
        #expect(Milliseconds(1500).description == "1500ms")
        #expect(Milliseconds(120_000).description == "2m")
        #expect(Milliseconds(1001).secondsRoundedUp == 2)
    }
}
