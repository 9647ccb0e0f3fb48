/// A validating JSON scanner fed a block at a time, which builds nothing: it finds where the
/// events of a document begin and end (the elements of a top-level array, or of a vendor's
/// envelope array such as CloudTrail's `Records`), where a top-level value ends, and the first
/// byte that is not JSON. The framer uses it to stream documents of any size, holding one event
/// at a time, and to tell a document from NDJSON without reading either whole.
struct JSONScanner {
    enum Event {
        /// An event (an element of an event array) starts or ends at this offset (inclusive).
        case elementStart(Int)
        case elementEnd(Int)
        /// A top-level value ends at this offset (inclusive).
        case topEnd(Int)
        /// Something other than white space follows a complete top-level value, here.
        case another(Int)
        /// Not JSON: at this offset, why.
        case invalid(Int, String)
    }

    /// Arrays inside vendor envelopes whose elements are events (the top-level array's path is []).
    let eventPaths: [[String]]
    /// Deeper than this is refused, as the parser does.
    static let maxDepth = 512

    private enum Mode {
        case value, valueOrClose, keyOrClose, key, colon, commaOrClose, string, escape, unicode, number, literal, afterTop
    }

    private struct Level {
        var isObject: Bool
        var holdsEvents: Bool
        /// The key of the value being read in this object (kept only while the path could still
        /// reach an event array).
        var key: String?
    }

    private var mode = Mode.value
    private var stack: [Level] = []
    private var inKey = false
    private var keyBytes: [UInt8] = []
    private var capturingKey = false
    private var hexLeft = 0
    private var literal: [UInt8] = []
    private var literalAt = 0
    /// Offset (from the input's start) of the next byte fed.
    private(set) var offset = 0
    private(set) var failed = false

    init(eventPaths: [[String]]) { self.eventPaths = eventPaths }

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 10 || b == 13 || b == 9 }
    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || b == 45 || b == 43 || b == 46 || b == 101 || b == 69
    }

    /// Scans `bytes`, calling `on` for each event; `on` returns false to stop. Returns how many
    /// bytes were consumed (all of them unless stopped or invalid).
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ on: (Event) -> Bool) -> Int {
        var i = 0
        let n = bytes.count
        while i < n && !failed {
            let b = bytes[i]
            let at = offset + i
            switch mode {
            case .string:
                if b == 34 {  // closing quote
                    if inKey {
                        inKey = false
                        if capturingKey, var level = stack.popLast() {
                            level.key = String(decoding: keyBytes, as: UTF8.self)
                            stack.append(level)
                        }
                        mode = .colon
                    } else if !endValue(at, on) {
                        return consumed(i + 1)
                    }
                } else if b == 92 {
                    mode = .escape
                } else if b < 32 {
                    return fail(i, "a control character (0x\(String(b, radix: 16))) inside a string", on)
                } else if inKey && capturingKey && keyBytes.count < 64 {
                    keyBytes.append(b)
                }
            case .escape:
                switch b {
                case 34, 92, 47, 98, 102, 110, 114, 116: mode = .string
                case 117:
                    hexLeft = 4
                    mode = .unicode
                default: return fail(i, "a bad escape \\\(Character(Unicode.Scalar(b)))", on)
                }
            case .unicode:
                guard (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102) else {
                    return fail(i, "a bad \\u escape", on)
                }
                hexLeft -= 1
                if hexLeft == 0 { mode = .string }
            case .number:
                if JSONScanner.isNumberByte(b) { break }
                if !endValue(at - 1, on) { return consumed(i) }
                continue  // this byte is read again as what follows the number
            case .literal:
                guard literalAt < literal.count, b == literal[literalAt] else { return fail(i, "an unknown word", on) }
                literalAt += 1
                if literalAt == literal.count, !endValue(at, on) { return consumed(i + 1) }
            case .value, .valueOrClose:
                if JSONScanner.isSpace(b) { break }
                if b == 93 && mode == .valueOrClose {  // `[]`
                    if !close(at, on) { return consumed(i + 1) }
                    break
                }
                if !beginValue(b, at, on) { return consumed(i + 1) }
                if failed { return consumed(i) }
            case .keyOrClose, .key:
                if JSONScanner.isSpace(b) { break }
                if b == 125 && mode == .keyOrClose {  // `{}`
                    if !close(at, on) { return consumed(i + 1) }
                    break
                }
                guard b == 34 else { return fail(i, "expected a key in quotes", on) }
                inKey = true
                keyBytes.removeAll(keepingCapacity: true)
                // A key matters only while the path could still lead to an event array.
                capturingKey = stack.count <= 2 && stack.allSatisfy(\.isObject)
                mode = .string
            case .colon:
                if JSONScanner.isSpace(b) { break }
                guard b == 58 else { return fail(i, "expected ':' after a key", on) }
                mode = .value
            case .commaOrClose:
                if JSONScanner.isSpace(b) { break }
                guard let top = stack.last else { return fail(i, "unexpected", on) }
                if b == 44 {
                    mode = top.isObject ? .key : .value
                } else if (b == 125 && top.isObject) || (b == 93 && !top.isObject) {
                    if !close(at, on) { return consumed(i + 1) }
                } else {
                    return fail(i, top.isObject ? "expected ',' or '}'" : "expected ',' or ']'", on)
                }
            case .afterTop:
                if JSONScanner.isSpace(b) { break }
                mode = .value
                if !on(.another(at)) { return consumed(i) }
                continue
            }
            i += 1
        }
        offset += i
        return i
    }

    /// The input ended: an error when a value is still open.
    mutating func finish(_ on: (Event) -> Bool) {
        guard !failed else { return }
        switch mode {
        case .afterTop: return
        case .value where stack.isEmpty: return
        case .number where stack.isEmpty:
            _ = endValue(offset - 1, on)
        default:
            failed = true
            _ = on(.invalid(offset, "the input ends inside a JSON value"))
        }
    }

    // MARK: - Steps

    private mutating func consumed(_ i: Int) -> Int {
        offset += i
        return i
    }

    private mutating func fail(_ i: Int, _ why: String, _ on: (Event) -> Bool) -> Int {
        failed = true
        let at = offset + i
        offset += i
        _ = on(.invalid(at, "invalid JSON at byte \(at + 1): \(why)"))
        return i
    }

    private var path: [String]? {
        var keys: [String] = []
        for level in stack {
            guard level.isObject, let key = level.key else { return nil }
            keys.append(key)
        }
        return keys
    }

    private mutating func beginValue(_ b: UInt8, _ at: Int, _ on: (Event) -> Bool) -> Bool {
        let parentHoldsEvents = stack.last?.holdsEvents ?? false
        if parentHoldsEvents, !on(.elementStart(at)) { return false }
        switch b {
        case 123, 91:  // { [
            guard stack.count < JSONScanner.maxDepth else {
                failed = true
                _ = on(.invalid(at, "invalid JSON at byte \(at + 1): nested deeper than \(JSONScanner.maxDepth) levels"))
                return true
            }
            let isObject = b == 123
            let holds = !isObject && stack.count <= 2 && path.map { eventPaths.contains($0) } == true
            stack.append(Level(isObject: isObject, holdsEvents: holds, key: nil))
            mode = isObject ? .keyOrClose : .valueOrClose
        case 34:
            inKey = false
            mode = .string
        case 116: startLiteral("true")
        case 102: startLiteral("false")
        case 110: startLiteral("null")
        case 45, 48...57: mode = .number
        default:
            failed = true
            _ = on(.invalid(at, "invalid JSON at byte \(at + 1): unexpected '\(Character(Unicode.Scalar(b)))'"))
        }
        return true
    }

    private mutating func startLiteral(_ word: String) {
        literal = Array(word.utf8)
        literalAt = 1
        mode = .literal
    }

    /// A closing bracket at `at`: the container ends.
    private mutating func close(_ at: Int, _ on: (Event) -> Bool) -> Bool {
        stack.removeLast()
        return endValue(at, on)
    }

    /// A value ended at `at` (inclusive).
    private mutating func endValue(_ at: Int, _ on: (Event) -> Bool) -> Bool {
        guard let parent = stack.last else {
            mode = .afterTop
            return on(.topEnd(at))
        }
        mode = .commaOrClose
        if parent.isObject, var level = stack.popLast() {
            level.key = nil
            stack.append(level)
        }
        return parent.holdsEvents ? on(.elementEnd(at)) : true
    }
}
