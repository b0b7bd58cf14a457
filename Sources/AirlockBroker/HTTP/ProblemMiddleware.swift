import AirlockCore
import Hummingbird
import Logging
import NIOCore

/// The outermost middleware: turns every error into a problem+json response. Errors the broker
/// did not anticipate become a bare 500 whose detail says nothing about the cause; the cause goes
/// to the log.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.problem(for: error, request: request, logger: context.logger).response()
        }
    }

    static func problem(for error: any Error, request: Request, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let denial as CallDenial:
            return .denied(denial, callId: nil)
        case is NIOTooManyBytesError:
            return .bodyTooLarge
        case let http as HTTPError:
            return problem(forStatus: http.status, request: request)
        default:
            logger.error("unexpected error", metadata: ["error": "\(error)", "http.path": "\(request.uri.path)"])
            return Problem(.internalServerError, code: "internal_error", detail: "the broker failed to answer this request; the cause is in its log")
        }
    }

    private static func problem(forStatus status: HTTPResponse.Status, request: Request) -> Problem {
        switch status {
        case .notFound:
            return Problem(.notFound, code: "no_route", detail: "there is no \(request.method) \(request.uri.path); see docs/api/openapi.yaml")
        default:
            return Problem(status, code: "http_\(status.code)", detail: status.reasonPhrase)
        }
    }
}
