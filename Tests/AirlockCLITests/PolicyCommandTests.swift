import AirlockTestSupport
import Foundation
import Testing

/// `airlock policy check` and `airlock policy explain` on real files.
@Suite struct PolicyCommandTests {
    static let examples = ["code-reading", "data-analysis", "run-tests"]

    @Test func theThreeExamplePoliciesPass() throws {
        let result = try CLI.run(["policy", "check"] + Self.examples.map(examplePolicy))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        for name in Self.examples {
            #expect(result.stdout.contains("\(examplePolicy(name)): ok (policy \(name),"), "\(result.stdout)")
        }
    }

    @Test func aBrokenPolicyFailsWithFileLineAndColumn() throws {
        let directory = TemporaryDirectory()
        let broken = directory.write(
            "broken.yaml",
            """
            name: broken
            description: A policy with a typo.
            tools:
              list:
                description: List a directory.
                executable: /usr/bin/ls
                argv: [ls]
                netwrok: none
            """)
        let result = try CLI.run(["policy", "check", examplePolicy("code-reading"), broken])
        #expect(result.status == 1)
        #expect(result.stderr == "\(broken):8:5: tools.list: unknown field `netwrok`\n", "\(result.stderr)")
        #expect(result.stdout.contains("code-reading.yaml: ok"), "the valid file is still reported")
    }

    @Test func aBadUnitNamesItsField() throws {
        let directory = TemporaryDirectory()
        let broken = directory.write(
            "units.yaml",
            """
            name: units
            description: A limit without a unit.
            defaults:
              limits: {wallTime: 10}
            tools:
              list: {description: List., executable: /usr/bin/ls, argv: [ls]}
            """)
        let result = try CLI.run(["policy", "check", broken])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(broken):4:22: defaults.limits.wallTime: "), "\(result.stderr)")
    }

    @Test func aMissingFileIsAnError() throws {
        let result = try CLI.run(["policy", "check", "/nonexistent/airlock-policy.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/airlock-policy.yaml:1:1: cannot read the policy file"), "\(result.stderr)")
    }

    @Test func explainDescribesEveryTool() throws {
        let result = try CLI.run(["policy", "explain", examplePolicy("code-reading")])
        #expect(result.status == 0, "\(result.stderr)")
        for tool in ["list_files", "read_file", "search"] { #expect(result.stdout.contains("Tool \(tool): "), "\(result.stdout)") }
        #expect(result.stdout.contains("the workspace at /work (read-only)"))
        #expect(result.stdout.contains("no network"))
    }
}
