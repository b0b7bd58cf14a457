import AirlockBroker
import AirlockCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension BrokerTests {
@Suite("Calls through the router")
struct CallRouteTests {
    @Test func allowedCallReturnsTheResultEnvelope() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let reply = try await client.json(
                .post, "/v1/calls", as: Peer.agent, token: task.token,
                body: .object(["tool": .string("echo"), "arguments": .object(["text": .string("hello")]), "callId": .string("call-1")]))
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "application/json")
            let body = reply.body
            #expect(body["callId"] == .string("call-1"))
            #expect(body["taskId"] == .string(task.id))
            #expect(body["decision"] == .string("allow"))
            #expect(body["exitCode"] == .integer(0))
            #expect(body["termination"]?["reason"] == .string("exited"))
            #expect(body["stdout"]?["content"] == framed("hello\n", tool: "echo"))
            #expect(body["stdout"]?["truncation"] == .null)
            #expect(body["findings"] == .array([]))
            #expect(body["rejection"] == .null)
            #expect(body["usage"]?["stdoutBytes"] == .integer(6))
            for stage in ["authorizeMicroseconds", "queueMicroseconds", "sandboxMicroseconds", "totalMicroseconds"] {
                #expect(body["timing"]?[stage]?.doubleValue.map { $0 >= 0 } == true, "timing.\(stage)")
            }
        }
    }

    @Test func adminMayCallToo() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            #expect(try await client.call(task.token, tool: "echo", .object(["text": .string("x")]), as: Peer.admin).status == .ok)
        }
    }

    @Test func toolWritesIntoTheTaskWorkspace() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let reply = try await client.call(task.token, tool: "write", .object(["path": .string("made-by-tool.txt")]))
            #expect(reply.body["exitCode"] == .integer(0), "\(reply.body)")
            let workspace = try #require(task.workspace)
            #expect(FileManager.default.fileExists(atPath: workspace + "/made-by-tool.txt"))
        }
    }

    @Test func tokenProblemsAreDistinctDenials() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let missing = try await client.call(nil, tool: "echo", .object(["text": .string("x")]))
            expectProblem(missing, .unauthorized, code: "token_missing")
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")
            expectProblem(try await client.call("alk1.garbage", tool: "echo", .object(["text": .string("x")])), .forbidden, code: "token_invalid")
            var tampered = Array(task.token.utf8)
            tampered[tampered.count - 3] = tampered[tampered.count - 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            expectProblem(
                try await client.call(String(decoding: tampered, as: UTF8.self), tool: "echo", .object(["text": .string("x")])), .forbidden,
                code: "token_invalid")
            let expired = try CapabilityToken(text: task.token).attenuated(with: [.expires(EpochSeconds(1_000_000))]).text
            let expiredReply = try await client.call(expired, tool: "echo", .object(["text": .string("x")]))
            expectProblem(expiredReply, .forbidden, code: "token_expired")
            #expect(expiredReply.body["decision"] == .string("deny"))
            let later = try CapabilityToken(text: task.token).attenuated(with: [.notBefore(EpochSeconds(4_000_000_000))]).text
            expectProblem(try await client.call(later, tool: "echo", .object(["text": .string("x")])), .forbidden, code: "token_not_yet_valid")
        }
    }

    @Test func revokedTokenAndItsDescendantsAreDenied() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let child = try CapabilityToken(text: task.token).attenuated(with: [.tools(["echo"])]).text
            let revoke = try await client.json(.post, "/v1/tokens/revoke", body: .object(["token": .string(task.token)]))
            #expect(revoke.status == .ok)
            expectProblem(try await client.call(task.token, tool: "echo", .object(["text": .string("x")])), .forbidden, code: "token_revoked")
            expectProblem(try await client.call(child, tool: "echo", .object(["text": .string("x")])), .forbidden, code: "token_revoked")
            expectProblem(try await client.json(.post, "/v1/tokens/revoke", body: .object(["tokenId": .string("short")])), .badRequest, code: "invalid_request")
        }
    }

    @Test func attenuatedTokenCannotReachBeyondItsCaveats() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let onlySleep = try CapabilityToken(text: task.token).attenuated(with: [.tools(["sleep"])]).text
            expectProblem(try await client.call(onlySleep, tool: "echo", .object(["text": .string("x")])), .forbidden, code: "tool_not_granted")
            let pinned = try CapabilityToken(text: task.token).attenuated(with: [
                .argument(ArgumentConstraint(name: "text", rule: .oneOf([.string("yes")])))
            ]).text
            expectProblem(try await client.call(pinned, tool: "echo", .object(["text": .string("no")])), .forbidden, code: "argument_not_permitted")
            #expect(try await client.call(pinned, tool: "echo", .object(["text": .string("yes")])).status == .ok)
        }
    }

    @Test func argumentProblemsAreDeniedWithAReasonTheModelCanUse() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let unknown = try await client.call(task.token, tool: "rm", .object([:]))
            expectProblem(unknown, .forbidden, code: "unknown_tool")
            #expect(unknown.body["detail"]?.stringValue?.contains("echo") == true)
            let invalid = try await client.call(task.token, tool: "echo", .object(["text": .integer(5)]))
            expectProblem(invalid, .forbidden, code: "argument_invalid")
            #expect(invalid.body["violations"]?.arrayValue?.isEmpty == false)
            expectProblem(try await client.call(task.token, tool: "write", .object(["path": .string("../escape")])), .forbidden, code: "path_outside_workspace")
            let shown = try await client.json(.get, "/v1/tasks/\(task.id)")
            #expect(shown.body["callsDenied"] == .integer(3))
            #expect(shown.body["callsMade"] == .integer(0))
        }
    }

    @Test func malformedRequestsAreProblems() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let raw = { (body: String, type: String) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: JSONValue) in
                try await client.execute(
                    uri: "/v1/calls", method: .post,
                    headers: [TestContext.peerHeader: Peer.agent, .authorization: "Bearer \(task.token)", .contentType: type],
                    body: ByteBuffer(string: body)
                ) { response in (response.status, response.headers, try JSONParser.parse(Array(response.body.readableBytesView))) }
            }
            expectProblem(try await raw("{\"tool\": ", "application/json"), .badRequest, code: "malformed_json")
            expectProblem(try await raw("[1, 2]", "application/json"), .badRequest, code: "invalid_request")
            expectProblem(try await raw("{\"tool\": \"echo\", \"extra\": 1}", "application/json"), .badRequest, code: "invalid_request")
            expectProblem(try await raw("{\"tool\": \"echo\", \"callId\": \"has space\"}", "application/json"), .badRequest, code: "invalid_request")
            expectProblem(try await raw("tool=echo", "application/x-www-form-urlencoded"), .unsupportedMediaType, code: "unsupported_media_type")
            expectProblem(try await client.json(.get, "/v1/nothing-here"), .notFound, code: "no_route")
        }
    }

    @Test func twoMebibyteBodyIsRefused() async throws {
        try await withRouterBroker { client, _ in
            let big = ByteBuffer(repeating: UInt8(ascii: " "), count: 2 << 20)
            let reply = try await client.execute(
                uri: "/v1/tasks", method: .post, headers: [TestContext.peerHeader: Peer.admin, .contentType: "application/json"], body: big
            ) { response in (response.status, response.headers, try JSONParser.parse(Array(response.body.readableBytesView))) }
            expectProblem(reply, .contentTooLarge, code: "body_too_large")
        }
    }
}
}
