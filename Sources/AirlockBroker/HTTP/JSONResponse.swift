import AirlockCore
import Hummingbird

/// JSON answers, serialized by AirlockCore's deterministic writer.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONSerializer.serialize(value))))
    }
}
