@testable import AgentHost
import AgentWire
import Foundation
import HTTPTypes
import Crypto
import Testing

@Suite struct AuthTests {
    private let key = SecretKey(value: "sk_test_secret", source: "test")

    private func headers(_ token: String?) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        return fields
    }

    @Test func lifetimesParseAsTheSeedWritesThem() {
        #expect(TokenLifetime.parse("1h") == .seconds(3600))
        #expect(TokenLifetime.parse("15m") == .seconds(900))
        #expect(TokenLifetime.parse("30s") == .seconds(30))
        #expect(TokenLifetime.parse("2d") == .seconds(172_800))
        #expect(TokenLifetime.parse("90") == .seconds(90))
        for bad in ["", "h", "-1h", "0m", "1y", "31d", "99999999999999999d"] {
            #expect(TokenLifetime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func scopesAcceptOneIdOrAList() throws {
        let one = try WireCoding.decode(TokenScopes.self, from: #"{"read":{"sessions":"a"}}"#)
        #expect(one.allows(.read, chatId: "a"))
        #expect(!one.allows(.write, chatId: "a"))
        let many = try WireCoding.decode(TokenScopes.self, from: #"{"write":{"sessions":["a","b"]}}"#)
        #expect(many.allows(.write, chatId: "b"))
        #expect(!many.allows(.write, chatId: "c"))
    }

    @Test func tokensCarryTheirScopesAndExpire() async throws {
        let minter = await TokenMinter(secretKey: key)
        let token = try await minter.mint(scopes: TokenScopes(read: ["a"], write: ["a"]), ttl: .seconds(60))
        #expect(await minter.verify(token) == TokenScopes(read: ["a"], write: ["a"]))

        let expired = try await minter.mint(scopes: TokenScopes(read: ["a"]), ttl: .seconds(60), now: Date().addingTimeInterval(-120))
        #expect(await minter.verify(expired) == nil)

        let other = await TokenMinter(secretKey: SecretKey(value: "sk_other", source: "test"))
        #expect(await other.verify(token) == nil)

        var tampered = Array(token)
        let index = tampered.count - 5
        tampered[index] = tampered[index] == "A" ? "B" : "A"
        #expect(await minter.verify(String(tampered)) == nil)
    }

    @Test func authenticatorEnforcesScopes() async throws {
        let minter = await TokenMinter(secretKey: key)
        let auth = Authenticator(secretKey: key, minter: minter)
        let tokenA = try await minter.mint(scopes: TokenScopes(read: ["a"], write: ["a"]), ttl: .seconds(60))

        try await auth.requireSecret(headers(key.value))
        try await auth.require(.write, chatId: "anything", headers(key.value))
        try await auth.require(.read, chatId: "a", headers(tokenA))

        await #expect(throws: AgentHostError.self) { try await auth.requireSecret(headers(tokenA)) }
        await #expect(throws: AgentHostError.self) { try await auth.require(.read, chatId: "b", headers(tokenA)) }
        do {
            try await auth.require(.read, chatId: "a", headers(nil))
            Issue.record("no header must be refused")
        } catch {
            #expect(ErrorResponse.status(for: error).0 == .unauthorized)
        }
        do {
            try await auth.require(.read, chatId: "b", headers(tokenA))
        } catch {
            #expect(ErrorResponse.status(for: error).0 == .forbidden)
        }
    }

    @Test func secretComparisonNeedsTheWholeKey() {
        #expect(key.matches("sk_test_secret"))
        #expect(!key.matches("sk_test_secreT"))
        #expect(!key.matches("sk_test_secret "))
        #expect(!key.matches(""))
    }

    @Test func aShortSecretKeyIsRefusedWhereverItComesFrom() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: AgentHostError.self) { try SecretKey.load(environment: ["AGENT_HOST_SECRET_KEY": "k9x"], dataDirectory: directory.path) }
        let strong = String(repeating: "a1", count: 16)
        #expect(try SecretKey.load(environment: ["AGENT_HOST_SECRET_KEY": strong], dataDirectory: directory.path).value == strong)
        // A generated key passes; one an operator shortened by hand does not.
        let generated = try SecretKey.load(environment: [:], dataDirectory: directory.path)
        #expect(generated.value.utf8.count >= SecretKey.minimumLength)
        try "short-key\n".write(to: directory.appendingPathComponent(SecretKey.fileName), atomically: true, encoding: .utf8)
        #expect(throws: AgentHostError.self) { try SecretKey.load(environment: [:], dataDirectory: directory.path) }
    }

    @Test func aTokenWhoseHeaderNamesAnotherAlgorithmIsRefused() async throws {
        let minter = await TokenMinter(secretKey: key)
        let valid = try await minter.mint(scopes: TokenScopes(read: ["c"], write: ["c"]), ttl: .seconds(600))
        let payload = try #require(valid.split(separator: ".").dropFirst().first.map(String.init))
        let derived = SymmetricKey(data: Data(SHA256.hash(data: Data("agent-host public tokens v1|\(key.value)".utf8))))
        /// The daemon's claims and key, signed by hand under the header `alg` names.
        func token(alg: String, sign: (Data) -> Data) -> String {
            let header = Self.base64URL(Data(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8))
            return "\(header).\(payload).\(Self.base64URL(sign(Data("\(header).\(payload)".utf8))))"
        }
        // Signed exactly as the daemon signs: accepted, so the hand-made tokens below differ only in the algorithm.
        #expect(await minter.verify(token(alg: "HS256") { Data(HMAC<SHA256>.authenticationCode(for: $0, using: derived)) }) != nil)
        #expect(await minter.verify(token(alg: "HS512") { Data(HMAC<SHA512>.authenticationCode(for: $0, using: derived)) }) == nil)
        #expect(await minter.verify(token(alg: "HS384") { Data(HMAC<SHA384>.authenticationCode(for: $0, using: derived)) }) == nil)
        #expect(await minter.verify(token(alg: "none") { _ in Data() }) == nil)
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
