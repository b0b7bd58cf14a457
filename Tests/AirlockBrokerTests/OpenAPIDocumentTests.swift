import AirlockBroker
import AirlockCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `docs/api/openapi.yaml`, read as JSON.
func openAPIDocument() throws -> JSONValue {
    let path = TestBroker.repository + "/docs/api/openapi.yaml"
    return try ConfigValue.parse(try String(contentsOfFile: path, encoding: .utf8), file: path).json()
}

/// The `required` members of `components.schemas.<name>`.
func requiredMembers(_ document: JSONValue, schema name: String) throws -> [String] {
    let schema = try #require(document["components"]?["schemas"]?[name], "schema \(name) is not documented")
    return (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
}

extension BrokerTests {
@Suite("The server matches docs/api/openapi.yaml")
struct OpenAPIDocumentTests {
    @Test func everyDocumentedOperationIsRoutedAndAnswersADocumentedStatus() async throws {
        let document = try openAPIDocument()
        let paths = try #require(document["paths"]?.objectValue)
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            for (template, item) in paths.sorted(by: { $0.key < $1.key }) {
                var uri = template.replacingOccurrences(of: "{id}", with: task.id).replacingOccurrences(of: "{name}", with: "test-tools")
                // JSON Lines: one record parses as one JSON value.
                if template == "/v1/audit/records" { uri += "?limit=1" }
                for (method, operation) in (item.objectValue ?? [:]) where method != "parameters" {
                    let httpMethod = try #require(HTTPRequest.Method(method.uppercased()))
                    let body: JSONValue? = httpMethod == .post ? .object([:]) : nil
                    let reply = try await client.json(httpMethod, uri, token: task.token, body: body)
                    #expect(reply.body["code"] != .string("no_route"), "\(method.uppercased()) \(template) is documented but not routed")
                    let documented = operation["responses"]?.objectValue?.keys.sorted() ?? []
                    #expect(documented.contains(String(reply.status.code)), "\(method.uppercased()) \(template) answered \(reply.status.code), documented: \(documented)")
                }
            }
        }
    }

    @Test func responsesCarryEveryRequiredMember() async throws {
        let document = try openAPIDocument()
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            let call = try await client.call(task.token, tool: "echo", .object(["text": .string("x")]))
            let denial = try await client.call(task.token, tool: "nope")
            let samples: [(String, JSONValue?)] = [
                ("CallResult", call.body),
                ("Task", try await client.json(.get, "/v1/tasks/\(task.id)").body),
                ("Health", try await client.json(.get, "/v1/health").body),
                ("Problem", denial.body),
                ("PolicySummary", try await client.json(.get, "/v1/policies").body["policies"]?.arrayValue?.first),
            ]
            for (schema, sample) in samples {
                let object = try #require(sample?.objectValue, "no \(schema) sample")
                for member in try requiredMembers(document, schema: schema) {
                    #expect(object[member] != nil, "\(schema) lacks `\(member)`")
                }
            }
        }
    }

    /// Every answer of a tour through the API — successes, denials, and each error path — has a
    /// documented status and content type, and its body matches the documented schema.
    @Test func everyResponseMatchesItsDocumentedSchema() async throws {
        let validator = OpenAPIValidator(document: try openAPIDocument())
        try await withRouterBroker { client, _ in
            var failures: [String] = []
            func expect(
                _ method: HTTPRequest.Method, _ uri: String, as template: String, status: Int, token: String? = nil,
                body: JSONValue? = nil, peer: String? = Peer.admin, headers: HTTPFields = [:]
            ) async throws -> JSONValue {
                let reply = try await client.json(method, uri, as: peer, token: token, body: body, headers: headers)
                if Int(reply.status.code) != status { failures.append("\(method) \(uri): \(reply.status.code), wanted \(status): \(reply.body)") }
                let problems = validator.check(
                    method: method.rawValue, template: template, status: Int(reply.status.code), contentType: reply.headers[.contentType],
                    body: reply.body == .null ? nil : reply.body)
                failures += problems.map { "\(method) \(uri) \(reply.status.code): \($0)" }
                return reply.body
            }
            _ = try await expect(.get, "/v1/health", as: "/v1/health", status: 200)
            _ = try await expect(.get, "/v1/health", as: "/v1/health", status: 403, peer: Peer.stranger)
            _ = try await expect(.get, "/v1/policies", as: "/v1/policies", status: 200)
            _ = try await expect(.get, "/v1/policies/test-tools", as: "/v1/policies/{name}", status: 200)
            _ = try await expect(.get, "/v1/policies/nope", as: "/v1/policies/{name}", status: 404)
            let created = try await expect(.post, "/v1/tasks", as: "/v1/tasks", status: 201, body: .object(["policy": .string("test-tools")]))
            _ = try await expect(.post, "/v1/tasks", as: "/v1/tasks", status: 422, body: .object(["policy": .string("nope")]))
            _ = try await expect(.post, "/v1/tasks", as: "/v1/tasks", status: 400, body: .object(["policy": .integer(1)]))
            _ = try await expect(.post, "/v1/tasks", as: "/v1/tasks", status: 403, body: .object(["policy": .string("test-tools")]), peer: Peer.agent)
            _ = try await expect(.get, "/v1/tasks", as: "/v1/tasks", status: 200)
            let id = try #require(created["task"]?["id"]?.stringValue)
            let token = try #require(created["token"]?.stringValue)
            _ = try await expect(.get, "/v1/tasks/\(id)", as: "/v1/tasks/{id}", status: 200)
            _ = try await expect(.get, "/v1/tasks/00000000-0000-0000-0000-000000000000", as: "/v1/tasks/{id}", status: 404)
            let call = ["tool": JSONValue.string("echo"), "arguments": .object(["text": .string("hi")])]
            _ = try await expect(.post, "/v1/calls", as: "/v1/calls", status: 200, token: token, body: .object(call), peer: Peer.agent)
            _ = try await expect(.post, "/v1/calls", as: "/v1/calls", status: 401, body: .object(call), peer: Peer.agent)
            _ = try await expect(.post, "/v1/calls", as: "/v1/calls", status: 403, token: "alk1.garbage", body: .object(call), peer: Peer.agent)
            _ = try await expect(
                .post, "/v1/calls", as: "/v1/calls", status: 403, token: token,
                body: .object(["tool": .string("echo"), "arguments": .object(["text": .integer(3)])]), peer: Peer.agent)
            _ = try await expect(.post, "/v1/calls", as: "/v1/calls", status: 400, token: token, body: .object(["tool": .integer(1)]), peer: Peer.agent)
            _ = try await expect(.post, "/v1/tasks/\(id)/suspend", as: "/v1/tasks/{id}/suspend", status: 200)
            _ = try await expect(.post, "/v1/calls", as: "/v1/calls", status: 403, token: token, body: .object(call), peer: Peer.agent)
            _ = try await expect(.post, "/v1/tasks/\(id)/resume", as: "/v1/tasks/{id}/resume", status: 200)
            _ = try await expect(.delete, "/v1/tasks/\(id)", as: "/v1/tasks/{id}", status: 200)
            _ = try await expect(.post, "/v1/tasks/\(id)/resume", as: "/v1/tasks/{id}/resume", status: 409)
            _ = try await expect(.post, "/v1/calls", as: "/v1/calls", status: 403, token: token, body: .object(call), peer: Peer.agent)
            let other = try await client.createTask()
            _ = try await expect(
                .post, "/v1/tokens/revoke", as: "/v1/tokens/revoke", status: 200, body: .object(["token": .string(other.token)]))
            _ = try await expect(.post, "/v1/tokens/revoke", as: "/v1/tokens/revoke", status: 400, body: .object(["tokenId": .integer(1)]))
            _ = try await expect(.get, "/v1/audit/key", as: "/v1/audit/key", status: 200, peer: Peer.auditor)
            _ = try await expect(.get, "/v1/audit/key", as: "/v1/audit/key", status: 403, peer: Peer.agent)
            _ = try await expect(.get, "/v1/audit/records?limit=0", as: "/v1/audit/records", status: 400, peer: Peer.auditor)
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }
    }

    @Test func everyDenialCodeIsDocumented() throws {
        let document = try openAPIDocument()
        let denial = try #require(document["components"]?["schemas"]?["Denial"]?["allOf"]?.arrayValue?.last)
        let documented = Set((denial["properties"]?["code"]?["enum"]?.arrayValue ?? []).compactMap(\.stringValue))
        for code in CallDenial.Code.allCases {
            #expect(documented.contains(code.rawValue), "denial code \(code.rawValue) is not in the OpenAPI document")
        }
    }
}
}
