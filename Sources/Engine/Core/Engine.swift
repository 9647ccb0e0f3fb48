import Foundation
import Model
import SignalServer
import Store

/// The facade every client uses (CLI, console, server, tests): it knows who is asking, passes
/// every case and alert read or write through one access check, and runs each change with its
/// log entry in one transaction.
public final class Engine: Sendable {
    public let store: Store
    public let actor: Actor
    let clock: @Sendable () -> Timestamp
    /// Signal columns the simulator loaded, kept for reruns (the console's rule editor).
    let columnCache = ColumnCache()
    /// The sync endpoint a change came from (a TheHive pull), or nil for taser's own changes.
    /// Its outbox messages say so (`origin`), and the worker does not send them back there.
    let origin: String?

    public init(store: Store, actor: Actor, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.store = store
        self.actor = actor
        self.clock = clock
        origin = nil
    }

    init(store: Store, actor: Actor, clock: @escaping @Sendable () -> Timestamp, origin: String?) {
        self.store = store
        self.actor = actor
        self.clock = clock
        self.origin = origin
    }

    /// Opens the database for the OS login running this process. The database file's owner (or
    /// root) is the admin and may act as another analyst with `actingAs`.
    public static func open(path: String, actingAs other: String? = nil, create: Bool = true) throws -> Engine {
        let store = try Store.open(path: path, create: create)
        let login = Engine.osLogin()
        let isAdmin = store.callerIsOwner
        guard let other, other != login else {
            return Engine(store: store, actor: Actor(name: login, isAdmin: isAdmin))
        }
        guard isAdmin else { throw EngineError.notAdmin(action: "act as another analyst (--as)") }
        guard try store.read({ tx in try tx.analyst(other) }) != nil else { throw EngineError.unknownAnalyst(other) }
        return Engine(store: store, actor: Actor(name: other, isAdmin: false))
    }

    /// The same engine, acting for someone else (the demo and tests use this; the CLI goes
    /// through `open(actingAs:)`, which checks the caller is the admin).
    public func acting(as actor: Actor) -> Engine { Engine(store: store, actor: actor, clock: clock) }

    /// The analyst is the OS login: analysts sign in to the jump host as themselves.
    public static func osLogin() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name {
            return String(cString: name)
        }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid\(geteuid())"
    }

    /// A write by the asking analyst: registers them (they are logged in, so they exist) and
    /// hands the transaction and the time of the change to `body`.
    func change<T>(_ body: (Tx, Timestamp) throws -> T) throws -> T {
        let now = clock()
        return try store.write { tx in
            // A remote author (`thehive:alice`) is named on the record but is not an analyst here.
            if origin == nil, try tx.analyst(actor.name) == nil { try tx.saveAnalyst(Analyst(name: actor.name), at: now) }
            return try body(tx, now)
        }
    }

    func read<T>(_ body: (Tx) throws -> T) throws -> T { try store.read(body) }
}
