import Foundation
import Testing
@testable import Console

@Suite struct ThemeTests {
    @Test(arguments: Theme.builtInNames) func builtInThemesStyleEveryRole(_ name: String) throws {
        let theme = try Theme.load(named: name)
        for role in Role.all { #expect(theme.defines(role), "\(name).yaml has no \(role)") }
    }

    @Test func monoUsesAttributesOnlyAndDefaultFollowsTheTerminal() throws {
        let mono = try Theme.load(named: "mono")
        for role in Role.all {
            let s = mono.style(role)
            #expect(s.foreground == .default && s.background == .default, "mono colours \(role)")
        }
        #expect(mono.style(.selected).reverse && mono.style(.severity("critical")).bold)
        let standard = try Theme.load(named: "default")
        for role in Role.all {
            let s = standard.style(role)
            if case .index = s.foreground { Issue.record("default.yaml uses a 256-colour index for \(role)") }
            #expect(s.background == .default, "default.yaml sets a background for \(role)")
        }
        #expect(standard.style(.severity("critical")) == Style(foreground: .palette(9), bold: true))
    }

    @Test func rolesFallBackToTheirGroupThenText() throws {
        let theme = try Theme.parse(yaml: "text: { fg: green }\nseverity: { bold: true }\nseverity.critical: { fg: 196 }\n", file: "t.yaml")
        #expect(theme.style(.severity("high")) == Style(bold: true))
        #expect(theme.style(.severity("critical")) == Style(foreground: .index(196)))
        #expect(theme.style(.selected) == Style(foreground: .palette(2)))
        #expect(theme.style("no.such.role") == Style(foreground: .palette(2)))
        #expect(Theme(file: "empty").style(.title) == .plain)
    }

    @Test func aUserThemeStartsFromItsBaseAndOverridesRoles() throws {
        let home = ConfigHome()
        home.write("theme.yaml", "base: dark-256\nseverity.critical: { fg: magenta, underline: true }\n")
        let (theme, problems) = Theme.forUser(environment: home.environment)
        #expect(problems.isEmpty, "\(problems)")
        #expect(theme.style(.severity("critical")) == Style(foreground: .palette(5), underline: true))
        let dark = try Theme.load(named: "dark-256")
        #expect(theme.style(.selected) == dark.style(.selected))
    }

    @Test func noColorGivesMonoWhateverIsChosen() throws {
        let home = ConfigHome()
        home.write("theme.yaml", "base: dark-256\nerror: { fg: red }\n")
        var environment = home.environment
        environment["NO_COLOR"] = "1"
        let (theme, problems) = Theme.forUser(environment: environment)
        let mono = try Theme.load(named: "mono")
        #expect(problems.isEmpty && theme == mono)
        environment["NO_COLOR"] = ""
        #expect(Theme.forUser(environment: environment).0.style(.error) == Style(foreground: .palette(1)))
    }

    @Test func aBadColourOrAttributeIsNamedWithItsLine() {
        #expect {
            try Theme.parse(yaml: "text: {}\n\nerror: { fg: bright-redd, bold: true }\ntitle: { blink: true }\nhint: { dim: maybe }\n", file: "theme.yaml")
        } throws: { error in
            let lines = (error as? ConfigError)?.problems.map(\.description) ?? []
            return lines.count == 3
                && lines[0].hasPrefix("theme.yaml:3: unknown colour 'bright-redd' for fg of error; did you mean 'bright-red'?")
                && lines[1].hasPrefix("theme.yaml:4: unknown attribute 'blink' for title")
                && lines[2] == "theme.yaml:5: dim of hint takes true or false, not 'maybe'"
        }
    }

    @Test func aBrokenUserThemeKeepsTheGoodLinesAndTheDefaults() throws {
        let home = ConfigHome()
        let file = home.write("theme.yaml", "title: { fg: blue }\nseverity.critcal: { bold: true }\n")
        let (theme, problems) = Theme.forUser(environment: home.environment)
        #expect(problems.map(\.description).first?.hasPrefix("\(file):2: unknown role 'severity.critcal'; did you mean 'severity.critical'?") == true)
        #expect(theme.style(.title) == Style(foreground: .palette(4)))
        #expect(theme.style(.selected).reverse)

        home.write("theme.yaml", "title: { fg: blue\n")
        let (fallback, yaml) = Theme.forUser(environment: home.environment)
        #expect(yaml.count == 1 && yaml[0].file == file && yaml[0].line != nil)
        let standard = try Theme.load(named: "default")
        #expect(Role.all.map(fallback.style) == Role.all.map(standard.style))
    }
}
