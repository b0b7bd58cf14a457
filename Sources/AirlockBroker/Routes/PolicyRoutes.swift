import AirlockCore
import Hummingbird

/// `GET /v1/policies`, `GET /v1/policies/{name}`: what tasks may be created from, with the
/// exact text and the digest tokens bind to. Admins and auditors.
struct PolicyRoutes<Context: BrokerRequestContextProtocol> {
    let broker: Broker

    func register(on group: RouterGroup<Context>) {
        group.get("policies") { _, context in
            _ = try context.require(.admin, .auditor)
            let items = broker.policies.keys.sorted().compactMap { broker.policies[$0].map(Self.summary) }
            return JSONResponse.make(.object(["policies": .array(items)]))
        }
        group.get("policies/{name}") { _, context in
            _ = try context.require(.admin, .auditor)
            let name = context.parameters.get("name") ?? ""
            guard let policy = broker.policies[name] else { throw Problem.notFound("there is no policy \(name)") }
            guard case .object(var object) = Self.summary(policy) else { preconditionFailure() }
            object["text"] = .string(policy.text)
            return JSONResponse.make(.object(object))
        }
    }

    static func summary(_ policy: Policy) -> JSONValue {
        .object([
            "name": .string(policy.name),
            "description": .string(policy.description),
            "digest": .string(policy.digest),
            "tools": .array(policy.toolNames.compactMap { name in
                policy.tools[name].map { .object(["name": .string($0.name), "description": .string($0.description)]) }
            }),
        ])
    }
}
