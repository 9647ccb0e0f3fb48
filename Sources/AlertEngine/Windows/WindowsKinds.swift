import Model

/// Which kind a Windows event is, by Sigma's logsource taxonomy: Sysmon's events by id,
/// Security 4688 as a process start, PowerShell's logging by channel and id; anything else is
/// a `windows.event` that rules tell apart by `Channel` (the built-in Sigma mapping adds that
/// condition per service, as pySigma's Windows pipeline does).
enum WindowsKinds {
    static let sysmonChannel = "microsoft-windows-sysmon/operational"
    static let sysmonProvider = "microsoft-windows-sysmon"
    static let powershellChannels: Set<String> = ["microsoft-windows-powershell/operational", "powershellcore/operational"]
    static let classicPowerShellChannel = "windows powershell"

    private static let byName: [String: SignalKind] = Dictionary(
        SignalKind.windowsKinds.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    static func kind(_ event: WindowsEvent) -> SignalKind {
        guard let id = event.eventID else { return .windowsEvent }
        let channel = event.channel?.lowercased() ?? ""
        let provider = event.provider?.lowercased() ?? ""
        if channel == sysmonChannel || provider == sysmonProvider {
            if id == 12 {
                // Sysmon 12 is a key or value created or deleted, told by EventType.
                let type = event.text("EventType")?.lowercased() ?? ""
                return named(type.hasPrefix("delete") ? "registry_delete" : "registry_add")
            }
            if let category = SignalKind.sysmonCategories[id] { return named(category) }
            return .windowsEvent
        }
        if channel == "security" && id == 4688 { return .windowsProcessCreation }
        // The Kernel-File ETW provider (its Analytic channel, or a collector such as SilkETW
        // writing its events): a file opened (12, Create) and renamed (19, 27), which Sigma
        // calls file_access and file_rename.
        if provider == "microsoft-windows-kernel-file" {
            switch id {
            case 12: return named("file_access")
            case 19, 27: return named("file_rename")
            default: break
            }
        }
        if powershellChannels.contains(channel) {
            if id == 4104 { return named("ps_script") }
            if id == 4103 { return named("ps_module") }
        }
        if channel == classicPowerShellChannel {
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
}
