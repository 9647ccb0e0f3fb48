import AlertEngine
import Model
import Store

/// Export formats an analyst can ask for.
public enum ExportFormat: String, Choice {
    case json, csv
}

/// A whole case, as `taser case export` writes it: fields, every log entry with its hashes, every
/// alert with its signals (raw and normalized), every artifact with its links, and the cases
/// merged into it with their logs. Artifacts carry what Positron said of them (additive, so the
/// format stays version 1).
public struct CaseExport: Codable, Sendable {
    public static let formatName = "taser.case-export"
    public static let formatVersion = 1

    public var detail: CaseDetail
    public var signals: [Int64: [Signal]]
    public var signalArtifacts: [Int64: [(artifact: Artifact, role: String)]]
    /// Each updated signal's earlier revisions (its tool's raw bodies before the latest).
    public var earlierRevisions: [Int64: [SignalRevision]] = [:]
    public var merged: [CaseDetail]
    /// The latest answer of each query about each artifact.
    public var enrichments: [Int64: [Enrichment]] = [:]
    public var exportedAt: Timestamp
    public var exportedBy: String
}

extension Engine {
    public func exportCase(_ id: Int64) throws -> CaseExport {
        let detail = try caseDetail(id)
        return try read { tx in
            var signals: [Int64: [Signal]] = [:]
            var links: [Int64: [(artifact: Artifact, role: String)]] = [:]
            var revisions: [Int64: [SignalRevision]] = [:]
            for alert in detail.alerts {
                let list = try tx.signals(ofAlert: alert.id)
                signals[alert.id] = list
                for s in list where links[s.id] == nil { links[s.id] = try tx.artifacts(ofSignal: s.id) }
                for s in list where s.revision > 1 { revisions[s.id] = try tx.revisions(ofSignal: s.id).dropLast() }
            }
            // Merged cases travel with the case they went into, when the asker may read them.
            let merged = try detail.mergedFrom.compactMap { other -> CaseDetail? in
                let access = try tx.caseAccess(other, for: actor)
                guard access >= .read, let c = try tx.storedCase(other) else { return nil }
                return try self.detail(of: c, access: access, tx)
            }
            var enrichments: [Int64: [Enrichment]] = [:]
            for item in detail.artifacts { enrichments[item.artifact.id] = try tx.enrichments(of: item.artifact.id) }
            return CaseExport(
                detail: detail, signals: signals, signalArtifacts: links, earlierRevisions: revisions, merged: merged, enrichments: enrichments,
                exportedAt: clock(), exportedBy: actor.name)
        }
    }
}

// MARK: - JSON

extension CaseExport {
    public var json: JSONValue {
        .object([
            "format": .string(CaseExport.formatName),
            "format_version": .int(Int64(CaseExport.formatVersion)),
            "exported_at": .string(exportedAt.iso8601),
            "exported_by": .string(exportedBy),
            "case": detail.case.json(shares: detail.shares),
            "log": .array(detail.log.map(\.json)),
            // Each Slack entry's data names its channel (`slack_channel`): this says which one it is.
            "channels": .array(detail.channels.map(\.json)),
            "alerts": .array(detail.alerts.map { alert in
                var a = alert.jsonObject
                a["signals"] = .array((signals[alert.id] ?? []).map {
                    $0.json(with: signalArtifacts[$0.id] ?? [], earlier: earlierRevisions[$0.id] ?? [])
                })
                return .object(a)
            }),
            "artifacts": .array(detail.artifacts.map { item in
                var a = item.artifact.jsonObject
                a["roles"] = .array(item.roles.map { .string($0) })
                a["signals"] = .int(Int64(item.signals))
                a["added_by_hand"] = .bool(item.addedByHand)
                a["links"] = .array(artifactLinks(item.artifact.id))
                a["enrichments"] = .array((enrichments[item.artifact.id] ?? []).map(\.json))
                return .object(a)
            }),
            "merged_cases": .array(merged.map { m in
                ["case": m.case.json(shares: m.shares), "log": .array(m.log.map(\.json)),
                 "alerts": .array(m.alerts.map { .int($0.id) })]
            }),
        ])
    }

    /// Where an artifact appears in the case: which signal of which alert, in which role.
    func artifactLinks(_ artifactID: Int64) -> [JSONValue] {
        var out: [JSONValue] = []
        for alert in detail.alerts {
            for signal in signals[alert.id] ?? [] {
                for link in signalArtifacts[signal.id] ?? [] where link.artifact.id == artifactID {
                    out.append(["alert": .int(alert.id), "signal": .int(signal.id), "role": .string(link.role)])
                }
            }
        }
        return out
    }
}

extension Case {
    public func json(shares: [CaseShare]) -> JSONValue { .object(jsonObject(shares: shares)) }

    public func jsonObject(shares: [CaseShare]) -> JSONObject {
        JSONObject([
            "id": .int(id), "title": .string(title), "description": .string(description), "status": .string(status.rawValue),
            "severity": .string(severity.name), "tlp": .string(tlp.rawValue), "pap": .string(pap.rawValue),
            "owner": JSONValue(owner), "team": JSONValue(team), "tags": .array(tags.map { .string($0) }),
            "custom_fields": .object(customFields), "created_at": .string(createdAt.iso8601), "created_by": .string(createdBy),
            "updated_at": .string(updatedAt.iso8601), "closed_at": JSONValue(closedAt), "resolution": JSONValue(resolution?.rawValue),
            "merged_into": JSONValue(mergedInto),
            "shares": .array(shares.map { ["team": .string($0.team), "level": .string($0.level.rawValue)] }),
        ])
    }
}

extension CaseChannel {
    public var json: JSONValue {
        [
            "number": .int(number), "endpoint": .string(endpoint), "slack_id": JSONValue(slackID), "name": JSONValue(name),
            "requested_at": .string(requestedAt.iso8601), "requested_by": .string(requestedBy),
            "created_at": createdAt.map { .string($0.iso8601) } ?? .null,
        ]
    }
}

extension LogEntry {
    public var json: JSONValue { .object(jsonObject) }

    public var jsonObject: JSONObject {
        JSONObject([
            "id": .int(id), "case": .int(caseID), "seq": .int(seq), "time": .string(time.iso8601), "time_ms": .int(time.ms),
            "author": .string(author), "kind": .string(kind.rawValue), "body": .string(body),
            // Kept as the stored text too: the hash covers that exact text.
            "data": data.flatMap { try? JSONValue.parse($0) } ?? .null, "data_text": JSONValue(data),
            "corrects": JSONValue(corrects), "prev_hash": .string(prevHash), "hash": .string(hash), "seal": .string(seal.rawValue),
        ])
    }
}

extension Alert {
    public var json: JSONValue { .object(jsonObject) }

    public var jsonObject: JSONObject {
        JSONObject([
            "id": .int(id), "rule": .string(rule), "group_key": .string(groupKey), "first_signal_at": JSONValue(firstSignalAt),
            "last_signal_at": JSONValue(lastSignalAt), "status": .string(status.rawValue), "severity": .string(severity.name),
            "title": .string(title), "team": JSONValue(team), "case": JSONValue(caseID), "created_at": .string(createdAt.iso8601),
            "updated_at": .string(updatedAt.iso8601), "signal_count": .int(Int64(signalCount)),
            "closed": closing.map { ["reason": .string($0.reason.rawValue), "by": .string($0.by), "at": .string($0.at.iso8601)] } ?? .null,
        ])
    }
}

extension Signal {
    public var json: JSONValue { .object(jsonObject) }

    public var jsonObject: JSONObject {
        JSONObject([
            "id": .int(id), "time": .string(time.iso8601), "source": .string(source), "source_ref": .string(sourceRef),
            "kind": .string(kind), "severity": .string(severity.name), "title": .string(title), "fields": .object(fields),
            "raw": .string(raw), "ingested_at": .string(ingestedAt.iso8601), "revision": .int(Int64(revision)),
        ])
    }
}

extension Signal {
    /// The signal with the artifacts it mentions, each with its role, and (for an updated
    /// signal) the raw bodies of its earlier revisions, oldest first.
    public func json(with artifacts: [(artifact: Artifact, role: String)], earlier: [SignalRevision] = []) -> JSONValue {
        var s = jsonObject
        s["artifacts"] = .array(artifacts.map { link in
            ["type": .string(link.artifact.type.rawValue), "value": .string(link.artifact.value), "role": .string(link.role)]
        })
        if !earlier.isEmpty {
            s["earlier_revisions"] = .array(earlier.map {
                ["revision": .int(Int64($0.revision)), "ingested_at": .string($0.ingestedAt.iso8601), "raw": .string($0.raw)]
            })
        }
        return .object(s)
    }
}

extension Artifact {
    public var json: JSONValue { .object(jsonObject) }

    public var jsonObject: JSONObject {
        var o = JSONObject([
            "id": .int(id), "type": .string(type.rawValue), "value": .string(value), "first_seen": .string(firstSeen.iso8601),
            "last_seen": .string(lastSeen.iso8601),
        ])
        if let scope { o["scope"] = .string(scope) }
        return o
    }

    /// For an IP: where it lives (public, private, loopback, link-local, multicast, reserved,
    /// unspecified), so a reader of an export or a pivot tells 10.20.30.40 from an attacker.
    public var scope: String? {
        guard type == .ip, let address = IPAddress(value) else { return nil }
        return address.scope.rawValue
    }

    /// The value as lists show it: an IP with its scope (`10.20.30.40 (private)`).
    public var shownValue: String { value + (scope.map { " (\($0))" } ?? "") }
}

// MARK: - CSV

extension CaseExport {
    /// One RFC 4180 table: a `record` column says what each row is (case, log, alert, signal,
    /// signal_revision (an updated signal's earlier raw body; `seq` is the revision), artifact,
    /// link, enrichment, channel (a Slack channel: `seq` its number, `value` Slack's id, `title`
    /// its name, `source` the endpoint)), so the whole case loads into a spreadsheet or `csvkit`
    /// and filters by kind. A log row from a Slack channel has the channel's id in `source`: one
    /// folder per channel, as in the console.
    public static let csvColumns = [
        "record", "case", "id", "seq", "time", "author", "kind", "source", "type", "value", "role", "alert", "signal",
        "title", "status", "severity", "body", "data", "fields", "raw", "corrects", "prev_hash", "hash", "seal",
    ]

    public var csv: String {
        var out = CSVWriter(columns: CaseExport.csvColumns)
        let c = detail.case
        let caseID = String(c.id)
        var fields = c.jsonObject(shares: detail.shares)
        for key in ["id", "title", "description", "status", "severity", "created_at", "created_by"] { fields[key] = nil }
        out.append([
            "record": "case", "case": caseID, "id": caseID, "time": c.createdAt.iso8601, "author": c.createdBy, "title": c.title,
            "status": c.status.rawValue, "severity": c.severity.name, "body": c.description, "data": JSONValue.object(fields).text,
        ])
        for entry in detail.log + merged.flatMap(\.log) {
            out.append([
                "record": "log", "case": String(entry.caseID), "id": String(entry.id), "seq": String(entry.seq), "source": entry.slackChannel ?? "",
                "time": entry.time.iso8601, "author": entry.author, "kind": entry.kind.rawValue, "body": entry.body,
                "data": entry.data ?? "", "corrects": entry.corrects.map(String.init) ?? "", "prev_hash": entry.prevHash,
                "hash": entry.hash, "seal": entry.seal.rawValue,
            ])
        }
        for channel in detail.channels {
            out.append([
                "record": "channel", "case": caseID, "id": String(channel.number), "seq": String(channel.number),
                "time": channel.requestedAt.iso8601, "author": channel.requestedBy, "source": channel.endpoint,
                "value": channel.slackID ?? "", "title": channel.name ?? "", "status": channel.isCreated ? "created" : "requested",
                "data": channel.json.text,
            ])
        }
        for alert in detail.alerts {
            out.append([
                "record": "alert", "case": caseID, "id": String(alert.id), "alert": String(alert.id),
                "time": alert.firstSignalAt?.iso8601 ?? "", "kind": alert.rule, "value": alert.groupKey, "title": alert.title,
                "status": alert.status.rawValue, "severity": alert.severity.name, "data": alert.json.text,
            ])
            for signal in signals[alert.id] ?? [] {
                out.append([
                    "record": "signal", "case": caseID, "id": String(signal.id), "alert": String(alert.id), "signal": String(signal.id),
                    "time": signal.time.iso8601, "kind": signal.kind, "source": signal.source, "value": signal.sourceRef,
                    "title": signal.title, "severity": signal.severity.name, "fields": JSONValue.object(signal.fields).text,
                    "raw": signal.raw, "seq": String(signal.revision),
                ])
                for earlier in earlierRevisions[signal.id] ?? [] {
                    out.append([
                        "record": "signal_revision", "case": caseID, "id": String(signal.id), "alert": String(alert.id),
                        "signal": String(signal.id), "seq": String(earlier.revision), "time": earlier.ingestedAt.iso8601,
                        "raw": earlier.raw,
                    ])
                }
                for link in signalArtifacts[signal.id] ?? [] {
                    out.append([
                        "record": "link", "case": caseID, "id": String(link.artifact.id), "alert": String(alert.id),
                        "signal": String(signal.id), "type": link.artifact.type.rawValue, "value": link.artifact.value,
                        "role": link.role,
                    ])
                }
            }
        }
        for item in detail.artifacts {
            out.append([
                "record": "artifact", "case": caseID, "id": String(item.artifact.id), "type": item.artifact.type.rawValue,
                "value": item.artifact.value, "role": item.roles.joined(separator: " "), "time": item.artifact.firstSeen.iso8601,
                "data": JSONValue.object([
                    "first_seen": .string(item.artifact.firstSeen.iso8601), "last_seen": .string(item.artifact.lastSeen.iso8601),
                    "signals": .int(Int64(item.signals)), "added_by_hand": .bool(item.addedByHand),
                ]).text,
            ])
            for e in enrichments[item.artifact.id] ?? [] {
                out.append([
                    "record": "enrichment", "case": caseID, "id": String(item.artifact.id), "type": item.artifact.type.rawValue,
                    "value": item.artifact.value, "kind": e.query, "source": e.plugins.joined(separator: " "), "time": e.time.iso8601,
                    "data": e.answer,
                ])
            }
        }
        return out.text
    }
}
