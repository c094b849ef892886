#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit (`RLIMIT_NOFILE`). Each connection holds a
/// descriptor; a soft limit of 1024, the usual default, would run out long
/// before `ConnectionLimits.maxConnections` and leave `/healthz` unanswered.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard limit.
    /// - Returns: The soft limit before and after; nil when the limit cannot be read.
    static func raiseToHard() -> (before: UInt64, after: UInt64)? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let before = UInt64(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return (before, before) }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(resource, &limit) == 0 else { return (before, before) }
        return (before, UInt64(limit.rlim_max))
    }
}
