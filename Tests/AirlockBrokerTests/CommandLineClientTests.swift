@testable import AirlockBroker
import AirlockCore
import AirlockTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `airlock` executable built beside this test bundle.
func airlockExecutable() throws -> String {
    try #require(airlockExecutablePath, "build the airlock executable first")
}

extension BrokerTests {
@Suite("airlock task and airlock call against a live broker")
struct CommandLineClientTests {
    @Test func taskCreateThenCallThenEnd() async throws {
        let airlock = try airlockExecutable()
        try await withLiveBroker { live in
            let socket = ["--socket", live.socketPath]
            let created = try await runProgramOffPool(airlock, ["task", "create", "--policy", "test-tools", "--max-calls", "2"] + socket)
            #expect(created.status == 0, "\(created.stderr)")
            let reply = try JSONParser.parse(created.stdout)
            let token = try #require(reply["token"]?.stringValue)
            let id = try #require(reply["task"]?["id"]?.stringValue)

            let call = try await runProgramOffPool(airlock, ["call", "--token", token, "--tool", "echo", "--args", #"{"text": "from the cli"}"#] + socket)
            #expect(call.status == 0, "\(call.stderr)")
            #expect(try JSONParser.parse(call.stdout)["stdout"]?["content"] == framed("from the cli\n", tool: "echo"))

            let failing = try await runProgramOffPool(airlock, ["call", "--token", token, "--tool", "sleep", "--args", #"{"seconds": "x"}"#] + socket)
            #expect(failing.status == 4)
            #expect(failing.stderr.contains("argument_invalid"))

            let shown = try await runProgramOffPool(airlock, ["task", "show", id] + socket)
            #expect(try JSONParser.parse(shown.stdout)["budgetLeft"] == .integer(1))
            #expect(try await runProgramOffPool(airlock, ["task", "suspend", id] + socket).status == 0)
            #expect(try await runProgramOffPool(airlock, ["task", "resume", id] + socket).status == 0)
            let listed = try await runProgramOffPool(airlock, ["task", "list"] + socket)
            #expect(try JSONParser.parse(listed.stdout)["tasks"]?.arrayValue?.count == 1)
            #expect(try await runProgramOffPool(airlock, ["task", "end", id] + socket).status == 0)
            let revoked = try await runProgramOffPool(airlock, ["call", "--token", token, "--tool", "echo", "--args", #"{"text": "x"}"#] + socket)
            #expect(revoked.status == 4)
            #expect(revoked.stderr.contains("token_revoked"))
        }
    }

    @Test func unreachableBrokerAndRefusalsHaveTheirOwnExitStatus() async throws {
        let airlock = try airlockExecutable()
        let nowhere = try await runProgramOffPool(airlock, ["task", "list", "--socket", "/nonexistent/airlock.sock"])
        #expect(nowhere.status == 6)
        #expect(nowhere.stderr.contains("cannot reach the broker"))
        try await withLiveBroker { live in
            let unknown = try await runProgramOffPool(airlock, ["task", "create", "--policy", "nope", "--socket", live.socketPath])
            #expect(unknown.status == 5)
            #expect(unknown.stderr.contains("unknown_policy"))
        }
    }
}
}
