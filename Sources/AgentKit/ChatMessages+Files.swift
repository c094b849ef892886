import Foundation

extension ChatMessages {
    /// The bytes of a file a message of this conversation carries (`UIMessage.files`):
    /// a data URL is decoded here; a file uploaded to the session is read from
    /// the host (`files.read`). The host fetches no other URL (an `https:` link
    /// is for the model to fetch), so such a part throws.
    ///
    /// ```swift
    /// if let csv = run.messages.last?.files.first(where: { $0.mediaType == "text/csv" }) {
    ///     let table = String(decoding: try await run.messages.read(csv), as: UTF8.self)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - file: One of a message's file parts.
    /// - Throws: `StreamTextError` when the host refuses (another session's file,
    ///   a missing one, an https URL), `CancellationError` when the turn was stopped.
    public func read(_ file: UIMessage.FilePart) async throws -> Data {
        if let bytes = file.inlineBytes { return bytes }
        let reply = try await PluginRuntime.host.callService(
            turnId: turnId, service: HostService.filesRead, request: try WireCoding.encodeString(FileReadRequest(url: file.url))
        )
        let decoded = try WireCoding.decode(FileReadReply.self, from: reply)
        guard let bytes = Data(base64Encoded: decoded.data) else {
            throw StreamTextError.host(status: AGENT_ERR_INTERNAL.rawValue, message: "files.read returned bytes that are not base64")
        }
        return bytes
    }
}
