import AirlockCore
import Hummingbird

/// `/v1/tasks`: create (admin), list and show (admin, auditor), suspend, resume and end (admin).
struct TaskRoutes<Context: BrokerRequestContextProtocol> {
    let broker: Broker

    func register(on group: RouterGroup<Context>) {
        let registry = broker.registry
        group.post("tasks") { request, context in
            let caller = try context.require(.admin)
            return try await create(request, context: context, caller: caller)
        }
        group.get("tasks") { _, context in
            _ = try context.require(.admin, .auditor)
            return JSONResponse.make(.object(["tasks": .array(await registry.list(now: Broker.now()))]))
        }
        group.get("tasks/{id}") { _, context in
            _ = try context.require(.admin, .auditor)
            return JSONResponse.make(try await registry.show(Self.id(context), now: Broker.now()))
        }
        group.post("tasks/{id}/suspend") { _, context in
            let caller = try context.require(.admin)
            let task = try await registry.suspend(Self.id(context), now: Broker.now(), by: caller.logCaller)
            try await broker.syncLog()
            return JSONResponse.make(task)
        }
        group.post("tasks/{id}/resume") { _, context in
            let caller = try context.require(.admin)
            let task = try await registry.resume(Self.id(context), now: Broker.now(), by: caller.logCaller)
            try await broker.syncLog()
            return JSONResponse.make(task)
        }
        group.delete("tasks/{id}") { _, context in
            let caller = try context.require(.admin)
            let id = Self.id(context)
            try await broker.endTask(id, by: caller.logCaller)
            return JSONResponse.make(try await registry.show(id, now: Broker.now()))
        }
    }

    private static func id(_ context: Context) -> String { context.parameters.get("id") ?? "" }

    /// `{policy, ttl?, maxCalls?, workspace?, secrets?, canary?}` → `201 {task, token, canaries}`.
    private func create(_ request: Request, context: Context, caller: Caller) async throws -> Response {
        var body = try await JSONBody.read(request, context: context, maxBytes: broker.limits.maxBodyBytes)
        let policy = try body.requiredString("policy")
        var options = TaskOptions(ttl: try readTTL(&body))
        options.maxCalls = try body.positiveInteger("maxCalls")
        options.workspace = try body.bool("workspace")
        options.secrets = try Self.readSecrets(body.value("secrets"))
        options.canary = try body.bool("canary") ?? false
        try body.finish()
        let now = Broker.now()
        let created = try await broker.registry.create(policyName: policy, options: options, now: now, by: caller.logCaller)
        try await broker.syncLog()
        broker.logger.info("task created", metadata: ["task.id": "\(created.record.id)", "policy": "\(policy)"])
        return JSONResponse.make(
            .object([
                "task": created.record.json(now: now), "token": .string(created.token),
                "canaries": .array(created.record.canaries.map(JSONValue.string)),
            ]), status: .created)
    }

    /// At most 64 strings of 4 to 4096 bytes: shorter ones would shred ordinary text.
    private static func readSecrets(_ value: JSONValue?) throws(Problem) -> [String] {
        guard let value else { return [] }
        guard let items = value.arrayValue, items.count <= 64 else {
            throw Problem.badRequest("invalid_request", "`secrets` must be an array of at most 64 strings")
        }
        var secrets: [String] = []
        for item in items {
            guard let text = item.stringValue, (OutputSecrets.minimumLength...4096).contains(text.utf8.count) else {
                throw Problem.badRequest(
                    "invalid_request", "each of `secrets` must be a string of \(OutputSecrets.minimumLength) to 4096 bytes")
            }
            secrets.append(text)
        }
        return secrets
    }

    /// A duration with a unit (`"15m"`, `"2h"`) or whole seconds; at most the configured maximum.
    private func readTTL(_ body: inout JSONBody) throws(Problem) -> Milliseconds {
        let limits = broker.limits
        guard let value = body.value("ttl") else { return limits.defaultTaskTTL }
        let ttl: Milliseconds
        switch value {
        case .integer(let seconds) where seconds > 0: ttl = .seconds(UInt64(seconds))
        case .string(let text):
            guard let parsed = try? Milliseconds(parsing: text), parsed.value > 0 else {
                throw Problem.badRequest("invalid_request", "`ttl` must be a duration such as \"15m\" or \"2h\", not \"\(text)\"")
            }
            ttl = parsed
        default:
            throw Problem.badRequest("invalid_request", "`ttl` must be a duration such as \"15m\" or a number of seconds")
        }
        guard ttl <= limits.maxTaskTTL else {
            throw Problem.badRequest("invalid_request", "`ttl` of \(ttl) is longer than this broker allows (\(limits.maxTaskTTL))")
        }
        return ttl
    }
}
