import AirlockCore
import Hummingbird

/// An RFC 9457 problem: what every error from the API looks like.
///
/// `code` is stable (clients and models match on it); `type` is derived from it
/// (`urn:airlock:problem:<code>`); `detail` is a sentence the caller can act on and never carries
/// host paths, secrets or internal errors. Extra members (`callId`, `violations`, …) go in
/// `extensions`.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var detail: String
    public var extensions: [String: JSONValue]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, detail: String, extensions: [String: JSONValue] = [:], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.extensions = extensions
        self.headers = headers
    }

    public static let mediaType = "application/problem+json"

    public var type: String { "urn:airlock:problem:\(code)" }
    public var title: String { status.reasonPhrase }

    public var body: JSONValue {
        var members = extensions
        members["type"] = .string(type)
        members["title"] = .string(title)
        members["status"] = .integer(Int64(status.code))
        members["detail"] = .string(detail)
        members["code"] = .string(code)
        return .object(members)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    public func response() -> Response {
        var fields = headers
        fields[.contentType] = Self.mediaType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: JSONSerializer.serialize(body))))
    }
}

extension Problem {
    /// A refused tool call: HTTP 403 with the denial's code and its sentence for the model.
    public static func denied(_ denial: CallDenial, callId: String?) -> Problem {
        var extensions: [String: JSONValue] = ["decision": .string("deny")]
        if let callId { extensions["callId"] = .string(callId) }
        if !denial.violations.isEmpty {
            extensions["violations"] = .array(denial.violations.map { .string($0.message) })
        }
        return Problem(.forbidden, code: denial.code.rawValue, detail: denial.message, extensions: extensions)
    }

    public static func badRequest(_ code: String, _ detail: String) -> Problem {
        Problem(.badRequest, code: code, detail: detail)
    }

    public static func tooBusy(_ code: String, _ detail: String, retryAfterSeconds: Int = 1) -> Problem {
        Problem(.tooManyRequests, code: code, detail: detail, headers: [.retryAfter: String(retryAfterSeconds)])
    }

    /// The execution log refused a record: nothing was changed and no tool ran.
    public static func logUnavailable(_ error: some Error) -> Problem {
        Problem(
            .serviceUnavailable, code: "log_unavailable",
            detail: "the execution log cannot be written (\(error)); nothing was done, and no call runs until it can")
    }

    public static func notFound(_ what: String) -> Problem {
        Problem(.notFound, code: "not_found", detail: what)
    }
}
