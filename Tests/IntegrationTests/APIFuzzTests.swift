import Foundation
import TestSupport
import Testing

/// Schemathesis (a property-based API fuzzer from PyPI, installed by `.ci/run`)
/// against the real daemon and its `/openapi.json`: every operation gets
/// generated requests, schema-valid and schema-violating; a 5xx, an undocumented
/// status code or content type, a response that breaks its schema, or a valid
/// request refused fails the run. (`negative_data_rejection` — "the daemon took
/// a request the document calls invalid" — is left out: the document describes
/// a strict subset of what some routes take, e.g. `Idempotency-Key` spellings.)
@Suite struct APIFuzzTests {
    @Test func schemathesisFindsNoFailureAgainstTheOpenAPIDocument() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "0"]) { daemon, _ in
            let (status, transcript) = try Command.run([
                "schemathesis", "run", "\(daemon.baseURL)/openapi.json",
                "--header", "Authorization: Bearer \(daemon.secretKey)",
                "--max-examples", "25", "--request-timeout", "10",
                // The SSE routes stream until the client leaves.
                "--exclude-path-regex", "/out$|/stream$|/session-events$",
                "--exclude-checks", "negative_data_rejection",
            ])
            print(transcript)
            #expect(status != 127, "schemathesis is missing: `python3 -m pip install schemathesis` (.ci/run does)")
            #expect(status == 0, "schemathesis found failures:\n\(transcript)")
            #expect(transcript.contains("passed"))
        }
    }
}
