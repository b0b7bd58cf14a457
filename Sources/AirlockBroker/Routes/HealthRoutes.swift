import AirlockCore
import Hummingbird

/// `GET /v1/health`: whether the broker takes calls, and how busy its slots are. Any known role.
struct HealthRoutes<Context: BrokerRequestContextProtocol> {
    let broker: Broker

    func register(on group: RouterGroup<Context>) {
        group.get("health") { _, context in
            let caller = try context.require(.admin, .agent, .auditor)
            let runner = broker.runner
            return JSONResponse.make(.object([
                "status": .string(broker.isDraining ? "shutting_down" : "ok"),
                "role": .string(caller.role.rawValue),
                "slots": .object([
                    "total": .integer(Int64(runner.pool.configuration.count)),
                    "busy": .integer(Int64(runner.runningCount)),
                    "queued": .integer(Int64(runner.admission.waiting)),
                ]),
                "policies": .integer(Int64(broker.policies.count)),
            ]))
        }
    }
}
