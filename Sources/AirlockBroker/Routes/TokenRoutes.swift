import AirlockCore
import Hummingbird

/// `POST /v1/tokens/revoke` (admin): `{tokenId}` or `{token}`. Revoking an id revokes every token
/// derived from it; the list is saved at once and survives a restart.
struct TokenRoutes<Context: BrokerRequestContextProtocol> {
    let broker: Broker

    func register(on group: RouterGroup<Context>) {
        group.post("tokens/revoke") { request, context in
            let caller = try context.require(.admin)
            var body = try await JSONBody.read(request, context: context, maxBytes: broker.limits.maxBodyBytes)
            let id = try Self.tokenId(body.string("tokenId"), text: body.string("token"))
            try body.finish()
            try await broker.registry.revoke(id, by: caller.logCaller)
            try await broker.syncLog()
            broker.logger.info("token revoked", metadata: ["token.id": "\(id)"])
            return JSONResponse.make(.object(["revoked": .string(id.text)]))
        }
    }

    static func tokenId(_ idText: String?, text: String?) throws(Problem) -> TokenID {
        switch (idText, text) {
        case (let idText?, nil):
            guard let id = TokenID(text: idText) else {
                throw Problem.badRequest("invalid_request", "`tokenId` must be a token id: 22 characters of base64url")
            }
            return id
        case (nil, let text?):
            do { return try CapabilityToken(text: text).effectiveId } catch {
                throw Problem.badRequest("invalid_request", "`token` is not a token: \(error.code)")
            }
        default:
            throw Problem.badRequest("invalid_request", "send exactly one of `tokenId` and `token`")
        }
    }
}
