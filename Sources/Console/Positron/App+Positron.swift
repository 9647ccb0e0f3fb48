import Engine
import Model
import Positron

extension App {
    /// Opens the prompt over the pane the analyst is on, whose artifacts (the one under the
    /// cursor first) Tab then fills in; with a query and a value, asks it at once.
    func openPositron(asking query: String? = nil, about value: String? = nil) {
        let pane = positronPane ?? PositronPane(engine: engine, positron: positron)
        positronPane = pane
        if top !== pane {
            pane.artifacts = (top as? LinesPane)?.artifactsToAsk ?? []
            pane.origin = top.title
            push(pane)
        }
        if let query, let value {
            pane.input.text = "\(query) \(value)"
            pane.ask(self)
        }
    }

    /// Enter on an artifact: a menu of what can be done with it, pivoting first (when `pivot`),
    /// then every query that takes it, those some plugin answers before those none does.
    func offerQueries(about artifact: Artifact, pivot: Bool) {
        var options: [Chooser.Option] = []
        if pivot {
            options.append(Chooser.Option(label: "pivot", detail: "every alert and case that shares \(artifact.value)", role: .title) { [self] in
                push(try PivotPane(engine: engine, value: artifact.value))
            })
        }
        let router = positron.config.router
        let queries = ArtifactQueries.queries(for: artifact, in: router.catalog)
        let answered = queries.map { q in (q, router.plugins.filter { $0.answers(q.name) }.map(\.name)) }
        for (q, plugins) in answered.filter({ !$0.1.isEmpty }) + answered.filter({ $0.1.isEmpty }) {
            let detail = plugins.isEmpty ? "no plugin answers it yet (positron.yaml)" : "\(q.description) · \(plugins.joined(separator: ", "))"
            options.append(Chooser.Option(label: q.name, detail: detail, role: plugins.isEmpty ? .dim : .text) { [self] in
                openPositron(asking: q.name, about: artifact.value)
            })
        }
        choose("\(artifact.type.rawValue) \(artifact.value)", options, otherwise: "no query takes \(artifact.type.rawValue) \(artifact.value)")
    }
}

/// Which queries an artifact can be asked: those whose input takes its value (the check the
/// router makes) and fits what the artifact is, so a user name is not offered to
/// HOSTNAME_TO_IP although it would pass as one. Queries that take any text fit everything.
enum ArtifactQueries {
    static let inputs: [ArtifactType: Set<InputType>] = [
        .ip: [.ip], .host: [.hostname], .domain: [.domain, .hostname], .user: [.user], .email: [.email, .user],
        .md5: [.hash], .sha1: [.hash], .sha256: [.hash],
    ]

    static func queries(for artifact: Artifact, in catalog: QueryCatalog) -> [QueryDefinition] {
        catalog.names.compactMap { catalog.query($0) }.filter { fits(artifact, $0) }
    }

    static func fits(_ artifact: Artifact, _ query: QueryDefinition) -> Bool {
        guard query.input.accept(artifact.value) != nil else { return false }
        guard query.input != .text, let fitting = inputs[artifact.type] else { return true }
        return fitting.contains(query.input)
    }
}
