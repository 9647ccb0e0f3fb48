import Model

extension FormatRegistry {
    /// Windows events: EVTX records and forwarders' JSON.
    static let windowsFormats: [any Format] = [WindowsEventFormat()]
}

extension FormatRegistry {
    /// These formats, with those that derive fields from an event's own (the Windows format's
    /// ECS names) leaving them out of the signal until asked for (`Normalized.derived`): for a
    /// hunt, which matches most events without them and shows few.
    public func derivingLater() -> FormatRegistry {
        FormatRegistry(formats.map { format in
            guard var windows = format as? WindowsEventFormat else { return format }
            windows.derivesLater = true
            return windows
        })
    }

    /// Every name a signal's left-out fields may have (`derivingLater`), with the fields of
    /// the event's own each is derived from: an event lacking all of those does not get it.
    public var derivedFieldSources: [String: [DerivedSource]] {
        formats.contains { ($0 as? WindowsEventFormat)?.derivesLater == true } ? WindowsECS.sources : [:]
    }
}
