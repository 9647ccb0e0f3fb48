extension SignalKind {
    /// A Windows event by what it records, as Sigma's logsource categories name it: Sysmon's
    /// events by their id, Security 4688 as a process start, PowerShell's script and module
    /// logging. Every other Windows event is `windows.event`, told apart by its `Channel`.
    static func windows(_ category: String, _ displayName: String, aliases: [String] = []) -> SignalKind {
        SignalKind(name: "windows.\(category)", displayName: displayName, aliases: aliases, source: "windows")
    }

    public static let windowsEvent = windows("event", "Windows event", aliases: ["windows log", "event log", "evtx event"])
    public static let windowsProcessCreation = windows(
        "process_creation", "process started", aliases: ["process creation", "process start", "sysmon 1", "4688", "new process"])

    /// Sysmon's event ids and the Sigma category each belongs to.
    public static let sysmonCategories: [Int: String] = [
        1: "process_creation", 2: "file_change", 3: "network_connection", 4: "sysmon_status", 5: "process_termination",
        6: "driver_load", 7: "image_load", 8: "create_remote_thread", 9: "raw_access_thread", 10: "process_access",
        11: "file_event", 13: "registry_set", 14: "registry_rename", 15: "create_stream_hash", 16: "sysmon_status",
        17: "pipe_created", 18: "pipe_created", 19: "wmi_event", 20: "wmi_event", 21: "wmi_event", 22: "dns_query",
        23: "file_delete", 24: "clipboard_capture", 25: "process_tampering", 26: "file_delete", 27: "file_block_executable",
        28: "file_block_shredding", 29: "file_executable_detected", 255: "sysmon_error",
        // 12 is registry_add or registry_delete by its EventType (see WindowsKinds).
    ]

    public static let windowsKinds: [SignalKind] = [
        windowsEvent, windowsProcessCreation,
        windows("file_change", "file creation time changed", aliases: ["timestomp", "sysmon 2"]),
        windows("network_connection", "network connection", aliases: ["sysmon 3", "outbound connection"]),
        windows("sysmon_status", "Sysmon state or configuration changed", aliases: ["sysmon 4", "sysmon 16"]),
        windows("process_termination", "process ended", aliases: ["sysmon 5"]),
        windows("driver_load", "driver loaded", aliases: ["sysmon 6"]),
        windows("image_load", "DLL loaded", aliases: ["image load", "sysmon 7"]),
        windows("create_remote_thread", "remote thread created", aliases: ["sysmon 8", "thread injection"]),
        windows("raw_access_thread", "raw disk read", aliases: ["sysmon 9", "raw access"]),
        windows("process_access", "process opened by another", aliases: ["sysmon 10", "lsass access"]),
        windows("file_event", "file created", aliases: ["sysmon 11", "file create"]),
        windows("registry_add", "registry key created", aliases: ["sysmon 12"]),
        windows("registry_delete", "registry key or value deleted", aliases: ["registry delete"]),
        windows("registry_set", "registry value set", aliases: ["sysmon 13", "registry change"]),
        windows("registry_rename", "registry key renamed", aliases: ["sysmon 14"]),
        windows("create_stream_hash", "alternate data stream created", aliases: ["sysmon 15", "ads"]),
        windows("pipe_created", "named pipe created or connected", aliases: ["sysmon 17", "sysmon 18", "named pipe"]),
        windows("wmi_event", "WMI subscription", aliases: ["sysmon 19", "wmi persistence"]),
        windows("dns_query", "DNS query from a process", aliases: ["sysmon 22", "windows dns query"]),
        windows("file_delete", "file deleted", aliases: ["sysmon 23", "sysmon 26"]),
        windows("clipboard_capture", "clipboard captured", aliases: ["sysmon 24"]),
        windows("process_tampering", "process image tampered", aliases: ["sysmon 25", "process hollowing"]),
        windows("file_block_executable", "executable file blocked", aliases: ["sysmon 27"]),
        windows("file_block_shredding", "file shredding blocked", aliases: ["sysmon 28"]),
        windows("file_executable_detected", "executable file written", aliases: ["sysmon 29"]),
        windows("sysmon_error", "Sysmon error", aliases: ["sysmon 255"]),
        windows("file_access", "file opened", aliases: ["kernel-file 12", "file access"]),
        windows("file_rename", "file renamed", aliases: ["kernel-file 19", "file rename"]),
        windows("ps_script", "PowerShell script block", aliases: ["4104", "script block logging"]),
        windows("ps_module", "PowerShell pipeline execution", aliases: ["4103", "module logging"]),
        windows("ps_classic_start", "PowerShell engine started", aliases: ["powershell 400"]),
        windows("ps_classic_provider_start", "PowerShell provider started", aliases: ["powershell 600"]),
        windows("ps_classic_script", "PowerShell pipeline started", aliases: ["powershell 800"]),
    ]
}
