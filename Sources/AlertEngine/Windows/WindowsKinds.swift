import Model

/// Which kind a Windows event is, by Sigma's logsource taxonomy: Sysmon's events by id,
/// Security 4688 as a process start, PowerShell's logging by channel and id; anything else is
/// a `windows.event` that rules tell apart by `Channel` (the built-in Sigma mapping adds that
/// condition per service, as pySigma's Windows pipeline does).
enum WindowsKinds {
    static let sysmonChannel: StaticString = "microsoft-windows-sysmon/operational"
    static let sysmonProvider: StaticString = "microsoft-windows-sysmon"
    static let powershellChannels: [StaticString] = ["microsoft-windows-powershell/operational", "powershellcore/operational"]
    static let classicPowerShellChannel: StaticString = "windows powershell"

    private static let byName: [String: SignalKind] = Dictionary(
        SignalKind.windowsKinds.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    static func kind(_ event: WindowsEvent) -> SignalKind {
        kind(eventID: event.eventID, channel: event.channel, provider: event.provider, data: WindowsData(event.data), in: event.data)
    }

    /// The kind of an event of this EventID, channel and provider (its System values), with its
    /// data's values looked up in `object` (the data, or the fields it went into).
    static func kind(eventID: Int?, channel: String?, provider: String?, data: borrowing WindowsData, in object: JSONObject) -> SignalKind {
        guard let id = eventID else { return .windowsEvent }
        // Compared as `lowercased()` would, without lower-casing copies (`lowercasedEquals`).
        let channel = channel ?? ""
        let provider = provider ?? ""
        if channel.lowercasedEquals(sysmonChannel) || provider.lowercasedEquals(sysmonProvider) {
            if id == 12 {
                // Sysmon 12 is a key or value created or deleted, told by EventType.
                let type = data.text(.eventType, in: object)?.lowercased() ?? ""
                return type.hasPrefix("delete") ? registryDelete : registryAdd
            }
            if let kind = sysmonKinds[id] { return kind }
            return .windowsEvent
        }
        if channel.lowercasedEquals("security") && id == 4688 { return .windowsProcessCreation }
        // The Kernel-File ETW provider (its Analytic channel, or a collector such as SilkETW
        // writing its events): a file opened (12, Create) and renamed (19, 27), which Sigma
        // calls file_access and file_rename.
        if provider.lowercasedEquals("microsoft-windows-kernel-file") {
            switch id {
            case 12: return named("file_access")
            case 19, 27: return named("file_rename")
            default: break
            }
        }
        if powershellChannels.contains(where: { channel.lowercasedEquals($0) }) {
            if id == 4104 { return named("ps_script") }
            if id == 4103 { return named("ps_module") }
        }
        if channel.lowercasedEquals(classicPowerShellChannel) {
            switch id {
            case 400: return named("ps_classic_start")
            case 600: return named("ps_classic_provider_start")
            case 800: return named("ps_classic_script")
            default: break
            }
        }
        return .windowsEvent
    }

    private static func named(_ category: String) -> SignalKind { byName["windows.\(category)"] ?? .windowsEvent }
    /// Sysmon's kinds by event id, and Sysmon 12's two, looked up once.
    private static let sysmonKinds: [Int: SignalKind] = SignalKind.sysmonCategories.mapValues(named)
    private static let registryDelete = named("registry_delete"), registryAdd = named("registry_add")
}
