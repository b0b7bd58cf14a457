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
                let uri = template.replacingOccurrences(of: "{id}", with: task.id).replacingOccurrences(of: "{name}", with: "test-tools")
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
