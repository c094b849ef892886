import AgentWire
import Foundation

/// When a reader's token counts as near its expiry: less than `remainingFraction`
/// of its lifetime left, or less than `window` (`serve --token-refresh-window`).
public struct TokenRefreshPolicy: Sendable, Hashable {
    /// A token with less than this share of its lifetime left is refreshed.
    public var remainingFraction: Double
    /// A token with less than this time left is refreshed, whatever its lifetime.
    public var window: Duration

    /// - Parameters:
    ///   - remainingFraction: The share of a token's lifetime below which it is refreshed.
    ///   - window: The time left below which it is refreshed.
    public init(remainingFraction: Double = 0.25, window: Duration = .seconds(600)) {
        self.remainingFraction = remainingFraction
        self.window = window
    }

    /// True when a token valid from `issuedAt` to `expiresAt` should be replaced at `now`.
    func isDue(issuedAt: Date, expiresAt: Date, now: Date) -> Bool {
        let remaining = expiresAt.timeIntervalSince(now)
        let lifetime = expiresAt.timeIntervalSince(issuedAt)
        return remaining < window.totalSeconds || remaining < lifetime * remainingFraction
    }
}

/// The in-band token refresh of one reader's SSE connection (DESIGN §6,
/// `data-token`): at a `data-turn-complete`, a reader whose token is near its
/// expiry gets a fresh one on its own stream — never in the session's log,
/// which anyone who may read the chat can replay.
///
/// The new token has the lifetime the reader's had and at most its scopes,
/// narrowed to this chat: a refresh never widens what the reader may do.
struct InBandTokenRefresh: Sendable {
    let minter: TokenMinter
    let policy: TokenRefreshPolicy
    /// What the fresh token may do: the reader's access to this chat only.
    let scopes: TokenScopes
    let lifetime: Duration
    /// The newest token this reader holds: its own, then each one sent to it.
    private var issuedAt: Date
    private var expiresAt: Date

    /// The refresh of a reader holding `token`; nil when it has no access to `chatId`.
    /// - Parameters:
    ///   - token: The reader's verified token.
    ///   - chatId: The chat the stream belongs to.
    ///   - minter: Mints the fresh tokens.
    ///   - policy: When a token counts as near its expiry.
    init?(token: VerifiedToken, chatId: String, minter: TokenMinter, policy: TokenRefreshPolicy) {
        let read = token.scopes.allows(.read, chatId: chatId)
        let write = token.scopes.allows(.write, chatId: chatId)
        guard read || write else { return nil }
        self.scopes = TokenScopes(read: read ? [chatId] : [], write: write ? [chatId] : [])
        let seconds = max(1, token.expiresAt.timeIntervalSince(token.issuedAt).rounded())
        self.lifetime = min(.seconds(Int64(seconds)), TokenLifetime.maximum)
        self.minter = minter
        self.policy = policy
        self.issuedAt = token.issuedAt
        self.expiresAt = token.expiresAt
    }

    /// A `data-token` part with a fresh token when the reader's newest one is
    /// near its expiry; nil otherwise (or when minting fails: the reader still
    /// has its `accessToken` callback).
    mutating func partIfDue(now: Date = Date()) async -> UIChunk? {
        guard policy.isDue(issuedAt: issuedAt, expiresAt: expiresAt, now: now),
              let token = try? await minter.mint(scopes: scopes, ttl: lifetime, now: now)
        else { return nil }
        issuedAt = now
        expiresAt = now.addingTimeInterval(lifetime.totalSeconds)
        return ControlPart.tokenPart(token: token, expiresAt: expiresAt)
    }
}

extension ControlPart {
    /// The transient `data-token` part: `{"token": JWT, "expiresAt": ISO 8601}`.
    /// A reader's own stream only, never the log.
    static func tokenPart(token: String, expiresAt: Date) -> UIChunk {
        let expiry = ISO8601DateFormatter().string(from: expiresAt)
        return .data(name: "token", data: ["token": .string(token), "expiresAt": .string(expiry)], transient: true)
    }
}
