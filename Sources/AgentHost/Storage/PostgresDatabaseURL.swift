import Foundation
import PostgresNIO

/// Where a PostgreSQL database is, as operators write it:
/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`.
///
/// `postgresql://` is accepted too. A password may also come from `PGPASSWORD`,
/// so it need not appear in a process list.
public struct PostgresDatabaseURL: Sendable, Hashable {
    /// How the connection uses TLS, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, Hashable {
        case disable
        /// TLS when the server offers it (libpq's default).
        case prefer
        case require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Parses `text`; throws a message naming what is wrong (never echoing the password).
    /// - Parameters:
    ///   - text: The URL, e.g. `postgres://agent@127.0.0.1:5432/agent_host`.
    ///   - environment: Where `PGPASSWORD` is looked up when the URL has no password.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme)
        else {
            throw PostgresStorageError.invalidURL("expected postgres://user@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStorageError.invalidURL("the URL names no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresStorageError.invalidURL("the URL names no user (postgres://USER@host/database)")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStorageError.invalidURL("the URL names no database (postgres://user@host/DATABASE)")
        }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw PostgresStorageError.invalidURL("sslmode must be disable, prefer or require")
                }
                tls = mode
            default:
                throw PostgresStorageError.invalidURL("unknown URL parameter \(item.name) (only sslmode is understood)")
            }
        }
        // A bracketed IPv6 literal comes back with its brackets; the socket wants it bare.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        self.username = user
        self.password = components.password ?? environment["PGPASSWORD"]
        self.database = database
        self.tls = tls
    }

    /// The URL without its password: what logs and the banner may show.
    public var redacted: String {
        "postgres://\(username)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    /// The pool's configuration.
    var clientConfiguration: PostgresClient.Configuration {
        let clientTLS: PostgresClient.Configuration.TLS = switch tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: clientTLS
        )
    }

    /// A single connection's configuration: start-up runs its migrations on one
    /// connection of its own, so a wrong address or password fails at once with
    /// the server's own message instead of after the pool's retries.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let connectionTLS: PostgresConnection.Configuration.TLS = switch tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: connectionTLS
        )
    }
}
