import Foundation
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Live updates in team mode. The daemon alone watches the database (one `stat` every
/// `interval`, whoever committed: the daemon itself, `serve`'s HTTP ingest, an admin's CLI on the
/// file) and pushes the new stamp to every console subscribed with `changes`; consoles no longer
/// poll the file, which they could not read anyway.
final class ChangeFeed: @unchecked Sendable {
    private let store: Store
    private let condition = NSCondition()
    private var stamp: String
    private var running = true
    static let interval = 0.2

    init(store: Store) {
        self.store = store
        stamp = store.changeStamp()
        let thread = Thread { [self] in watch() }
        thread.name = "taser-team-changes"
        thread.start()
    }

    func stop() {
        condition.withLock {
            running = false
            condition.broadcast()
        }
    }

    private func watch() {
        while condition.withLock({ running }) {
            Thread.sleep(forTimeInterval: ChangeFeed.interval)
            let now = store.changeStamp()
            condition.withLock {
                if now != stamp {
                    stamp = now
                    condition.broadcast()
                }
            }
        }
    }

    struct Stamp: Codable { var stamp: String }

    /// Serves one subscriber until it goes away: the stamp now, then each new one, all answers to
    /// the subscribing request's id.
    func serve(_ fd: Int32, id: Int64) {
        var sent = ""
        while true {
            let next: String? = condition.withLock {
                // Wake now and then to notice a subscriber that hung up while nothing changed.
                while running && stamp == sent {
                    if !condition.wait(until: Date(timeIntervalSinceNow: 2)) { break }
                }
                return running ? stamp : nil
            }
            guard let next else { return }
            if next == sent {
                if ChangeFeed.hungUp(fd) { return }
                continue
            }
            do {
                try TeamWire.send(TeamResponse(id: id, result: try TeamOperations.encode(Stamp(stamp: next)), failure: nil), on: fd)
            } catch { return }
            sent = next
        }
    }

    /// Whether the other end closed (a subscriber sends nothing after subscribing).
    static func hungUp(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN) | Int16(POLLHUP), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        return p.revents != 0
    }
}

/// The console's end of the feed: a thread that holds the subscription, reconnecting once a
/// second while the daemon is away. `stamp` is the daemon's last word, or `lost N` (which
/// changes, so the console redraws and its next request says what is wrong).
final class ChangeFeedClient: @unchecked Sendable {
    private let lock = NSLock()
    private var latest = "-"
    private var running = true
    private var fd: Int32 = -1

    var stamp: String { lock.withLock { latest } }

    init(socket path: String, actingAs: String?) {
        let thread = Thread { [self] in follow(path, actingAs) }
        thread.name = "taser-changes"
        thread.start()
    }

    func stop() {
        lock.withLock {
            running = false
            if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func follow(_ path: String, _ actingAs: String?) {
        var losses = 0
        while lock.withLock({ running }) {
            if let (connection, _) = try? RemoteEngine.open(path, actingAs: actingAs) {
                lock.withLock { fd = connection }
                if (try? TeamWire.send(TeamRequest(id: 1, op: "changes", args: "{}"), on: connection)) != nil {
                    while let response = try? TeamWire.receive(TeamResponse.self, on: connection),
                        let text = response.result,
                        let pushed = try? JSONDecoder().decode(ChangeFeed.Stamp.self, from: Data(text.utf8))
                    {
                        lock.withLock { latest = pushed.stamp }
                    }
                }
                lock.withLock { fd = -1 }
                Glibc.close(connection)
            }
            losses += 1
            lock.withLock { latest = "lost \(losses)" }
            Thread.sleep(forTimeInterval: 1)
        }
    }
}
