import Model

/// TheHive 5's words for what taser calls otherwise, both ways: for the TheHive-compatible API
/// (`taser serve`) and for what a pull brings back.
public enum TheHiveWords {
    /// TheHive's severity numbers: 1 low ... 4 critical (taser's info reads as low).
    public static func severity(_ n: Int64) -> Severity? {
        switch n {
        case 1: .low
        case 2: .medium
        case 3: .high
        case 4: .critical
        default: nil
        }
    }

    public static func number(_ s: Severity) -> Int64 {
        switch s {
        case .info, .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        }
    }

    public static let severityLabels = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
    public static let tlpLabels = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
    public static let papLabels = ["CLEAR", "GREEN", "AMBER", "RED"]

    /// TLP as TheHive's number, 0 clear ... 4 red.
    public static func number(_ t: TLP) -> Int64 {
        switch t {
        case .clear: 0
        case .green: 1
        case .amber: 2
        case .amberStrict: 3
        case .red: 4
        }
    }

    public static func tlp(_ n: Int64) -> TLP? { (0...4).contains(n) ? [TLP.clear, .green, .amber, .amberStrict, .red][Int(n)] : nil }

    /// PAP as TheHive's number, 0 clear ... 3 red.
    public static func number(_ p: PAP) -> Int64 {
        switch p {
        case .clear: 0
        case .green: 1
        case .amber: 2
        case .red: 3
        }
    }

    public static func pap(_ n: Int64) -> PAP? { (0...3).contains(n) ? [PAP.clear, .green, .amber, .red][Int(n)] : nil }

    /// A TheHive case status as taser's status and resolution; nil for a status taser has no
    /// counterpart for (an organisation's own).
    public static func caseStatus(_ s: String) -> (status: CaseStatus, resolution: Resolution?)? {
        switch s {
        case "New": (.new, nil)
        case "InProgress": (.inProgress, nil)
        case "TruePositive": (.closed, .truePositive)
        case "FalsePositive": (.closed, .falsePositive)
        case "Indeterminate": (.closed, .indeterminate)
        case "Duplicated": (.closed, .duplicate)
        case "Other": (.closed, .other)
        default: nil
        }
    }

    /// taser's case status as TheHive's (5 closes a case with its resolution as the status).
    public static func caseStatus(_ c: Case) -> (status: String, stage: String) {
        switch c.status {
        case .new: ("New", "New")
        case .inProgress, .onHold: ("InProgress", "InProgress")
        case .resolved, .closed:
            switch c.resolution {
            case .truePositive: ("TruePositive", "Closed")
            case .falsePositive, .benign: ("FalsePositive", "Closed")
            case .indeterminate: ("Indeterminate", "Closed")
            case .duplicate: ("Duplicated", "Closed")
            case .other, nil: ("Other", "Closed")
            }
        }
    }

    /// The alert statuses TheHive clients may set, as taser's alert workflow has them; nil for
    /// `Imported` (an alert is imported by promoting it) and statuses taser has no counterpart for.
    public static func alertStatus(_ s: String) -> (status: AlertStatus, reason: AlertCloseReason?)? {
        switch s {
        case "New", "Updated": (.new, nil)
        case "InProgress": (.acknowledged, nil)
        case "TruePositive": (.closed, .truePositive)
        case "FalsePositive": (.closed, .falsePositive)
        case "Duplicated": (.closed, .duplicate)
        case "Ignored": (.closed, .benign)
        default: nil
        }
    }

    public static let alertStatusNames = "New, Updated, InProgress, TruePositive, FalsePositive, Duplicated, Ignored"

    /// taser's alert status as TheHive's status and stage.
    public static func alertStatus(_ a: Alert) -> (status: String, stage: String) {
        switch a.status {
        case .new: ("New", "New")
        case .acknowledged: ("InProgress", "InProgress")
        case .promoted: ("Imported", "Imported")
        case .closed:
            switch a.closing?.reason {
            case .truePositive: ("TruePositive", "Closed")
            case .falsePositive: ("FalsePositive", "Closed")
            case .duplicate: ("Duplicated", "Closed")
            case .benign, nil: ("Ignored", "Closed")
            }
        }
    }
}
