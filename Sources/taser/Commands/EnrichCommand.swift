import ArgumentParser
import Engine
import Foundation
import Model
import Positron

struct EnrichCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrich",
        abstract: "Ask Positron about artifacts and keep the answers with them.",
        discussion: """
            IPs get IP_TO_HOSTNAME, IP_GEO and IP_REPUTATION; hosts HOSTNAME_TO_IP; users USER_INFO and USER_MANAGER; domains DOMAIN_REPUTATION and DOMAIN_WHOIS; hashes HASH_REPUTATION, as far as some plugin answers them. The answers are stored with the artifact (`taser alert show` lists them) and every query is audited.

              taser enrich 10.1.2.3
              taser enrich --alert 12
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var source: QueryCommand.Source
    @Argument(help: "An artifact's value (an IP, a user, a domain, a hash).") var value: String?
    @Option(help: "Every artifact of this alert.") var alert: Int64?

    func run() throws {
        guard (value == nil) != (alert == nil) else { throw CLIError("name an artifact's value or --alert ID (one of them)") }
        let api = try global.api()
        let enriched = try api.enrich(alert: alert, value: value, with: try source.config(for: api))
        let artifacts = enriched.map(\.artifact)
        var stored = 0
        for (artifact, results) in enriched {
            for r in results {
                for a in r.answers {
                    stored += 1
                    let fields = r.query.output.compactMap { k in a.fields[k].map { "\(k)=\($0)" } }.joined(separator: " ")
                    Output.line("\(artifact.type.rawValue) \(artifact.value)  \(r.query.name)  \(fields)  (\(a.plugins.joined(separator: ", ")))")
                }
            }
        }
        Output.note("\(stored) answer\(stored == 1 ? "" : "s") stored for \(artifacts.count) artifact\(artifacts.count == 1 ? "" : "s")")
    }
}
