import Foundation
import Model
import Testing
@testable import Console
@testable import Engine

/// The console without a terminal, as every console suite drives it: keys in (through a
/// keymap), the grid out, ticks for work running on a worker thread.
protocol ConsoleDriving {
    /// The grid's width the suite reads rows of (the height is 40 unless a test says).
    var screenWidth: Int { get }
}

extension ConsoleDriving {
    var screenWidth: Int { 140 }

    func screen(_ app: App, width: Int? = nil, height: Int = 40) -> Grid {
        settleDetail(app)
        var g = Grid(width: width ?? screenWidth, height: height)
        app.render(into: &g)
        return g
    }

    func press(_ app: App, _ keys: String...) {
        for k in keys {
            _ = app.handle(Key(k))
            settleDetail(app)
        }
    }

    func type(_ app: App, _ text: String) {
        for c in text {
            _ = app.handle(.char(c))
            settleDetail(app)
        }
    }

    /// Until the queue's side pane has the selected alert's detail, as the driver's ticks
    /// take it: a test reads the frame a terminal would show a moment after the key.
    func settleDetail(_ app: App) {
        let deadline = Date().addingTimeInterval(30)
        while (app.top as? QueuePane)?.isLoadingDetail == true && Date() < deadline {
            usleep(1_000)
            _ = app.tick()
        }
    }

    /// Until what runs on a worker thread (a Positron query, a search) is in, as the driver's
    /// ticks take it.
    func settle(_ app: App, timeout: TimeInterval = 120) {
        let deadline = Date().addingTimeInterval(timeout)
        while app.isBusy && Date() < deadline {
            usleep(2_000)
            _ = app.tick()
        }
        #expect(!app.isBusy, "the work never came back")
    }
}

/// Demo databases, each built once per test process for its seed. One seed per suite: a suite
/// changes its database (closes alerts, opens cases), and another suite must not see that.
enum DemoDatabases {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: [UInt64: String] = [:]

    static func path(seed: UInt64) throws -> String {
        try lock.withLock {
            if let path = made[seed] { return path }
            let path = NSTemporaryDirectory() + "taser-console-\(seed)-\(UUID().uuidString).db"
            _ = try Engine.open(path: path).buildDemo(DemoOptions(signals: 20_000, seed: seed, days: 10))
            made[seed] = path
            return path
        }
    }
}
