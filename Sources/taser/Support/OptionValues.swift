import ArgumentParser
import Model

// Every number, span, size and time an option takes is read here, with checked arithmetic, into
// the range its use allows: `--since 99999999999999999d` or `--signals 9223372036854775807` is a
// one-line error naming the option, never an overflow or a run without end. Commands declare
// numeric options with these transforms (`@Option(transform: count(1...1_000_000))`) rather than
// as bare Int, so there is one way to read them.

/// A count option within `range`.
func count(_ range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
    { text in
        do {
            return Int(try WholeNumber.parse(text, in: Int64(range.lowerBound)...Int64(range.upperBound)))
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// A size option (`16MiB`, `512KiB`, a bare number of bytes) within `range`.
func sizeOption(_ range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
    { text in
        let bytes: Int
        do {
            bytes = try ByteCount.parse(text, limit: range.upperBound)
        } catch {
            throw ValidationError("\(error)")
        }
        guard bytes >= range.lowerBound else {
            throw ValidationError("'\(text)' is less than \(ByteCount.text(range.lowerBound)), the least taser accepts here")
        }
        return bytes
    }
}

/// A span option (`90s`, `6h`, `7d`; a bare number is seconds) up to `limit`.
func spanOption(limit: Span = .longest, allowZero: Bool = false) -> @Sendable (String) throws -> Span {
    { text in
        do {
            return try Span.parse(text, limit: limit, allowZero: allowZero, bareUnit: 1000)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// A span typed where the option's own name should lead the message (`--lateness`).
func span(_ text: String, _ option: String, limit: Span = .longest, allowZero: Bool = false) throws -> Span {
    do {
        return try Span.parse(text, limit: limit, allowZero: allowZero)
    } catch {
        throw CLIError("invalid \(option): \(error)")
    }
}

/// A point in time for an option (`--since 7d`, `--until 2026-11-29`): `Timestamp.reading`.
func parseTime(_ text: String, _ what: String) throws -> Timestamp {
    do {
        return try Timestamp.reading(text)
    } catch {
        throw CLIError("invalid \(what): \(error)")
    }
}
