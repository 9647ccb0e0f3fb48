import Model

/// The formats taser knows, in detection order: specific structures before general ones.
public struct FormatRegistry: Sendable {
    public var formats: [any Format]

    public init(_ formats: [any Format]) { self.formats = formats }

    /// The built-in formats, plus mapping files' formats ahead of them (an analyst's mapping
    /// wins over a built-in guess for the JSON it names).
    public static func builtIn(mappings: [any Format] = []) -> FormatRegistry {
        // Vendors' alert JSON first (each has its own marks), then the families of log sources
        // (each in its own file: FormatRegistry+Windows.swift, ...), then the text formats that
        // accept the most.
        FormatRegistry(mappings + [
            OktaFormat(), DuoFormat(),
            CarbonBlackFormat(), SuricataFormat(), CloudTrailFormat(), GuardDutyFormat(), FalcoFormat(), WazuhFormat(),
            SplunkFormat(), TheHiveFormat(),
        ] + cloudFormats + windowsFormats + webFormats + linuxFormats + [
            CEFFormat(), LEEFFormat(), EmailFormat(), CSVFormat(),
        ])
    }

    public var names: [String] { formats.map(\.name) }

    public func named(_ name: String) -> (any Format)? {
        formats.first { $0.name == name.lowercased() }
    }

    public func detect(_ record: Record) -> (any Format)? {
        // By index: `first(where:)` iterates copies, and copying a format out of its box and
        // destroying it again, for each format tried on each record, was a third of detecting.
        for i in formats.indices where formats[i].accepts(record) { return formats[i] }
        return nil
    }
}
