import Model

/// Sysmon for Linux: its events are Sysmon's event XML, written to syslog by the program
/// `sysmon` (`Nov 24 09:59:47 host sysmon: <Event><System><Provider Name="Linux-Sysmon"...`).
/// The XML is read as Windows' is (`WindowsEvent`, the same field names: `Image`,
/// `CommandLine`, `ParentImage`, `User`, `TargetFilename`, `DestinationIp`), so SigmaHQ's Linux
/// process_creation, file_event and network_connection rules read it unchanged.
///
/// Kind by event id: 1 `linux.process_creation`, 3 `linux.network_connection`, 11
/// `linux.file_event`, 23 `linux.file_delete`, any other `linux.sysmon`.
struct SysmonLinuxFormat: Format {
    let name = "sysmon-linux"

    func accepts(_ record: Record) -> Bool {
        guard let line = record.line, line.contains("<Event") else { return false }
        let m = Syslog.parse(line, reference: .now)
        return m.appName?.lowercased() == "sysmon" && EventXML.looksLikeEvent(m.message[...])
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard let line = record.line else { throw NormalizeError("sysmon-linux: expected a syslog line") }
        let m = Syslog.parse(line, reference: .now)
        let parsed: WindowsEvent?
        do {
            parsed = try WindowsEvent(xml: m.message)
        } catch {
            throw NormalizeError("sysmon-linux: \(error.reason)")
        }
        guard var event = parsed else { throw NormalizeError("sysmon-linux: the event XML has no <Event><System>") }
        if event.computer == nil, let host = m.hostname { event.system["Computer"] = .string(host) }
        let kind: SignalKind
        switch event.eventID {
        case 1: kind = .linuxProcessStart
        case 3: kind = .linuxNetworkConnection
        case 11: kind = .linuxFileEvent
        case 23: kind = .linuxFileDelete
        case nil: throw NormalizeError("sysmon-linux: no EventID")
        default: kind = .linuxSysmon
        }
        let time = try event.time(format: "sysmon-linux")
        let fields = WindowsFields.fields(event, kind: kind)
        let host = event.computer.map { " on \($0)" } ?? ""
        let process = fields["process.name"]?.stringValue ?? "a process"
        let title: String
        switch kind {
        case .linuxProcessStart:
            title = "\(process) started\(fields["process.parent.name"]?.stringValue.map { " from \($0)" } ?? "")\(fields["user.name"]?.stringValue.map { " by \($0)" } ?? "")\(host)"
        case .linuxNetworkConnection:
            let port = fields["destination.port"].flatMap { VendorJSON.int($0) }.map { ":\($0)" } ?? ""
            title = "\(process) connected to \(fields["destination.ip"]?.stringValue ?? "?")\(port)\(host)"
        case .linuxFileEvent, .linuxFileDelete:
            title = "\(kind.displayName): \(fields["file.path"]?.stringValue ?? "?")\(host)"
        default:
            title = "Sysmon for Linux \(event.eventID ?? 0)\(host)"
        }
        let ref = event.recordID.map { "\(event.computer ?? "")/Linux-Sysmon/\($0)" }
        return [Normalized(
            time: time, source: "sysmon", sourceRef: ref, kind: kind, severity: .info, title: title, fields: fields,
            raw: record.raw, texts: ["CommandLine", "ParentCommandLine", "TargetFilename"].compactMap(event.text))]
    }
}
