/// The parts of an ELF shared object the loader reads from the verified bytes,
/// without running any of the plugin's code: section names and sizes, and the
/// dynamic symbol table.
///
/// Used to tell whether a plugin that says it is written in C really contains
/// no Swift (the Swift toolchain check is waived for C), and whether the
/// functions a manifest names as C tools are defined by the plugin itself and
/// are functions (a data symbol or a libc function must never be ffi-called).
///
/// Every read is bounds-checked: a malformed file gives `nil`, never a crash.
struct ELFImage: Sendable {
    struct Section: Sendable {
        let name: String
        let type: UInt32
        let size: Int
    }

    struct Symbol: Sendable {
        let name: String
        let isFunction: Bool
        /// Defined in this image (not an import resolved from another library).
        let isDefined: Bool
    }

    let sections: [Section]
    let dynamicSymbols: [Symbol]

    private static let sectionHeaderSize = 64
    private static let symbolSize = 24
    private static let dynamicSymbolTable: UInt32 = 11
    private static let noBits: UInt32 = 8
    private static let maximumSymbols = 1 << 20

    /// nil when the file has no (readable) section headers.
    init?(bytes: [UInt8]) {
        let reader = ByteReader(bytes: bytes)
        guard let headerOffset = reader.int(at: 0x28, size: 8), headerOffset > 0,
              let entrySize = reader.int(at: 0x3A, size: 2), entrySize >= Self.sectionHeaderSize,
              let count = reader.int(at: 0x3C, size: 2), count > 0,
              let namesIndex = reader.int(at: 0x3E, size: 2), namesIndex < count
        else { return nil }

        struct RawSection {
            var nameOffset: Int, type: UInt32, offset: Int, size: Int, link: Int
        }
        var raw: [RawSection] = []
        for index in 0..<count {
            let base = headerOffset + index * entrySize
            guard let name = reader.int(at: base, size: 4), let type = reader.int(at: base + 4, size: 4),
                  let offset = reader.int(at: base + 24, size: 8), let size = reader.int(at: base + 32, size: 8),
                  let link = reader.int(at: base + 40, size: 4)
            else { return nil }
            raw.append(RawSection(nameOffset: name, type: UInt32(type), offset: offset, size: size, link: link))
        }
        let names = raw[namesIndex]
        sections = raw.map { section in
            Section(name: reader.cString(at: names.offset, offset: section.nameOffset, limit: names.size),
                    type: section.type, size: section.size)
        }

        var symbols: [Symbol] = []
        for table in raw where table.type == Self.dynamicSymbolTable && table.link < raw.count {
            let strings = raw[table.link]
            guard strings.type != Self.noBits else { continue }
            let count = min(table.size / Self.symbolSize, Self.maximumSymbols)
            for index in 0..<count {
                let base = table.offset + index * Self.symbolSize
                guard let name = reader.int(at: base, size: 4), let info = reader.int(at: base + 4, size: 1),
                      let sectionIndex = reader.int(at: base + 6, size: 2)
                else { return nil }
                let kind = info & 0xf
                symbols.append(Symbol(
                    name: reader.cString(at: strings.offset, offset: name, limit: strings.size),
                    isFunction: kind == 2 || kind == 10,  // STT_FUNC, STT_GNU_IFUNC
                    isDefined: sectionIndex != 0          // SHN_UNDEF
                ))
            }
        }
        dynamicSymbols = symbols
    }

    /// True when the image holds Swift code: Swift metadata sections with
    /// content, or Swift-mangled symbols (defined or imported).
    var containsSwift: Bool {
        sections.contains { $0.name.hasPrefix("swift5_") && $0.size > 0 && $0.type != Self.noBits }
            || dynamicSymbols.contains { $0.name.hasPrefix("$s") || $0.name.hasPrefix("_$s") || $0.name.hasPrefix("$S") }
    }

    /// True when the image itself defines `name` as an exported function.
    func definesFunction(_ name: String) -> Bool {
        dynamicSymbols.contains { $0.name == name && $0.isFunction && $0.isDefined }
    }
}

extension ELFImage {
    private static let programHeaderSize = 56
    private static let loadSegment = 1

    /// nil when every part of the file `dlopen` maps or reads lies inside it: the
    /// program header table, every segment's file range (`p_offset + p_filesz`),
    /// and the section header table when there is one. Expects a header that
    /// `ELFHeader.problem` accepted.
    ///
    /// The kernel maps a segment past the end of a file without complaint; the
    /// loader then touches those pages and the process dies with SIGBUS inside
    /// `dlopen`. A build cut off in transit has a valid header and exactly this shape.
    static func layoutProblem(in bytes: [UInt8]) -> String? {
        let reader = ByteReader(bytes: bytes)
        let size = bytes.count
        guard let tableOffset = reader.int(at: 0x20, size: 8), let entrySize = reader.int(at: 0x36, size: 2),
              let count = reader.int(at: 0x38, size: 2)
        else { return "has an unreadable ELF header" }
        guard count > 0 else { return "has no program headers" }
        guard entrySize >= programHeaderSize else { return "has program headers of \(entrySize) bytes, expected \(programHeaderSize)" }
        guard tableOffset <= size, count * entrySize <= size - tableOffset else {
            return "is truncated: its program header table (\(count) entries at offset \(tableOffset)) extends past the end of the file (\(size) bytes)"
        }
        for index in 0..<count {
            let base = tableOffset + index * entrySize
            guard let type = reader.int(at: base, size: 4), let offset = reader.int(at: base + 8, size: 8),
                  let length = reader.int(at: base + 32, size: 8)
            else { return "has an unreadable program header \(index)" }
            // Headers that map nothing (PT_GNU_STACK, PT_NULL) carry offset 0, size 0.
            guard length == 0 || (offset <= size && length <= size - offset) else {
                let kind = type == loadSegment ? "loadable segment" : "segment"
                return "is truncated: \(kind) \(index) (file bytes \(offset)..<\(offset + length)) extends past the end of the file (\(size) bytes)"
            }
        }
        guard let sectionOffset = reader.int(at: 0x28, size: 8), let sectionEntrySize = reader.int(at: 0x3A, size: 2),
              let sectionCount = reader.int(at: 0x3C, size: 2)
        else { return "has an unreadable ELF header" }
        if sectionOffset != 0, sectionCount > 0 {
            guard sectionOffset <= size, sectionCount * sectionEntrySize <= size - sectionOffset else {
                return "is truncated: its section header table (\(sectionCount) entries at offset \(sectionOffset)) extends past the end of the file (\(size) bytes)"
            }
        }
        return nil
    }
}

/// Little-endian reads that answer nil instead of reading out of bounds.
private struct ByteReader {
    let bytes: [UInt8]

    func int(at offset: Int, size: Int) -> Int? {
        guard offset >= 0, size <= 8, offset <= bytes.count - size else { return nil }
        var value: UInt64 = 0
        for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value <= UInt64(Int.max / 2) ? Int(value) : nil
    }

    /// The NUL-terminated string at `base + offset`, staying inside `base..<base+limit`.
    func cString(at base: Int, offset: Int, limit: Int) -> String {
        let end = min(bytes.count, base &+ limit)
        let start = base &+ offset
        guard base >= 0, offset >= 0, start < end else { return "" }
        var stop = start
        while stop < end, bytes[stop] != 0 { stop += 1 }
        return String(decoding: bytes[start..<stop], as: UTF8.self)
    }
}
