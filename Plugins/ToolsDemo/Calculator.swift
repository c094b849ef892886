/// A small, safe arithmetic evaluator: numbers (decimals too), `+ - * /`,
/// unary minus and parentheses. Nothing is executed, nothing is looked up: the
/// model's string is parsed by recursive descent and computed as Doubles.
/// Input length and nesting depth are capped so no expression can exhaust the
/// stack or the CPU of the daemon that hosts this plugin.
struct Calculator {
    static let maximumLength = 1_000
    static let maximumDepth = 64

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func evaluate(_ expression: String) throws -> Double {
        guard expression.utf8.count <= maximumLength else {
            throw Failure(description: "the expression is longer than \(maximumLength) characters")
        }
        var parser = Calculator(characters: Array(expression))
        let value = try parser.sum(depth: 0)
        parser.skipSpaces()
        guard parser.position == parser.characters.count else {
            throw Failure(description: "unexpected `\(parser.characters[parser.position])` at position \(parser.position + 1)")
        }
        guard value.isFinite else { throw Failure(description: "the result is not a finite number") }
        return value
    }

    private let characters: [Character]
    private var position = 0

    private init(characters: [Character]) {
        self.characters = characters
    }

    /// sum := product (("+" | "-") product)*
    private mutating func sum(depth: Int) throws -> Double {
        var value = try product(depth: depth)
        while let op = peek(), op == "+" || op == "-" {
            position += 1
            let rhs = try product(depth: depth)
            value = op == "+" ? value + rhs : value - rhs
        }
        return value
    }

    /// product := factor (("*" | "/") factor)*
    private mutating func product(depth: Int) throws -> Double {
        var value = try factor(depth: depth)
        while let op = peek(), op == "*" || op == "/" {
            position += 1
            let rhs = try factor(depth: depth)
            if op == "/" {
                guard rhs != 0 else { throw Failure(description: "division by zero") }
                value /= rhs
            } else {
                value *= rhs
            }
        }
        return value
    }

    /// factor := ("+" | "-") factor | number | "(" sum ")"
    private mutating func factor(depth: Int) throws -> Double {
        guard depth < Self.maximumDepth else { throw Failure(description: "the expression is nested too deeply") }
        guard let next = peek() else { throw Failure(description: "the expression ends where a number was expected") }
        switch next {
        case "+", "-":
            position += 1
            let value = try factor(depth: depth + 1)
            return next == "-" ? -value : value
        case "(":
            position += 1
            let value = try sum(depth: depth + 1)
            guard peek() == ")" else { throw Failure(description: "missing `)` at position \(position + 1)") }
            position += 1
            return value
        default:
            return try number()
        }
    }

    private mutating func number() throws -> Double {
        let start = position
        var sawDigit = false
        var sawPoint = false
        while position < characters.count {
            let character = characters[position]
            if character.isASCII, character.isNumber {
                sawDigit = true
            } else if character == ".", !sawPoint {
                sawPoint = true
            } else {
                break
            }
            position += 1
        }
        guard sawDigit, let value = Double(String(characters[start..<position])) else {
            let found = start < characters.count ? "`\(characters[start])`" : "the end"
            throw Failure(description: "expected a number at position \(start + 1), found \(found)")
        }
        return value
    }

    /// The next non-space character, without consuming it.
    private mutating func peek() -> Character? {
        skipSpaces()
        return position < characters.count ? characters[position] : nil
    }

    fileprivate mutating func skipSpaces() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }
}
