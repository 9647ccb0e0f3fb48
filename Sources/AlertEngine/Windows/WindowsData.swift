import Model

/// The event data values that normalizing a Windows event reads (`WindowsFields`,
/// `WindowsKinds`, a signal's texts), found in one pass over the data rather than by scanning
/// it once per name: an event is read by some sixty names and holds a dozen.
struct WindowsData: Sendable {
    /// The names, in the order of `keys`: the system-owned ones last.
    enum Name: Int, CaseIterable {
        case image, newProcessName, processName, commandLine, parentImage, parentProcessName, parentCommandLine
        case newProcessId, processId, parentProcessId, processGuid, currentDirectory, originalFileName, user
        case targetUserName, targetDomainName, subjectUserName, subjectDomainName, targetUserSid, subjectUserSid
        case logonType, ipAddress, sourceIp, sourceAddress, clientAddress, ipPort, sourcePort, destinationIp
        case destAddress, destinationPort, destPort, destinationHostname, sourceHostname, workstationName
        case networkProtocol, queryName, objectName, fileName, targetFilename, imageLoaded, targetObject, details
        case newValue, serviceName, serviceFileName, imagePath, scriptBlockText, taskName, hashes, hash, eventType
        case targetImage, sourceImage, payload
        // System names a data value of the same name must not replace: rules select on them
        // (the data value is kept as `EventData_<name>`: `WindowsFields.ownFields`).
        case eventID, channel, providerName, computer, eventRecordID
    }

    /// Each name's data key, by `Name.rawValue`.
    static let keys: [String] = [
        "Image", "NewProcessName", "ProcessName", "CommandLine", "ParentImage", "ParentProcessName",
        "ParentCommandLine", "NewProcessId", "ProcessId", "ParentProcessId", "ProcessGuid", "CurrentDirectory",
        "OriginalFileName", "User", "TargetUserName", "TargetDomainName", "SubjectUserName", "SubjectDomainName",
        "TargetUserSid", "SubjectUserSid", "LogonType", "IpAddress", "SourceIp", "SourceAddress", "ClientAddress",
        "IpPort", "SourcePort", "DestinationIp", "DestAddress", "DestinationPort", "DestPort", "DestinationHostname",
        "SourceHostname", "WorkstationName", "Protocol", "QueryName", "ObjectName", "FileName", "TargetFilename",
        "ImageLoaded", "TargetObject", "Details", "NewValue", "ServiceName", "ServiceFileName", "ImagePath",
        "ScriptBlockText", "TaskName", "Hashes", "Hash", "EventType", "TargetImage", "SourceImage", "Payload",
        "EventID", "Channel", "Provider_Name", "Computer", "EventRecordID",
    ]

    static let table = JSONKeyTable(keys)
    /// The `Name.rawValue` of each of the table's keys (the table sorts them), by table position.
    private static let nameAt: [Int] = table.keys.map { key in keys.firstIndex(of: key) ?? -1 }

    /// The event data it reads, and per name (`Name.rawValue`, at most 64) the position of its
    /// member there plus one, 0 when absent: positions rather than the values, so that making,
    /// passing and dropping it retains and releases nothing but the data (64 optional values
    /// were 2 KiB to fill and to destroy per event).
    private let data: JSONObject
    private let positions: InlineArray<64, UInt16>

    /// The values of `data` that the table names.
    init(_ data: JSONObject) {
        var positions = Positions()
        var i = 0
        data.forEachMember(in: WindowsData.table) { _, _, p in
            positions.note(p, member: i)
            i += 1
        }
        self.init(data, positions)
    }

    /// The data with the positions of its members found while it was read for something
    /// else (`WindowsFields.ownFields`).
    init(_ data: JSONObject, _ positions: Positions) {
        self.data = data
        self.positions = positions.byName
    }

    /// Per name, where its member is, as the members are met in order.
    struct Positions {
        fileprivate var byName = InlineArray<64, UInt16>(repeating: 0)

        /// The member at `member` has the key at `p` in `WindowsData.table`, if any; whether
        /// that key is one of the names a data value must not replace (`Name.eventID` on). A
        /// member past the 65,534th is not looked up by name (no event has so many).
        /// (One answer for both: each read of `nameAt` is a call that makes sure it was made.)
        @discardableResult
        mutating func note(_ p: Int?, member i: Int) -> Bool {
            guard let p, p >= 0, p < WindowsData.nameAt.count else { return false }
            let n = WindowsData.nameAt[p]
            guard n >= 0, n < 64 else { return false }
            if i < Int(UInt16.max) { byName[n] = UInt16(truncatingIfNeeded: i + 1) }
            return n >= Name.eventID.rawValue
        }
    }

    func value(_ name: Name) -> JSONValue? {
        // By subscript: through `span`, the whole value (152 bytes) was first copied to the stack.
        let p = Int(positions[name.rawValue])
        return p == 0 ? nil : data.value(at: p - 1)
    }

    /// As `WindowsEvent.text`: null and empty values as missing, and Windows' `-` placeholder.
    func text(_ name: Name) -> String? {
        WindowsEvent.text(of: value(name))
    }

    /// `WindowsFields.number(text(name) ?? text(other))`, an integer read as it is rather than
    /// written out as text to be parsed again (process ids and ports, on most events).
    func number(_ name: Name, or other: Name? = nil) -> Int64? {
        let v = value(name)
        let chosen = WindowsEvent.text(of: v) != nil || other == nil ? v : other.flatMap(value)
        if case .int(let n)? = chosen { return n }
        return WindowsFields.number(WindowsEvent.text(of: chosen))
    }
}
