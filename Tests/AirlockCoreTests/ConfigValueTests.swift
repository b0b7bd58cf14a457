import Testing
@testable import AirlockCore

@Suite struct ConfigValueTests {
    @Test(arguments: ["0", "-1", "12", "1.5", "-0.25", "1e9", "2E-3", "1.0e+2"])
    func jsonNumbersBecomeNumbers(text: String) throws {
        let value = try ConfigValue.parse("v: \(text)", file: "t.yaml").mapping().require("v").json()
        #expect(value.doubleValue != nil, "\(text) -> \(value)")
    }

    @Test(arguments: ["0x1F", "inf", "nan", "1.", ".5", "01", "+1", "1e", "yes", "on", "0o17"])
    func otherScalarsStayStrings(text: String) throws {
        let value = try ConfigValue.parse("v: \(text)", file: "t.yaml").mapping().require("v").json()
        #expect(value == .string(text))
    }

    @Test func unknownFieldNamesItsPlace() throws {
        let mapping = try ConfigValue.parse("a: 1\nnetwrok: none\n", file: "p.yaml").mapping()
        _ = mapping.optional("a")
        #expect(throws: ConfigError(location: SourceLocation(file: "p.yaml", line: 2, column: 1), fieldPath: "", message: "unknown field `netwrok`")) {
            try mapping.finish()
        }
    }

    @Test func booleansAreOnlyTrueAndFalse() throws {
        let mapping = try ConfigValue.parse("a: yes\nb: true\n", file: "p.yaml").mapping()
        #expect(throws: ConfigError.self) { try mapping.require("a").bool() }
        #expect(try mapping.require("b").bool())
    }
}
