import Foundation

/// The playbooks of a directory (`~/.config/taser/playbooks/*.yaml`, or `--playbooks DIR`).
public struct PlaybookLibrary: Sendable {
    public var directory: String
    public var playbooks: [Playbook]

    public init(directory: String = "", playbooks: [Playbook]) {
        self.directory = directory
        self.playbooks = playbooks
    }

    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".config")
        return base + "/taser/playbooks"
    }

    /// Every `*.yaml` / `*.yml` file of the directory, in name order. All mistakes of all files
    /// are collected (one per file), so a check names them at once; a missing directory is an
    /// empty library only when `required` is false.
    public static func load(directory: String, required: Bool = true) -> (library: PlaybookLibrary, problems: [PlaybookError]) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            let problems = required ? [PlaybookError(file: directory, key: "", message: "no such directory; make it, or pass --playbooks DIR")] : []
            return (PlaybookLibrary(directory: directory, playbooks: []), problems)
        }
        let files: [String]
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { directory + "/" + $0 }
        } else {
            files = [directory]
        }
        var playbooks: [Playbook] = [], problems: [PlaybookError] = []
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                problems.append(PlaybookError(file: file, key: "", message: "cannot read it (not UTF-8 text, or no permission)"))
                continue
            }
            do {
                let playbook = try PlaybookParser(file: file).parse(text)
                if let other = playbooks.first(where: { $0.name == playbook.name }) {
                    problems.append(PlaybookError(file: file, key: "name", message: "the name '\(playbook.name)' is already taken by \(other.file)"))
                    continue
                }
                playbooks.append(playbook)
            } catch {
                problems.append(error)
            }
        }
        return (PlaybookLibrary(directory: directory, playbooks: playbooks), problems)
    }

    public func playbook(named name: String) -> Playbook? { playbooks.first { $0.name == name } }
}
