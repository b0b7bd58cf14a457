import AirlockCore
import Foundation
import Hummingbird

/// `POST /v1/calls`: one tool call with the task's bearer token. Agents and admins.
///
/// An allowed call answers 200 with the result envelope whatever the tool did (its exit code and
/// termination are in the envelope); a refused one answers 403 with the denial's code and a
/// sentence the model can act on.
struct CallRoutes<Context: BrokerRequestContextProtocol> {
    let broker: Broker

    func register(on group: RouterGroup<Context>) {
        group.post("calls") { request, context in
            let caller = try context.require(.agent, .admin)
            let token = try Self.bearerToken(request)
            var body = try await JSONBody.read(request, context: context, maxBytes: broker.limits.maxBodyBytes)
            let call = ToolCall(
                tool: try body.requiredString("tool"), arguments: body.value("arguments") ?? .object([:]),
                callId: try Self.callId(body.string("callId")))
            try body.finish()
            return JSONResponse.make(try await broker.call(token: token, request: call, caller: caller.logCaller))
        }
    }

    static func bearerToken(_ request: Request) throws(Problem) -> String {
        guard let header = request.headers[.authorization] else {
            throw Problem(
                .unauthorized, code: "token_missing", detail: "send the task's token as `Authorization: Bearer alk1…`",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem(
                .unauthorized, code: "token_missing", detail: "the Authorization header must read `Bearer alk1…`",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        return String(parts[1].trimmingSpacesAndTabs)
    }

    /// A caller's id (1 to 128 of `A-Z a-z 0-9 . _ : -`) or a fresh UUID.
    static func callId(_ given: String?) throws(Problem) -> String {
        guard let given else { return UUID.random().uuidString.lowercased() }
        let allowed = given.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x3A || c == 0x2D
        }
        guard allowed, (1...128).contains(given.utf8.count) else {
            throw Problem.badRequest("invalid_request", "`callId` must be 1 to 128 characters of A-Z a-z 0-9 . _ : -")
        }
        return given
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (the whitespace a header value may carry).
    fileprivate var trimmingSpacesAndTabs: Substring {
        var value = self
        while let first = value.first, first == " " || first == "\t" { value = value.dropFirst() }
        while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
        return value
    }
}
