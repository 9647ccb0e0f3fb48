import Model

/// The formats taser knows, in detection order: specific structures before general ones.
public struct FormatRegistry: Sendable {
    public var formats: [any Format] {
        didSet { marks = FormatRegistry.marks(formats) }
    }
    /// Per format, its `jsonMarks` as key bits (empty: always asked).
    private var marks: [[JSONKeyBits]]

    public init(_ formats: [any Format]) {
        self.formats = formats
        marks = FormatRegistry.marks(formats)
    }

    private static func marks(_ formats: [any Format]) -> [[JSONKeyBits]] {
        formats.map { $0.jsonMarks.map(JSONKeyBits.init) }
    }

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
        if case .json(.object(let o)) = record.payload {
            // A format whose marks the object lacks is not asked (its `accepts` would say no).
            for i in formats.indices where marks[i].isEmpty || marks[i].contains(where: o.mayHold(all:)) {
                if formats[i].accepts(record) { return formats[i] }
            }
            return nil
        }
        for i in formats.indices where formats[i].accepts(record) { return formats[i] }
        return nil
    }
}
