@testable import AgentHost
import Testing

/// Which read deadline a connection is under (`RequestDeadlines`): a request
/// being read has one, a response being written (an SSE stream) has none.
@Suite struct RequestDeadlinesTests {
    @Test func aRequestGoesFromKeepAliveToHeaderToBodyAndAResponseHasNone() {
        var deadlines = RequestDeadlines()
        #expect(deadlines.current == .keepAlive)
        deadlines.bytesArrived()
        #expect(deadlines.current == .header)
        deadlines.bytesArrived()
        #expect(deadlines.current == .header)
        deadlines.headReceived()
        #expect(deadlines.current == .body)
        deadlines.endReceived()
        #expect(deadlines.current == nil)
        deadlines.responseEnded()
        #expect(deadlines.current == .keepAlive)
    }

    @Test func aResponseThatEndsBeforeItsBodyLeavesTheBodyDeadline() {
        var deadlines = RequestDeadlines()
        deadlines.bytesArrived()
        deadlines.headReceived()
        deadlines.responseEnded()
        #expect(deadlines.current == .body)
        deadlines.endReceived()
        #expect(deadlines.current == .keepAlive)
    }
}
