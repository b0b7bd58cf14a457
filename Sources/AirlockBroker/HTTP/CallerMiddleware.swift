import Hummingbird

/// Maps the connection's peer credentials to a role and refuses peers the configuration does not
/// name. Runs before every route, including unknown ones, so an unknown peer learns nothing.
struct CallerMiddleware<Context: BrokerRequestContextProtocol>: RouterMiddleware {
    let roles: RoleMap

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let peer = await context.peerCredentials(for: request) else {
            context.abandonRequestBody()
            throw Problem(.forbidden, code: "peer_unknown", detail: "the broker could not read the peer credentials of this connection; connect over its Unix socket")
        }
        guard let role = roles.role(for: peer) else {
            context.abandonRequestBody()
            throw Problem(
                .forbidden, code: "role_unknown",
                detail: "uid \(peer.uid) (gid \(peer.gid)) has no role on this broker; its admin can grant one in the configuration's `roles`")
        }
        var context = context
        context.caller = Caller(peer: peer, role: role)
        context.logger[metadataKey: "caller"] = ["uid": "\(peer.uid)", "role": "\(role)"]
        return try await next(request, context)
    }
}

extension BrokerRequestContextProtocol {
    /// The caller, if their role is one of `roles`; otherwise a 403 that names what is needed.
    func require(_ roles: Role...) throws(Problem) -> Caller {
        guard let caller else {
            throw Problem(.forbidden, code: "role_unknown", detail: "the caller's role is not known")
        }
        guard roles.contains(caller.role) else {
            let needed = roles.map(\.rawValue).joined(separator: " or ")
            throw Problem(.forbidden, code: "role_forbidden", detail: "this needs the \(needed) role; uid \(caller.peer.uid) is \(caller.role)")
        }
        return caller
    }
}
