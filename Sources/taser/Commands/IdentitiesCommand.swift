import ArgumentParser
import Engine
import Model

struct IdentitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identities", abstract: "One person, many names: the identities rules group by and pivots follow.",
        discussion: """
            Okta knows a person as Jane.Doe@Example.com, Duo as jane.doe with her email beside it, the HR export as both and CORP\\jdoe. taser links such identifiers into one identity: from records that carry several at once (Duo's user and email, Okta's id and login), from Positron's USER_INFO answers, from an identities file, and by hand. A rule's WITH [ username ] groups by the identity; a pivot on any identifier reaches the others. Identifiers compare case-insensitively.

            Examples:
              taser identities                         every identity, its identifiers and where each link came from
              taser identities import hr.csv           login,email,domain,employee_id columns, one person per row
              taser identities unlink jdoe jane.doe    a wrong link, removed for good
            """,
        subcommands: [List.self, Link.self, Unlink.self, Import.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List identities with their identifiers and links.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only identities with an identifier containing this text.") var search: String?
        @Option(help: "At most this many.", transform: count(1...10_000_000)) var limit = 1_000
        @Flag(help: "JSON Lines: one identity per line, with its links and their sources.") var json = false

        func run() throws {
            let identities = try global.api(create: false).identities(matching: search, limit: limit)
            if json { return Output.jsonLines(identities.map(IdentitiesCommand.json)) }
            guard !identities.isEmpty else {
                return Output.note(search == nil ? "no identities yet: they are learned at ingest, or `taser identities import FILE`" : "no identity matches")
            }
            for identity in identities {
                Output.line("\(identity.label)   \(identity.identifiers.map { "\($0.value) (\($0.kind.rawValue))" }.joined(separator: ", "))")
                for link in identity.links {
                    Output.line("    \(link.a) = \(link.b)   from \(link.source), \(Output.when(link.createdAt))")
                }
            }
        }
    }

    static func json(_ identity: IdentityRecord) -> JSONValue {
        [
            "identity": .string(identity.label),
            "identifiers": .array(identity.identifiers.map { ["value": .string($0.value), "kind": .string($0.kind.rawValue)] }),
            "links": .array(identity.links.map {
                ["a": .string($0.a), "b": .string($0.b), "source": .string($0.source), "created_at": .string($0.createdAt.iso8601)]
            }),
        ]
    }

    struct Link: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Link two identifiers as one person's.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "An identifier (login, email, DOMAIN\\login, vendor id).") var first: String
        @Argument(help: "Another identifier of the same person.") var second: String

        func run() throws {
            let added = try global.api().linkIdentifiers(first, second)
            Output.line(added ? "Linked \(first) and \(second)" : "\(first) and \(second) were linked already (or the link was removed by hand; `taser identities --search \(first)`)")
        }
    }

    struct Unlink: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a wrong link; it stays removed.",
            discussion: "The identity splits where no other link holds it together. Records that carry the pair again do not bring the link back.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "One identifier of the link.") var first: String
        @Argument(help: "The other.") var second: String

        func run() throws {
            try global.api().unlinkIdentifiers(first, second)
            Output.line("Unlinked \(first) and \(second)")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link each person's identifiers from an identities file (CSV or YAML).",
            discussion: """
                One person per CSV row (or YAML list entry). Recognized columns: login/username/samaccountname, email/mail/upn, domain (with a login, also DOMAIN\\login), id/user_id/employee_id/okta_id/duo_id/sid, aliases (separated by ; or |). Other columns are ignored.
                  login,email,domain,okta_id
                  jane.doe,Jane.Doe@Example.com,CORP,00u1a2b3c4
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The file: .csv, or .yaml/.yml/.json.") var file: String

        func run() throws {
            let people: [[Identifier]]
            do { people = try IdentitiesFile.read(path: file) } catch let problem as IdentitiesFile.Problem { throw CLIError(problem.description) }
            let name = file.split(separator: "/").last.map(String.init) ?? file
            let (count, links) = try global.api().importIdentities(people, from: name)
            Output.line("\(name): \(count == 1 ? "1 person" : "\(count) people"), \(links) new link\(links == 1 ? "" : "s")")
        }
    }
}
