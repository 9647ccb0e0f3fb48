extension SigmaBuiltInMapping {
    /// Windows events (EVTX, forwarders): Sysmon and the channels.
    static let windows = """
    # (filled as the formats for these sources land)
    """
}
