import Model

/// Windows events, from an EVTX file (read natively, see Sources/AlertEngine/Evtx) or a
/// forwarder: evtx_dump's and NXLog's `{"Event": {"System": ..., "EventData": ...}}` JSON,
/// NXLog's flat im_msvistalog JSON, Winlogbeat's ECS documents (`winlog.*`), and event XML
/// (Splunk's XmlWinEventLog, alone on a line or as the `_raw` of Splunk's JSON export).
/// Wazuh's `data.win` alerts are read by the Wazuh format with the same code.
///
/// Kind by Sigma's logsource taxonomy (`WindowsKinds`); fields under Windows' own names with
/// ECS beside them (`WindowsFields`). Identity: the computer, channel and record number, so
/// the same event from an EVTX file and a forwarder is stored once.
struct WindowsEventFormat: Format {
    let name = "windows"
    /// The ECS names are left out of the signal, to be added when asked for
    /// (`Normalized.derived`), unless the event has a key of one of their names.
    var derivesLater = false

    private enum Keys {
        static let event = JSONKey("Event"), system = JSONKey("System")
    }

    func accepts(_ record: Record) -> Bool {
        switch record.payload {
        case .json(let e):
            if case .object(let event)? = e[Keys.event], event[Keys.system] != nil { return true }
            if case .object(let w)? = e["winlog"], w["event_id"] != nil || w["channel"] != nil { return true }
            if let raw = e["_raw"]?.stringValue, EventXML.looksLikeEvent(raw[...]) { return true }
            return WindowsEvent(nxlog: e) != nil
        case .line(let line):
            return EventXML.looksLikeEvent(line[...])
        case .windowsEvent:
            return true
        default:
            return false
        }
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        [try signal(record)]
    }

    /// Every record makes one signal.
    func normalizeOne(_ record: Record) throws(NormalizeError) -> Normalized? {
        try signal(record)
    }

    private func signal(_ record: Record) throws(NormalizeError) -> Normalized {
        let event: WindowsEvent
        switch record.payload {
        case .json(let e):
            if let parsed = WindowsEvent(eventJSON: e) ?? WindowsEvent(winlogbeat: e) {
                event = parsed
            } else if let raw = e["_raw"]?.stringValue {
                event = try xml(raw)
            } else if let parsed = WindowsEvent(nxlog: e) {
                event = parsed
            } else {
                throw NormalizeError("windows: neither Event.System, winlog, _raw event XML nor NXLog's fields")
            }
        case .line(let line):
            event = try xml(line)
        case .windowsEvent(let line):
            event = try line.take(line: record.rawBody)
        default:
            throw NormalizeError("windows: expected a JSON object or event XML")
        }
        return try WindowsEventFormat.signal(event, source: "windows", raw: record.rawBody, derivesLater: derivesLater)
    }

    private func xml(_ text: String) throws(NormalizeError) -> WindowsEvent {
        let parsed: WindowsEvent?
        do {
            parsed = try WindowsEvent(xml: text)
        } catch {
            throw NormalizeError("windows: \(error.reason)")
        }
        guard let parsed else { throw NormalizeError("windows: the event XML has no <Event><System>") }
        return parsed
    }

    /// The event data worth scanning for artifacts, in this order, then the message.
    private static let textNames: [WindowsData.Name] = [.commandLine, .parentCommandLine, .scriptBlockText, .payload, .queryName, .targetFilename, .details]

    /// The texts of an event with this data (in `fields`) and message.
    static func texts(_ data: WindowsData, in fields: JSONObject, message: String?) -> [String] {
        var texts: [String] = []
        for name in textNames {
            if let t = data.text(name, in: fields) { texts.append(t) }
        }
        if let message { texts.append(message) }
        return texts
    }

    /// A signal's ECS names and texts, left out until asked for.
    final class Derived: DerivedFields {
        let ecs: WindowsECS
        let message: String?

        init(ecs: WindowsECS, message: String?) {
            self.ecs = ecs
            self.message = message
        }

        func addShown(to fields: inout JSONObject) { ecs.addShown(to: &fields) }
        func addRest(to fields: inout JSONObject) { ecs.addRest(to: &fields) }
        func texts(of fields: JSONObject) -> [String] { WindowsEventFormat.texts(ecs.data, in: fields, message: message) }
    }

    /// The signal of a Windows event: its time, kind, fields, title and identity.
    static func signal(
        _ event: consuming WindowsEvent, source: String, raw: RawBody, derivesLater: Bool
    ) throws(NormalizeError) -> Normalized {
        guard let eventID = event.eventID else {
            throw NormalizeError("windows: no EventID (\(event.system["EventID"]?.text.prefix(40) ?? "missing"))")
        }
        let time = try event.time(format: "windows")
        // Read before the fields take the event's System part (`WindowsFields.ownFields`).
        let channel = event.channel
        let severity = WindowsFields.severity(eventID: eventID, channel: channel, level: event.system[WindowsFields.levelKey])
        let message = event.message
        // The event data's values are looked up in the same pass that makes the fields, once
        // for the kind, the ECS names and the texts.
        let (own, derived) = WindowsFields.ownFields(event, read: (eventID, channel))
        let kind = derived.kind
        var fields = consume own
        // An event with a key of an ECS name (which the ECS value replaces) gets them at once.
        let later = derivesLater && derived.fresh
        if !later { derived.add(to: &fields) }
        // The title and reference are made from the fields when read (most events a hunt reads
        // are never shown): the System values they name are the fields' own.
        // Made whole in one step: a signal changed after it was made was copied once more.
        return Normalized(
            time: time, source: source, sourceRef: { WindowsFields.ref($0) }, kind: kind, severity: severity,
            title: { WindowsFields.title(kind: $0, fields: $1) }, fields: fields, rawBody: raw,
            texts: later ? [] : texts(derived.data, in: fields, message: message), derived: later ? Derived(ecs: derived, message: message) : nil)
    }
}
