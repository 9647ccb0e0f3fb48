import Model

/// One Windows event, whichever way it arrived: an EVTX record or evtx_dump's JSON
/// (`Event.System`, `Event.EventData`), NXLog's flat JSON, Winlogbeat's ECS
/// (`winlog.event_data`), Wazuh's `data.win`, or event XML (Splunk's XmlWinEventLog). The
/// System part is kept under the names Sigma rules and evtx_dump's users write (`EventID`,
/// `Channel`, `Provider_Name`, `Computer`, `EventRecordID`, ...), the event data under Windows'
/// own names (`Image`, `CommandLine`, `TargetUserName`).
struct WindowsEvent: Sendable {
    /// System values by their flat names (see `systemNames`).
    var system = JSONObject()
    /// EventData (or UserData's one element) by the names Windows gave them.
    var data = JSONObject()
    /// The rendered message when the forwarder sent one (Winlogbeat, NXLog).
    var message: String?

    // By keys worked out once: normalizing reads each of these several times per event.
    var eventID: Int? { VendorJSON.int(system[Keys.shared.eventID]).flatMap { Int(exactly: $0) } }
    var channel: String? { system[Keys.shared.channel]?.stringValue }
    var provider: String? { system[Keys.shared.providerName]?.stringValue }
    var computer: String? { system[Keys.shared.computer]?.stringValue }
    var recordID: String? { WindowsEvent.recordText(recordValue) }
    /// The record number as read, for a reader that makes its text only if needed.
    var recordValue: JSONValue? { system[Keys.shared.eventRecordID] }

    /// A record number's text: a string as it is, a number in decimal.
    static func recordText(_ value: JSONValue?) -> String? { value.flatMap { $0.stringValue ?? VendorJSON.int($0).map(String.init) } }
    var timeText: String? { system[Keys.shared.systemTime]?.stringValue }

    /// When the event was written (TimeCreated), or why it cannot be read; `format` names the
    /// format in the reason.
    func time(format: String) throws(NormalizeError) -> Timestamp {
        guard let text = timeText else { throw NormalizeError("\(format): no TimeCreated SystemTime") }
        guard let time = Timestamp(parsing: text), Timestamp.plausible.contains(time.ms) else {
            throw NormalizeError("\(format): TimeCreated is not a time: \(text.prefix(60))")
        }
        return time
    }

    /// Event data by name, null and empty values as missing and Windows' `-` placeholder too.
    func text(_ name: String) -> String? {
        WindowsEvent.text(of: data[name])
    }

    /// A data value as `text` reads it.
    static func text(of value: JSONValue?) -> String? {
        guard let v = value else { return nil }
        let s: String?
        switch v {
        case .string(let t): s = t
        case .int(let n): s = String(n)
        case .double(let d): s = String(d)
        case .bool(let b): s = b ? "true" : "false"
        default: s = nil
        }
        // `-` is one byte (no other text is canonically it): the count first spares most
        // values a call to compare them.
        guard let s, !s.isEmpty, !(s.utf8.count == 1 && s == "-") else { return nil }
        return s
    }
}

extension WindowsEvent {
    // MARK: evtx_dump / EVTX records / NXLog's XML as JSON

    /// `{"Event": {"System": {...}, "EventData": {...}}}`, as the EVTX reader and evtx_dump
    /// write it (and NXLog's xm_xml to JSON).
    init?(eventJSON root: JSONValue) {
        let keys = Keys.shared
        guard case .object(let event)? = root[keys.event], case .object(let system)? = event[keys.system] else { return nil }
        self.system.reserveCapacity(system.count + 4)
        system.forEachMember { k, value in addSystem(k, value, keys) }
        if case .object(let d)? = event[keys.eventData] {
            data.reserveCapacity(d.count)
            // One object's keys differ from each other, and the data was empty.
            WindowsEvent.addData(d, into: &data, distinct: true)
        } else if let u = event[keys.userData] {
            addUserData(u)
        }
        if let info = event[keys.renderingInfo] { addRenderingInfo(info) }
    }

    /// evtx_dump's JSON line read member by member into the event, without the tree that
    /// `init?(eventJSON:)` takes apart (building it, copying its values out and freeing it was
    /// a third of reading such a line). The same event that parsing the line and
    /// `init?(eventJSON:)` make, or nil, and then the line is read that way: when it is not a
    /// lone `{"Event": {...}}` whose System is an object, when a key that matters is repeated
    /// (a parsed object keeps a repeated key's last value, which a reader going forward cannot
    /// know) or is not ASCII, or when it is not JSON.
    init?(eventJSON bytes: UnsafeBufferPointer<UInt8>, reader: JSONReader, scratch: inout LineScratch) {
        var c = JSONCursor(bytes, reader: reader)
        let keys = Keys.shared
        do throws(JSONParseError) {
            guard try c.enterObject(), let root = try c.nextKey(), root.equals(keys.event), try c.enterObject() else { return nil }
            var sawSystem = false, sawEventData = false, sawData = false
            var userData: JSONValue?, renderingInfo: JSONValue?
            while let k = try c.nextKey() {
                guard k.isASCII else { return nil }
                if k.equals(keys.system) {
                    guard !sawSystem, try c.enterObject() else { return nil }
                    sawSystem = true
                    system.reserveCapacity(64)  // the fields' size: they grow from it (`WindowsFields`)
                    scratch.keys.clear()
                    scratch.seen = .none
                    while let s = try c.nextKey() {
                        guard s.isASCII, !WindowsEvent.repeats(s, in: &scratch.keys, seen: &scratch.seen) else { return nil }
                        // `<Provider Name=... Guid=...>` and its like, read without their trees.
                        if let prefixed = keys.attributesOnly(s) {
                            let mark = c.mark
                            if try addAttributes(of: s, prefixed: prefixed, &c, &scratch.attributes, keys) { continue }
                            c.reset(to: mark)
                        }
                        addSystem(s, try c.value(), keys)
                    }
                } else if k.equals(keys.eventData) {
                    guard !sawEventData else { return nil }
                    sawEventData = true
                    guard try c.enterObject() else {
                        _ = try c.value()
                        continue
                    }
                    sawData = true
                    data.reserveCapacity(24)
                    while let d = try c.nextKey() {
                        guard d.isASCII else { return nil }
                        guard let v = WindowsEvent.dataValue(d, try c.value(), keys) else { continue }
                        guard !data.contains(d) else { return nil }
                        data.append(distinct: d, v)
                    }
                } else if k.equals(keys.userData) {
                    guard userData == nil else { return nil }
                    userData = try c.value()
                } else if k.equals(keys.renderingInfo) {
                    guard renderingInfo == nil else { return nil }
                    renderingInfo = try c.value()
                } else {
                    _ = try c.value()
                }
            }
            guard sawSystem, try c.nextKey() == nil, c.atEnd() else { return nil }
            if !sawData, let userData { addUserData(userData) }
            if let renderingInfo { addRenderingInfo(renderingInfo) }
        } catch {
            return nil
        }
    }

    /// Room a line's reading needs, kept from line to line rather than made for each.
    struct LineScratch {
        var keys = Refilled<JSONKey>()
        /// `keys`' bits: a key without its bit is not among them, with no look.
        var seen = JSONKeyBits.none
        var attributes = Refilled<(JSONKey, JSONValue)>()

        /// A list filled again for each line (or element), its elements written over rather
        /// than removed: `removeAll(keepingCapacity:)` takes the general path
        /// (`replaceSubrange`), a few hundred instructions however few the elements. Those
        /// past `count` are left from before, unread.
        struct Refilled<Element> {
            private var storage: [Element] = []
            private(set) var count = 0

            mutating func clear() { count = 0 }

            mutating func append(_ element: Element) {
                if count < storage.count { storage[count] = element } else { storage.append(element) }
                count += 1
            }

            /// The element at `i`, one of the first `count`.
            subscript(i: Int) -> Element { storage[i] }
        }
    }

    /// A System element of attributes only (`Provider`, `TimeCreated`: `Keys.attributesOnly`)
    /// read member by member, its `#attributes` added as `addSystem` adds them from its tree;
    /// false, having added nothing, when it is not an object whose `#attributes` is an object
    /// once, of keys each ASCII and there once (then the caller reads it whole).
    private mutating func addAttributes(
        of k: JSONKey, prefixed: Bool, _ c: inout JSONCursor, _ found: inout LineScratch.Refilled<(JSONKey, JSONValue)>, _ keys: Keys
    ) throws(JSONParseError) -> Bool {
        found.clear()
        guard try c.enterObject() else { return false }
        var sawAttributes = false
        while let m = try c.nextKey() {
            guard m.isASCII else { return false }
            guard m.equals(keys.attributes) else {
                _ = try c.value()  // the element's other members (`#text`) are not read
                continue
            }
            guard !sawAttributes, try c.enterObject() else { return false }
            sawAttributes = true
            while let n = try c.nextKey() {
                guard n.isASCII else { return false }
                for i in 0..<found.count where found[i].0.equals(n) { return false }
                found.append((n, try c.value()))
            }
        }
        for i in 0..<found.count { addAttribute(of: k, prefixed: prefixed, found[i].0, found[i].1, keys) }
        return true
    }

    /// Whether `key` is among `keys`; it is added when not.
    private static func repeats(_ key: JSONKey, in keys: inout LineScratch.Refilled<JSONKey>, seen: inout JSONKeyBits) -> Bool {
        if seen.mayHold(key) {
            for i in 0..<keys.count where keys[i].equals(key) { return true }
        }
        seen.add(key)
        keys.append(key)
        return false
    }

    /// One member of System under the flat names evtx_dump's users write; the same for a
    /// parsed tree and a line read member by member (`init?(eventJSON:reader:scratch:)`).
    /// Inlined in both: called as a method, it cost the tree's reading a twentieth.
    @inline(__always) private mutating func addSystem(_ k: JSONKey, _ value: JSONValue, _ keys: Keys) {
        // Keys are told apart by their tags before their strings (`JSONKey.equals`): a
        // `switch` over the key's `String` compared it with each case in turn.
        if k.equals(keys.eventID) {
            // `<EventID Qualifiers="16384">7036</EventID>` has attributes and text.
            if case .object(let o) = value {
                if let text = o[keys.text] { system[keys.eventID] = text }
                if let q = o[keys.attributes]?[keys.qualifiers] { system[keys.qualifiers] = q }
            } else {
                system[keys.eventID] = value
            }
        } else if let prefixed = keys.attributesOnly(k) {
            // `<Provider Name=... Guid=...>`: attributes only, TimeCreated's and Execution's
            // under their own names, the others' after their element's (`Provider_Name`).
            guard case .object(let attributes)? = value[keys.attributes] else { return }
            attributes.forEachMember { n, v in addAttribute(of: k, prefixed: prefixed, n, v, keys) }
        } else if case .object(let o) = value, let text = o[keys.text] {
            system[k] = text
        } else if case .null = value {
            return  // matched, not compared: `!= .null` was a call to the derived `==`
        } else {
            system[k] = value
        }
    }

    /// Attribute `n` of System element `k`: under its own name, or for a `prefixed` element
    /// after the element's (`Provider_Name`); null is no value.
    private mutating func addAttribute(of k: JSONKey, prefixed: Bool, _ n: JSONKey, _ v: JSONValue, _ keys: Keys) {
        if case .null = v { return }
        if !prefixed {
            system[n] = v
        } else if let known = keys.prefixedNames.first(where: { k.equals($0.element) && n.equals($0.attribute) }) {
            system[known.key] = v
        } else {
            system["\(k.name)_\(n.name)"] = v
        }
    }

    /// UserData, when there is no EventData object: one element of the provider's own
    /// schema, whose children are the data.
    private mutating func addUserData(_ value: JSONValue) {
        guard case .object(let u) = value else { return }
        for (_, inner) in u {
            if case .object(let d) = inner { WindowsEvent.addData(d, into: &data, distinct: false) }
        }
    }

    private mutating func addRenderingInfo(_ value: JSONValue) {
        if case .object(let info) = value, let m = info[Keys.shared.message]?.stringValue { message = m }
    }

    /// The names evtx_dump's JSON is read by, with their tags worked out once. An object, taken
    /// once per event and passed on (`Keys.shared`): each read of a `static let` is a call
    /// that makes sure it was made, and reading a line read them thirty times.
    private final class Keys: Sendable {
        static let shared = Keys()
        let event = JSONKey("Event"), system = JSONKey("System"), eventData = JSONKey("EventData")
        let userData = JSONKey("UserData"), renderingInfo = JSONKey("RenderingInfo")
        let message = JSONKey("Message"), attributes = JSONKey("#attributes"), text = JSONKey("#text")
        let eventID = JSONKey("EventID"), qualifiers = JSONKey("Qualifiers")
        let channel = JSONKey("Channel"), providerName = JSONKey("Provider_Name"), computer = JSONKey("Computer")
        let eventRecordID = JSONKey("EventRecordID"), systemTime = JSONKey("SystemTime")
        let data = JSONKey("Data")
        /// System elements of attributes only: those whose attributes keep their own names, and
        /// those whose attributes are named after the element (`Provider_Name`).
        let ownNamedAttributes = ["TimeCreated", "Execution"].map(JSONKey.init)
        let prefixedAttributes = ["Provider", "Security", "Correlation"].map(JSONKey.init)

        /// Their bits: most System keys are none of them, told without a look.
        let attributesOnlyBits: JSONKeyBits

        private init() { attributesOnlyBits = JSONKeyBits((ownNamedAttributes + prefixedAttributes).map(\.name)) }

        /// For an element of attributes only, whether its attributes are named after it.
        func attributesOnly(_ k: JSONKey) -> Bool? {
            guard attributesOnlyBits.mayHold(k) else { return nil }
            if prefixedAttributes.contains(where: k.equals) { return true }
            if ownNamedAttributes.contains(where: k.equals) { return false }
            return nil
        }
        /// The attributes whose flat names most events write, worked out once rather than
        /// joined for every event.
        let prefixedNames = [
            ("Provider", "Name"), ("Provider", "Guid"), ("Security", "UserID"), ("Correlation", "ActivityID"),
            ("Correlation", "RelatedActivityID"),
        ].map { (element: JSONKey($0.0), attribute: JSONKey($0.1), key: JSONKey("\($0.0)_\($0.1)")) }
    }

    /// EventData's keys as evtx_dump names them; unnamed data (`Data.#text`) stays `Data`, a
    /// list when there were several, as Sigma's classic PowerShell rules read it.
    /// `distinct`: `data` holds none of `d`'s keys, so each is added without looking for it.
    private static func addData(_ d: JSONObject, into data: inout JSONObject, distinct: Bool) {
        let keys = Keys.shared
        d.forEachMember { k, value in
            guard let v = dataValue(k, value, keys) else { return }
            if distinct { data.append(distinct: k, v) } else { data[k] = v }
        }
    }

    /// What an EventData member keeps of its value; nil for the element's own attributes.
    private static func dataValue(_ k: JSONKey, _ value: JSONValue, _ keys: Keys) -> JSONValue? {
        guard !k.equals(keys.attributes) else { return nil }
        if k.equals(keys.data), case .object(let o) = value, let text = o[keys.text] { return text }
        if case .object(let o) = value, let text = o[keys.text], o.count <= 2 { return text }
        return value
    }

    // MARK: event XML

    /// Event XML (Splunk's XmlWinEventLog, Sysmon for Linux, Windows Event Forwarding).
    init?(xml text: String) throws(EventXML.Failure) {
        let nodes = try EventXML.parse(text)
        self.init(eventJSON: EvtxJSON.document(nodes))
    }

    // MARK: Winlogbeat

    /// Winlogbeat's ECS document: `winlog.channel`, `winlog.event_id`, `winlog.provider_name`,
    /// `winlog.computer_name`, `winlog.record_id`, `winlog.event_data`, `winlog.user_data`.
    init?(winlogbeat e: JSONValue) {
        guard case .object(let w)? = e["winlog"], w["channel"] != nil || w["event_id"] != nil else { return nil }
        func put(_ name: String, _ v: JSONValue?) { if let v, v != .null { system[name] = v } }
        put("EventID", w["event_id"] ?? e.at("event.code"))
        put("Channel", w["channel"])
        put("Provider_Name", w["provider_name"] ?? e.at("event.provider"))
        put("Provider_Guid", w["provider_guid"])
        put("Computer", w["computer_name"] ?? e.at("host.name"))
        put("EventRecordID", w["record_id"])
        put("Task", w["task"])
        put("Opcode", w["opcode"])
        put("Version", w["version"])
        put("Keywords", w["keywords"])
        put("ProcessID", w["process"]?["pid"])
        put("ThreadID", w["process"]?["thread"]?["id"])
        put("Security_UserID", w["user"]?["identifier"])
        put("SystemTime", e["@timestamp"] ?? e.at("event.created"))
        if case .object(let d)? = w["event_data"] { for (k, v) in d { data[k] = v } }
        if case .object(let u)? = w["user_data"] {
            for (k, v) in u where k != "xml_name" { data[k] = v }
        }
        message = e["message"]?.stringValue
    }

    // MARK: NXLog

    /// NXLog's im_msvistalog as JSON (`to_json()`): System fields at the top under NXLog's own
    /// names, the event data beside them under Windows' names.
    init?(nxlog e: JSONValue) {
        guard case .object(let o) = e, o["EventID"] != nil, o["SourceName"] != nil || o["ProviderGuid"] != nil,
              o["Channel"] != nil, o["Hostname"] != nil || o["Computer"] != nil else { return nil }
        let own: [String: String] = [
            "EventID": "EventID", "Channel": "Channel", "SourceName": "Provider_Name", "ProviderGuid": "Provider_Guid",
            "Hostname": "Computer", "Computer": "Computer", "RecordNumber": "EventRecordID", "EventTime": "SystemTime",
            "Task": "Task", "Version": "Version", "Opcode": "Opcode", "Keywords": "Keywords", "ExecutionProcessID": "ProcessID",
            "ExecutionThreadID": "ThreadID", "UserID": "Security_UserID", "SeverityValue": "Level",
        ]
        // NXLog's bookkeeping, not the event's data.
        let nxlog: Set<String> = [
            "EventReceivedTime", "SourceModuleName", "SourceModuleType", "Severity", "EventType", "Category", "Opcode",
            "AccountName", "AccountType", "Domain", "Message", "ActivityID", "RelatedActivityID", "ThreadID", "ProcessID",
        ]
        for (key, value) in o {
            if let name = own[key] {
                if system[name] == nil { system[name] = value }
            } else if !nxlog.contains(key) {
                data[key] = value
            }
        }
        message = o["Message"]?.stringValue
    }

    // MARK: Wazuh

    /// Wazuh's `data.win.system` and `data.win.eventdata`, whose names Wazuh writes with a
    /// lower-case first letter (`eventID`, `commandLine`): given back Windows' own.
    init?(wazuh e: JSONValue) {
        guard case .object(let s)? = e.at("data.win.system") else { return nil }
        let names: [String: String] = [
            "eventID": "EventID", "channel": "Channel", "providerName": "Provider_Name", "providerGuid": "Provider_Guid",
            "computer": "Computer", "eventRecordID": "EventRecordID", "systemTime": "SystemTime", "processID": "ProcessID",
            "threadID": "ThreadID", "level": "Level", "task": "Task", "opcode": "Opcode", "keywords": "Keywords",
            "version": "Version", "severityValue": "SeverityValue", "message": "Message",
        ]
        for (key, value) in s {
            if key == "message" {
                message = value.stringValue
                continue
            }
            system[names[key] ?? WindowsEvent.capitalized(key)] = value
        }
        if case .object(let d)? = e.at("data.win.eventdata") {
            for (k, v) in d { data[WindowsEvent.capitalized(k)] = WindowsEvent.undoubled(v) }
        }
        inferChannel()
    }

    /// Providers that write to one channel only, for forwarders that leave the channel out:
    /// rules select Security and Sysmon events by it.
    static let channelOfProvider: [String: String] = [
        "microsoft-windows-security-auditing": "Security",
        "microsoft-windows-sysmon": "Microsoft-Windows-Sysmon/Operational",
    ]

    mutating func inferChannel() {
        guard system["Channel"] == nil, let p = provider?.lowercased(), let channel = WindowsEvent.channelOfProvider[p] else { return }
        system["Channel"] = .string(channel)
    }

    /// Wazuh's eventchannel decoder writes each backslash of a value twice
    /// (`C:\\\\Windows\\\\System32`); a path rule needs them as Windows wrote them.
    static func undoubled(_ v: JSONValue) -> JSONValue {
        guard case .string(let s) = v, s.contains("\\\\") else { return v }
        return .string(s.replacingOccurrences(of: "\\\\", with: "\\"))
    }

    /// `commandLine` -> `CommandLine`; Wazuh lower-cases only the first letter.
    static func capitalized(_ key: String) -> String {
        guard let first = key.first else { return key }
        return first.uppercased() + key.dropFirst()
    }
}
