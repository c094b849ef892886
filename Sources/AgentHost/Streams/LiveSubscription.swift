/// A reader's live view of one session log: record batches from now on, and
/// the last seq already published when it subscribed. Records up to
/// `publishedThrough` are in storage; records after it arrive in `records`,
/// read from a bounded buffer (`LiveBuffer`) that the session fills.
///
/// The session hands these out; `SessionFeed` joins one with storage into a
/// gap-free stream. It lives here, not in `Sessions/`, so that streams never
/// need to know what a session is.
struct LiveSubscription: Sendable {
    let records: LiveReader
    let publishedThrough: Int64
}
