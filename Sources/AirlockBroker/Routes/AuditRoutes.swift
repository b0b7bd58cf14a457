import AirlockAudit
import AirlockCore
import Dispatch
import Hummingbird

/// `/v1/audit`: the execution log for auditors and admins, never for agents.
///
/// - `GET /v1/audit/records?after=SEQ&limit=N`: up to N durable records with `seq > after`, as
///   JSON Lines (`application/jsonl`), each line exactly as written, so a client can check the
///   hash chain itself. `Airlock-Last-Seq` names the last one sent; ask again with it as `after`.
/// - `GET /v1/audit/key`: the Ed25519 public key that signs the log's checkpoints.
struct AuditRoutes<Context: BrokerRequestContextProtocol> {
    let broker: Broker
    static var defaultLimit: Int { 1000 }
    static var maxLimit: Int { 10_000 }

    func register(on group: RouterGroup<Context>) {
        let log = broker.log
        group.get("audit/records") { request, context in
            _ = try context.require(.admin, .auditor)
            let after = try Self.number(request.uri.queryParameters.get("after"), name: "after", default: 0)
            let limit = try Self.number(request.uri.queryParameters.get("limit"), name: "limit", default: UInt64(Self.defaultLimit))
            guard (1...UInt64(Self.maxLimit)).contains(limit) else {
                throw Problem.badRequest("invalid_request", "`limit` must be 1 to \(Self.maxLimit)")
            }
            let records = try await Self.read(log, after: after, limit: Int(limit))
            var body: [UInt8] = []
            for record in records {
                body += Array(record.line.utf8)
                body.append(0x0A)
            }
            var headers: HTTPFields = [.contentType: "application/jsonl"]
            headers[.init("Airlock-Last-Seq")!] = String(records.last?.seq ?? after)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        group.get("audit/key") { _, context in
            _ = try context.require(.admin, .auditor)
            let key = log.signingKey
            return JSONResponse.make(.object([
                "algorithm": .string("Ed25519"),
                "keyId": .string(key.keyId),
                "publicKey": .string(LogDigest.hex(key.publicKey)),
            ]))
        }
    }

    private static func number(_ text: String?, name: String, default value: UInt64) throws(Problem) -> UInt64 {
        guard let text else { return value }
        guard let number = UInt64(text) else { throw Problem.badRequest("invalid_request", "`\(name)` must be a whole number") }
        return number
    }

    /// Reading the files is blocking I/O: done on a Dispatch thread, not on the cooperative pool.
    private static func read(_ log: ExecutionLog, after: UInt64, limit: Int) async throws(Problem) -> [LogRecordText] {
        let result: Result<[LogRecordText], LogError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(LogError) in try log.records(after: after, limit: limit) })
            }
        }
        do { return try result.get() } catch {
            throw Problem(.internalServerError, code: "log_unreadable", detail: "the execution log could not be read: \(error)")
        }
    }
}
