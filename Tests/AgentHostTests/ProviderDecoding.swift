@testable import AgentHost
import AgentWire

/// Runs recorded wire text through the shared SSE parser and a provider's
/// decoder, exactly as `ProviderHTTP` does with a response body.
func decodeStream<Decoder: ProviderStreamDecoder>(_ text: String, with decoder: Decoder) throws -> [ModelEvent] {
    var decoder = decoder
    var parser = ServerSentEventParser()
    var events: [ModelEvent] = []
    for event in try parser.feed(Array(text.utf8)) {
        events += try decoder.decode(event)
    }
    return events + (try decoder.finish())
}

/// The events up to the point a decoder threw, and the error.
func decodeUntilFailure<Decoder: ProviderStreamDecoder>(_ text: String, with decoder: Decoder) -> ([ModelEvent], ModelProviderError?) {
    var decoder = decoder
    var parser = ServerSentEventParser()
    var events: [ModelEvent] = []
    do {
        for event in try parser.feed(Array(text.utf8)) {
            events += try decoder.decode(event)
        }
        events += try decoder.finish()
        return (events, nil)
    } catch {
        return (events, error as? ModelProviderError)
    }
}
