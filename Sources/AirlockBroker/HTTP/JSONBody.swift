import AirlockCore
import Hummingbird
import NIOCore

/// Reads a request body as one JSON object, within the cap.
struct JSONBody {
    let fields: [String: JSONValue]
    private var read: Set<String> = []

    static func read(_ request: Request, context: some BrokerRequestContextProtocol, maxBytes: Int) async throws(Problem) -> JSONBody {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw Problem(.unsupportedMediaType, code: "unsupported_media_type", detail: "send the body as application/json, not \(type)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            context.abandonRequestBody()
            throw Problem.bodyTooLarge.with(detail: "the request body is larger than the \(maxBytes) bytes this broker accepts")
        } catch {
            throw Problem.badRequest("body_unreadable", "the request body could not be read")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw Problem.badRequest("malformed_json", "the body is not valid JSON: \(error.description)")
        }
        guard case .object(let fields) = value else {
            throw Problem.badRequest("invalid_request", "the body must be a JSON object, not \(value.typeName == "null" ? "null" : "a \(value.typeName)")")
        }
        return JSONBody(fields: fields)
    }

    init(fields: [String: JSONValue]) {
        self.fields = fields
    }

    mutating func value(_ name: String) -> JSONValue? {
        read.insert(name)
        guard let value = fields[name], value != .null else { return nil }
        return value
    }

    mutating func string(_ name: String) throws(Problem) -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let s) = value else { throw Problem.badRequest("invalid_request", "`\(name)` must be a string, not a \(value.typeName)") }
        return s
    }

    mutating func requiredString(_ name: String) throws(Problem) -> String {
        guard let s = try string(name) else { throw Problem.badRequest("invalid_request", "`\(name)` is required") }
        return s
    }

    mutating func bool(_ name: String) throws(Problem) -> Bool? {
        guard let value = value(name) else { return nil }
        guard case .bool(let b) = value else { throw Problem.badRequest("invalid_request", "`\(name)` must be true or false") }
        return b
    }

    mutating func positiveInteger(_ name: String) throws(Problem) -> UInt64? {
        guard let value = value(name) else { return nil }
        guard case .integer(let i) = value, i > 0 else { throw Problem.badRequest("invalid_request", "`\(name)` must be a whole number above zero") }
        return UInt64(i)
    }

    /// Refuses fields nobody read: a misspelt option must not be silently ignored.
    func finish() throws(Problem) {
        if let unknown = fields.keys.sorted().first(where: { !read.contains($0) }) {
            let known = read.sorted().map { "`\($0)`" }.joined(separator: ", ")
            throw Problem.badRequest("invalid_request", "unknown field `\(unknown)`; this request takes \(known)")
        }
    }
}
