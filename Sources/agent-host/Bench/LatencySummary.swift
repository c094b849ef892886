import Foundation

/// Percentiles of a sample, in milliseconds.
struct LatencySummary: CustomStringConvertible {
    let count: Int
    let p50: Double
    let p99: Double
    let max: Double

    init(_ samples: [Duration]) {
        let millis = samples.map(\.milliseconds).sorted()
        count = millis.count
        func at(_ q: Double) -> Double { millis.isEmpty ? 0 : millis[min(millis.count - 1, Int(Double(millis.count - 1) * q))] }
        p50 = at(0.5)
        p99 = at(0.99)
        max = millis.last ?? 0
    }

    var description: String {
        String(format: "p50 %.2f ms  p99 %.2f ms  max %.2f ms  (n=%d)", p50, p99, max, count)
    }
}
