import AlertEngine
import Engine
import Hummingbird
import Model
import Positron
import SignalServer
import Store

/// The engine's errors as HTTP answers. A case or alert the analyst may not read is a 404 with
/// the same words as one that does not exist: the API leaks no more than the CLI.
enum Refusals {
    static func from(_ error: any Error) -> Refusal {
        switch error {
        case let e as EngineError:
            switch e {
            case .caseNotFound: return Refusal(.notFound, "case_not_found", e.description)
            case .alertNotFound: return Refusal(.notFound, "alert_not_found", e.description)
            case .artifactNotFound: return Refusal(.notFound, "artifact_not_found", e.description)
            case .readOnlyCase, .notAdmin, .notTeamMember: return Refusal(.forbidden, "forbidden", e.description)
            case .invalidTransition, .alertAlreadyInCase, .alertInCase, .alreadyMerged: return Refusal(.conflict, "conflict", e.description)
            default: return Refusal(.badRequest, "invalid", e.description)
            }
        case let e as RuleError:
            var message = e.description
            if let excerpt = e.excerpt { message += "\n" + excerpt }
            var extra: [String: JSONValue] = [:]
            if let line = e.line { extra["line"] = .int(Int64(line)) }
            if let column = e.column { extra["column"] = .int(Int64(column)) }
            return Refusal(.badRequest, "invalid_rule", message, extra: extra)
        case let e as PositronError:
            switch e {
            case .notAllowed: return Refusal(.forbidden, "query_not_allowed", e.description)
            case .unknownQuery: return Refusal(.notFound, "unknown_query", e.description)
            case .badInput: return Refusal(.badRequest, "bad_query_input", e.description)
            // Its details name files and secrets: they go to the server's log, not to the caller.
            case .config: return Refusal(.internalServerError, "positron_config", "the query service is not set up right; the server's log says why")
            }
        case let e as IngestError:
            return Refusal(.badRequest, "invalid_ingest", e.description)
        case let e as StoreError:
            if case .busy = e { return Refusal(.serviceUnavailable, "database_busy", e.description) }
            if case .readOnly = e { return Refusal(.serviceUnavailable, "database_read_only", e.description) }
            return Refusal(.internalServerError, "database_error", "the database refused the request; see the server's log")
        default:
            return Refusal(.internalServerError, "internal_error", "the server failed on this request; see its log")
        }
    }
}
