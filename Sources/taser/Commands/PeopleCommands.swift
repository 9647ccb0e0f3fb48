import ArgumentParser
import Engine
import Model

struct TeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team", abstract: "Teams own cases; members may work their team's cases.",
        subcommands: [Add.self, List.self, AddMember.self, RemoveMember.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a team (admin).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The team's name.") var name: String
        @Option(help: "What the team does.") var description = ""
        func run() throws {
            try global.api().addTeam(name, description: description)
            Output.line("Added team \(name)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List teams and their members.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON Lines: one team per line.") var json = false
        func run() throws {
            let teams = try global.api(create: false).teams()
            if json {
                return Output.jsonLines(teams.map {
                    ["name": .string($0.name), "description": .string($0.description), "members": .array($0.members.map { .string($0) })]
                })
            }
            Output.table(["TEAM", "MEMBERS", "DESCRIPTION"], teams.map { [$0.name, $0.members.joined(separator: ","), $0.description] })
        }
    }

    struct AddMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Add analysts to a team (admin).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The team.") var team: String
        @Argument(help: "The analysts.") var analysts: [String]
        func run() throws {
            let engine = try global.api()
            for a in analysts { try engine.addMember(a, to: team) }
            Output.line("Team \(team) now includes \(analysts.joined(separator: ", "))")
        }
    }

    struct RemoveMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-member", abstract: "Remove an analyst from a team (admin).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The team.") var team: String
        @Argument(help: "The analyst.") var analyst: String
        func run() throws {
            try global.api().removeMember(analyst, from: team)
            Output.line("Removed \(analyst) from team \(team)")
        }
    }
}

struct AnalystCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyst", abstract: "The people who work cases, by their OS login.", subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an analyst, or update one (admin).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Their OS login on the jump host.") var login: String
        @Option(help: "Their full name.") var name = ""
        @Option(help: "Their email address.") var email: String?
        @Option(help: "Their manager's login.") var manager: String?
        @Option(name: .customLong("team"), help: "Add them to this team (repeat for more).") var teams: [String] = []
        func run() throws {
            try global.api().addAnalyst(Analyst(name: login, displayName: name, email: email, manager: manager, teams: teams))
            Output.line("Saved analyst \(login)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List analysts and their teams.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON Lines: one analyst per line.") var json = false
        func run() throws {
            let analysts = try global.api(create: false).analysts()
            if json {
                return Output.jsonLines(analysts.map {
                    ["login": .string($0.name), "name": .string($0.displayName), "email": JSONValue($0.email),
                     "manager": JSONValue($0.manager), "teams": .array($0.teams.map { .string($0) })]
                })
            }
            Output.table(
                ["LOGIN", "TEAMS", "MANAGER", "NAME"],
                analysts.map { [$0.name, $0.teams.joined(separator: ","), $0.manager ?? "-", $0.displayName] })
        }
    }
}

struct WhoAmICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Who taser takes you for, and your teams.")
    @OptionGroup var global: GlobalOptions
    func run() throws {
        let engine = try global.api(create: false)
        let teams = try engine.analysts().first { $0.name == engine.callerName }?.teams ?? []
        Output.line("\(engine.callerName)\(engine.callerIsAdmin ? " (admin: owner of \(engine.location))" : "")")
        Output.line("teams: \(teams.isEmpty ? "none" : teams.joined(separator: ", "))")
    }
}
