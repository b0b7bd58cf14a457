import AirlockCore
import Hummingbird
import NIOCore

/// The request body cap. A request that declares a larger `Content-Length` is refused before a
/// byte of its body is read, and a body without a `Content-Length` is refused too, so no request
/// body is ever read past the cap. Either way the connection is closed rather than drained.
struct BodyLimit<Context: BrokerRequestContextProtocol>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > maxBytes {
            context.abandonRequestBody()
            throw Problem.bodyTooLarge.with(detail: "the request body of \(length) bytes is larger than the \(maxBytes) bytes this broker accepts")
        }
        // A body without a declared length could only be bounded by reading it; every client of
        // this API knows its body's length, so such a request is refused unread.
        if request.headers[.contentLength] == nil, request.headers[.transferEncoding] != nil {
            context.abandonRequestBody()
            throw Problem(.lengthRequired, code: "length_required", detail: "send the request body with a Content-Length header")
        }
        return try await next(request, context)
    }
}

extension Problem {
    static var bodyTooLarge: Problem {
        Problem(.contentTooLarge, code: "body_too_large", detail: "the request body is larger than this broker accepts")
    }

    func with(detail: String) -> Problem {
        var copy = self
        copy.detail = detail
        return copy
    }
}
