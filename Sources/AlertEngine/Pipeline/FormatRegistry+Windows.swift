extension FormatRegistry {
    /// Windows events: EVTX records and forwarders' JSON.
    static let windowsFormats: [any Format] = [WindowsEventFormat()]
}
