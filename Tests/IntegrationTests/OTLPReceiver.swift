import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for an OpenTelemetry collector: takes OTLP/HTTP JSON exports
/// (`POST /v1/traces`, `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) and keeps their spans.
final class OTLPReceiver: Sendable {
    /// One exported span, ids in lower-case hex.
    struct Span: Sendable {
        let name: String
        let traceId: String
        let spanId: String
        let parentSpanId: String
        let attributes: [String: String]
    }

    private let spanList = Mutex<[Span]>([])
    private let port = Mutex(0)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    var endpoint: String { "http://127.0.0.1:\(port.withLock { $0 })" }
    var spans: [Span] { spanList.withLock { $0 } }

    static func start() async throws -> OTLPReceiver {
        let receiver = OTLPReceiver()
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 16 << 20)
            receiver.receive(Data(buffer: body))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        let (port, task) = await router.serveOnLoopback(label: "otlp-receiver")
        receiver.task.withLock { $0 = task }
        receiver.port.withLock { $0 = port }
        return receiver
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    deinit { stop() }

    /// `resourceSpans[].scopeSpans[].spans[]` of an `ExportTraceServiceRequest` in its JSON form.
    private func receive(_ body: Data) {
        guard let export = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return }
        var received: [Span] = []
        for resource in export["resourceSpans"] as? [[String: Any]] ?? [] {
            for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    var attributes: [String: String] = [:]
                    for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                        guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any] else { continue }
                        attributes[key] = value.values.first.map { "\($0)" }
                    }
                    received.append(Span(
                        name: span["name"] as? String ?? "", traceId: Self.hex(span["traceId"]), spanId: Self.hex(span["spanId"]),
                        parentSpanId: Self.hex(span["parentSpanId"]), attributes: attributes
                    ))
                }
            }
        }
        spanList.withLock { $0 += received }
    }

    /// OTLP's JSON form writes ids in hex; protobuf's generic JSON mapping writes bytes in base64: either reads as hex.
    private static func hex(_ value: Any?) -> String {
        guard let text = value as? String, !text.isEmpty else { return "" }
        // Hex ids are 16 or 32 characters; base64 ones 12 or 24.
        if [16, 32].contains(text.count), text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
