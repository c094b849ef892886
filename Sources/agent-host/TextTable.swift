/// Rows printed as aligned columns under a header, for people reading a
/// terminal: each column as wide as its widest cell, two spaces between, the
/// last column not padded.
struct TextTable {
    let header: [String]
    var rows: [[String]] = []

    /// - Parameters:
    ///   - header: The column titles; every row has as many cells.
    init(_ header: [String]) {
        self.header = header
    }

    mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "a row has one cell per column")
        rows.append(row)
    }

    /// The table as lines of text, the header first.
    var text: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }

    /// `text` cut to `limit` characters with `…`, for a cell that may be long.
    static func cell(_ text: String, limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
