import AgentWire
import Foundation
import Hummingbird
import NIOCore

enum HTTPLimits {
    /// Largest request body any route accepts.
    static let maximumBody = 1 << 20
}

extension Request {
    /// Decodes the JSON body (at most 1 MiB); malformed JSON is a 400, never a crash.
    /// A `Content-Length` past the limit is refused before any of the body is read.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        if let length = headers[.contentLength].flatMap(Int.init), length > HTTPLimits.maximumBody {
            throw AgentHostError.payloadTooLarge(limit: HTTPLimits.maximumBody)
        }
        let buffer = try await collectBody(upTo: HTTPLimits.maximumBody)
        guard buffer.readableBytes > 0 else { throw AgentHostError.invalidJSON("request body is empty; JSON expected") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw error
        } catch {
            throw AgentHostError.invalidJSON("request body is not JSON")
        }
    }
}

extension Response {
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try WireCoding.encode(value)))
        )
    }
}

extension Parameters {
    func chatId() throws -> String {
        guard let value = get("chatId"), !value.isEmpty else { throw AgentHostError.badRequest("missing chat id in path") }
        return value.removingPercentEncoding ?? value
    }
}
