import Model

/// The formats taser knows, in detection order: specific structures before general ones.
public struct FormatRegistry: Sendable {
    public var formats: [any Format] {
        didSet {
            marks = FormatRegistry.marks(formats)
            windowsEventFormat = FormatRegistry.windowsEventFormat(formats)
        }
    }
    /// Per format, its `jsonMarks` as key bits (empty: always asked).
    private var marks: [[JSONKeyBits]]
    /// The Windows format's place when it is the format that detection gives evtx_dump's
    /// `{"Event": {"System": ...}}` objects: every format before it has marks, none of
    /// them a set of `Event` alone.
    private var windowsEventFormat: Int?

    public init(_ formats: [any Format]) {
        self.formats = formats
        marks = FormatRegistry.marks(formats)
        windowsEventFormat = FormatRegistry.windowsEventFormat(formats)
    }

    private static func windowsEventFormat(_ formats: [any Format]) -> Int? {
        for (i, format) in formats.enumerated() {
            if format is WindowsEventFormat { return i }
            let marks = format.jsonMarks
            if marks.isEmpty || marks.contains(where: { $0.allSatisfy { $0 == "Event" } }) { return nil }
        }
        return nil
    }

    /// Whether evtx_dump's JSON lines may be read straight into Windows events
    /// (`Record.Payload.windowsEvent`): detection would give them to the Windows format.
    public var readsWindowsEventLines: Bool { windowsEventFormat != nil }

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
        if case .windowsEvent = record.payload { return windowsEventFormat.map { formats[$0] } }
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
