import Engine
import Model

/// A pane that shows alerts (the queue, one alert, a pivot's alerts): the alert verbs
/// (acknowledge, close, promote, merge, assign) act there the same way, on the marked alerts,
/// else the one under the cursor. Their keys are in the `alerts` context.
protocol AlertsPane: Pane {
    var engine: any TaserAPI { get }
    /// The marked alerts, else the one under the cursor; empty when there is none.
    var alertTargets: [Int64] { get }
    /// After a verb changed them: marks cleared, rows read again.
    func alertsChanged() throws
}

enum AlertVerbs {
    static let names: Set<String> = ["alert.acknowledge", "alert.close", "alert.promote", "alert.merge", "alert.assign"]

    /// Runs an alert verb; false when `action` is not one.
    static func perform(_ action: String, on pane: AlertsPane, app: App) throws -> Bool {
        guard names.contains(action) else { return false }
        let ids = pane.alertTargets
        guard !ids.isEmpty else {
            app.message = (app.withKeys("no alert here: move to one, or mark some with {mark}"), true)
            return true
        }
        let engine = pane.engine
        let alerts = counted(ids.count, "alert")
        switch action {
        case "alert.acknowledge":
            try engine.setStatus(ofAlerts: ids, to: .acknowledged)
            try pane.alertsChanged()
            app.say("\(alerts) acknowledged")
        case "alert.close":
            // Closing asks why: the reason is the confirmation, and it is recorded with who and when.
            let options = AlertCloseReason.allCases.map { reason in
                Chooser.Option(label: reason.rawValue.replacingOccurrences(of: "_", with: " "), detail: meaning(reason)) {
                    try engine.setStatus(ofAlerts: ids, to: .closed, reason: reason)
                    try pane.alertsChanged()
                    app.say("\(alerts) closed as \(reason.rawValue.replacingOccurrences(of: "_", with: " "))")
                }
            }
            app.choose("Close \(alerts): why?", options, otherwise: "nothing to close")
        case "alert.promote":
            let first = try engine.alertDetail(ids[0]).alert
            app.prompt("Title of the new case (\(alerts)):", initial: first.title) { title in
                let c = try engine.openCase(NewCase(title: title, severity: first.severity, team: first.team, alertIDs: ids))
                try pane.alertsChanged()
                app.say("case \(c.id) opened with \(alerts)")
                app.push(try CasePane(engine: engine, id: c.id))
            }
        case "alert.merge":
            app.pickCase("Merge \(alerts) into which case?") { caseID in
                try engine.mergeAlerts(ids, into: caseID)
                try pane.alertsChanged()
                app.say("\(alerts) merged into case \(caseID)")
            }
        case "alert.assign":
            let first = try engine.alertDetail(ids[0]).alert
            app.pickAnalyst("Promote \(alerts) to a case for:") { who in
                let c = try engine.openCase(NewCase(title: first.title, severity: first.severity, owner: who, team: first.team, alertIDs: ids))
                try pane.alertsChanged()
                app.say("case \(c.id) opened for \(who)")
            }
        default:
            return false
        }
        return true
    }

    static func meaning(_ reason: AlertCloseReason) -> String {
        switch reason {
        case .truePositive: "it was real, and it is handled"
        case .benign: "real activity, allowed (a test, an admin)"
        case .falsePositive: "the rule fired on nothing: tune it"
        case .duplicate: "another alert or case already covers it"
        }
    }
}
