import Automation
import Model
import Store

extension Engine {
    /// Questions still waiting for a reply (the stored timers), soonest due first.
    public func waitingQuestions(limit: Int = 1000) throws -> [AutomationAsk] {
        try requireAdmin("list automation's questions")
        return try read { tx in try tx.waitingAutomationAsks(limit: limit) }
    }

    /// Jobs in a state (`pending`, `done`, `failed`), or the latest of all with nil.
    public func automationJobs(status: String?, limit: Int = 100) throws -> [AutomationJob] {
        try requireAdmin("list automation's jobs")
        return try read { tx in try tx.automationJobs(status: status, limit: limit) }
    }
}
