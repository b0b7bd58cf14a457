import AirlockBroker
import AirlockCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A broker in a fresh state directory, with the repository's example policies and a small
/// policy of test tools.
struct TestBroker {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    let directory: String
    var configuration: BrokerConfiguration

    init(slots: Int = 2, queue: Int = 4, perTask: Int = 2, roles: RoleMap = Peer.roles) throws {
        var template = Array("/tmp/airlock-broker-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        directory = String(cString: made)
        let policies = directory + "/policies"
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: Self.repository + "/Policies/code-reading.yaml", toPath: policies + "/code-reading.yaml")
        try Self.testPolicy.write(toFile: policies + "/test-tools.yaml", atomically: true, encoding: .utf8)
        var limits = BrokerLimits()
        limits.slots = slots
        limits.queueLength = queue
        limits.perTaskConcurrency = perTask
        limits.gracePeriod = Milliseconds(300)
        // Each test broker gets its own slot uids and cgroup names, so tests can run side by side.
        let unique = UInt32.random(in: 0..<100_000)
        configuration = BrokerConfiguration(
            stateDirectory: directory + "/state", policiesDirectory: policies, sandboxDirectory: Self.repository + "/Sandbox",
            roles: roles, limits: limits, slotUIDBase: 2_000_100_000 + unique * 16, cgroupName: "airlock-test-\(getpid())-\(unique)")
    }

    func application() throws -> BrokerApplication<TestContext> {
        var logger = Logger(label: "airlock.test")
        logger.logLevel = .warning
        return try buildApplication(configuration, context: TestContext.self, logger: logger)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static let testPolicy = """
        name: test-tools
        description: Small tools for the broker's tests.
        defaults:
          limits:
            wallTime: 30s
            processes: 8
          workspace: read-write
        tools:
          echo:
            description: Print a short text.
            executable: /usr/bin/echo
            argv: [echo, "{text}"]
            arguments:
              type: object
              properties:
                text: {type: string, maxLength: 200}
              required: [text]
              additionalProperties: false
          sleep:
            description: Wait a number of seconds.
            executable: /usr/bin/sleep
            argv: [sleep, "{seconds}"]
            arguments:
              type: object
              properties:
                seconds: {type: string, pattern: "^[0-9]+(\\\\.[0-9]+)?$"}
              required: [seconds]
              additionalProperties: false
          write:
            description: Write a file in the workspace.
            executable: /usr/bin/touch
            argv: [touch, "{path}"]
            arguments:
              type: object
              properties:
                path: {type: string, maxLength: 200}
              required: [path]
              additionalProperties: false
            paths: [path]
          print:
            description: Print a text, with printf's backslash escapes.
            executable: /usr/bin/printf
            argv: [printf, "{format}"]
            arguments:
              type: object
              properties:
                format: {type: string, maxLength: 600, pattern: "^[^%]*$"}
              required: [format]
              additionalProperties: false
          count:
            description: Print the numbers from 1 to n.
            executable: /usr/bin/seq
            argv: [seq, "{n}"]
            arguments:
              type: object
              properties:
                n: {type: string, pattern: "^[0-9]{1,8}$"}
              required: [n]
              additionalProperties: false
            limits: {outputBytes: 16MiB}
            output: {maxBytes: 64KiB, truncate: head+tail}
          read:
            description: Print a file of the workspace.
            executable: /usr/bin/cat
            argv: [cat, "{path}"]
            arguments:
              type: object
              properties:
                path: {type: string, maxLength: 200}
              required: [path]
              additionalProperties: false
            paths: [path]

        """
}

/// Request helpers for the router harness.
extension TestClientProtocol {
    @discardableResult
    func json(
        _ method: HTTPRequest.Method, _ uri: String, as peer: String? = Peer.admin, token: String? = nil, body: JSONValue? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: JSONValue) {
        var headers = extra
        if let peer { headers[TestContext.peerHeader] = peer }
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: JSONSerializer.serialize(body))
        }
        return try await execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            let bytes = Array(response.body.readableBytesView)
            let value = bytes.isEmpty ? JSONValue.null : try JSONParser.parse(bytes)
            return (response.status, response.headers, value)
        }
    }

    /// Creates a task and returns its id and token.
    func createTask(policy: String = "test-tools", extra: [String: JSONValue] = [:]) async throws -> (id: String, token: String, workspace: String?) {
        var body = extra
        body["policy"] = .string(policy)
        let reply = try await json(.post, "/v1/tasks", body: .object(body))
        try #require(reply.status == .created, "task creation answered \(reply.status): \(reply.body)")
        let task = try #require(reply.body["task"])
        return (try #require(task["id"]?.stringValue), try #require(reply.body["token"]?.stringValue), task["workspace"]?.stringValue)
    }

    func call(_ token: String?, tool: String, _ arguments: JSONValue = .object([:]), as peer: String = Peer.agent) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: JSONValue) {
        try await json(.post, "/v1/calls", as: peer, token: token, body: .object(["tool": .string(tool), "arguments": arguments]))
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// What the `model` sink delivers for `text` (see docs/output.md): the text in a frame that
/// names the tool and the stream.
func framed(_ text: String, tool: String, stream: String = "stdout") -> JSONValue {
    .string("<tool_output tool=\"\(tool)\" stream=\"\(stream)\">\n\(text)\n</tool_output>")
}

/// The problem+json shape every error must have.
func expectProblem(
    _ reply: (status: HTTPResponse.Status, headers: HTTPFields, body: JSONValue), _ status: HTTPResponse.Status, code: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    #expect(reply.status == status, "answered \(reply.status): \(reply.body)", sourceLocation: sourceLocation)
    #expect(reply.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    #expect(reply.body["code"] == .string(code), "body: \(reply.body)", sourceLocation: sourceLocation)
    #expect(reply.body["status"] == .integer(Int64(status.code)), sourceLocation: sourceLocation)
    #expect(reply.body["type"] == .string("urn:airlock:problem:\(code)"), sourceLocation: sourceLocation)
    #expect(reply.body["title"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(reply.body["detail"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
}

/// Runs `body` against a fresh broker through the router harness, then shuts the broker down
/// (slots removed) and deletes its directory.
func withRouterBroker(
    slots: Int = 2, queue: Int = 4, perTask: Int = 2, configure: (inout BrokerConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (any TestClientProtocol, TestBroker) async throws -> Void
) async throws {
    var broker = try TestBroker(slots: slots, queue: queue, perTask: perTask)
    configure(&broker.configuration)
    defer { broker.remove() }
    let app = try broker.application()
    let fixture = broker
    try await app.test(.router) { client in try await body(client, fixture) }
}
