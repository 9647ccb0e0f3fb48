import Model
import Positron
import SignalServer
import Store

/// JSON forms the CLI prints with `--json` (`rules list`, `simulate`, `query`), for the API.
enum APIJSON {
    static func rule(_ r: StoredRule) -> JSONValue {
        .object([
            "id": .int(r.id), "name": .string(r.name), "version": .int(Int64(r.version)), "language": .string(r.language),
            "enabled": .bool(r.enabled), "text": .string(r.text), "updated_at": .string(r.updatedAt.iso8601), "updated_by": .string(r.updatedBy),
        ])
    }

    static func simulation(_ r: SimulationReport, top: Int) -> JSONValue {
        func alert(_ a: SimulatedAlert) -> JSONValue {
            .object(["key": .string(a.key), "fired_at": .string(a.firedAt.iso8601), "signals": .array(a.signals.map { .int($0) }), "firing": .int(Int64(a.firing))])
        }
        return .object([
            "alerts": .int(Int64(r.alerts.count)), "signals_read": .int(Int64(r.signalsRead)), "signals_matched": .int(Int64(r.signalsMatched)),
            "from": .string(r.from.iso8601), "to": .string(r.to.iso8601),
            "per_day": .array(r.perDay.map { .object(["day": .string($0.day), "alerts": .int(Int64($0.alerts))]) }),
            "top_keys": .array(r.topKeys(top).map { .object(["key": .string($0.key), "alerts": .int(Int64($0.alerts)), "signals": .int(Int64($0.signals))]) }),
            "list": .array(r.alerts.map(alert)),
        ])
    }
}
