import Foundation
import Model
import Store

/// What the CLI and the console ask of taser, whichever side of the socket the Engine is on:
/// `Engine` in-process (embedded, one SQLite file), `RemoteEngine` through the daemon (team
/// mode). The access checks are the Engine's, always on the side that owns the database.
///
/// Team mode grows one operation at a time (see docs/team-mode.md for which are covered); a
/// command that needs one not here yet says so when run with `--server`.
public protocol TaserAPI: AnyObject {
    /// Who taser acts for: the OS login (or `--as`).
    var callerName: String { get }
    func cases(_ filter: CaseFilter) throws -> [CaseSummary]
    func caseDetail(_ id: Int64) throws -> CaseDetail
    /// The case as `case export --format json` writes it.
    func caseDocument(_ id: Int64) throws -> JSONValue
    func enrichments(of artifact: Int64) throws -> [Enrichment]
    @discardableResult func addNote(_ caseID: Int64, _ text: String) throws -> LogEntry
    /// Whether the caller is an admin (the database's owner embedded, the daemon's admins).
    var callerIsAdmin: Bool { get }
    /// Where the data is, for `whoami`: the database file, or the daemon's socket.
    var location: String { get }
    func analysts() throws -> [Analyst]
    func alerts(_ filter: AlertFilter) throws -> [Alert]
    func setStatus(ofAlerts ids: [Int64], to status: AlertStatus, reason: AlertCloseReason?) throws
    @discardableResult func correct(_ caseID: Int64, entry seq: Int64, _ text: String) throws -> LogEntry
    func assign(_ caseID: Int64, to owner: String?) throws
    @discardableResult func tag(_ caseID: Int64, add: [String], remove: [String]) throws -> [String]
    func setStatus(_ caseID: Int64, to status: CaseStatus, resolution: Resolution?, comment: String?) throws
    func share(_ caseID: Int64, with team: String, level: ShareLevel?) throws
    func openCase(_ new: NewCase) throws -> Case
    /// One alert the caller may see (its detail's alert).
    func alert(_ id: Int64) throws -> Alert
}

extension Engine: TaserAPI {
    public var callerName: String { actor.name }
    public var callerIsAdmin: Bool { actor.isAdmin }
    public var location: String { store.path }
    public func caseDocument(_ id: Int64) throws -> JSONValue { try exportCase(id).json }
    public func alert(_ id: Int64) throws -> Alert { try alertDetail(id).alert }
}

/// The daemon's dispatch: an operation's name to the Engine call, arguments and result as JSON.
enum TeamOperations {
    struct ID: Codable { var id: Int64 }
    struct Note: Codable { var id: Int64; var text: String }
    struct AlertStatusChange: Codable { var ids: [Int64]; var status: AlertStatus; var reason: AlertCloseReason? }
    struct Done: Codable { var done = true }
    struct Correction: Codable { var id: Int64; var entry: Int64; var text: String }
    struct Assignment: Codable { var id: Int64; var owner: String? }
    struct Tags: Codable { var id: Int64; var add: [String]; var remove: [String] }
    struct StatusChange: Codable { var id: Int64; var status: CaseStatus; var resolution: Resolution?; var comment: String? }
    struct Sharing: Codable { var id: Int64; var team: String; var level: ShareLevel? }

    static func run(_ request: TeamRequest, on engine: Engine) throws -> String {
        let args = Data(request.args.utf8)
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            do { return try JSONDecoder().decode(T.self, from: args) } catch {
                throw TeamWire.Problem("malformed arguments for \(request.op): \(error)")
            }
        }
        func encode<T: Encodable>(_ value: T) throws -> String { String(decoding: try JSONEncoder().encode(value), as: UTF8.self) }
        switch request.op {
        case "cases": return try encode(try engine.cases(try decode(CaseFilter.self)))
        case "case.detail": return try encode(try engine.caseDetail(try decode(ID.self).id))
        case "case.document": return try encode(try engine.caseDocument(try decode(ID.self).id))
        case "enrichments": return try encode(try engine.enrichments(of: try decode(ID.self).id))
        case "analysts": return try encode(try engine.analysts())
        case "alerts": return try encode(try engine.alerts(try decode(AlertFilter.self)))
        case "alerts.status":
            let change = try decode(AlertStatusChange.self)
            try engine.setStatus(ofAlerts: change.ids, to: change.status, reason: change.reason)
            return try encode(Done())
        case "case.correct":
            let c = try decode(Correction.self)
            return try encode(try engine.correct(c.id, entry: c.entry, c.text))
        case "case.assign":
            let a = try decode(Assignment.self)
            try engine.assign(a.id, to: a.owner)
            return try encode(Done())
        case "case.tag":
            let t = try decode(Tags.self)
            return try encode(try engine.tag(t.id, add: t.add, remove: t.remove))
        case "case.status":
            let c = try decode(StatusChange.self)
            try engine.setStatus(c.id, to: c.status, resolution: c.resolution, comment: c.comment)
            return try encode(Done())
        case "case.share":
            let sh = try decode(Sharing.self)
            try engine.share(sh.id, with: sh.team, level: sh.level)
            return try encode(Done())
        case "case.open": return try encode(try engine.openCase(try decode(NewCase.self)))
        case "alert": return try encode(try engine.alert(try decode(ID.self).id))
        case "case.note":
            let note = try decode(Note.self)
            return try encode(try engine.addNote(note.id, note.text))
        default:
            throw TeamWire.Problem("no operation '\(request.op)' in protocol \(TeamWire.protocolVersion); the client and the daemon disagree, use the daemon's version of taser")
        }
    }

    /// An error as the client shows it: the same text the embedded CLI prints for it.
    static func failure(_ error: any Error) -> TeamFailure {
        if let failure = error as? TeamFailure { return failure }
        return TeamFailure(message: "\(error)", exitCode: 1)
    }
}
