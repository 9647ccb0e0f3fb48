import Foundation

/// The queries asked at the Positron prompt, oldest first. Up and Down walk them as a shell's
/// history does (what was being typed comes back past the newest); each one asked is appended
/// to the history file, so the next session starts with them.
struct PromptHistory {
    private(set) var entries: [String]
    let file: String?
    /// Where Up and Down are: `entries.count` is the line being typed.
    private var position: Int
    private var draft = ""

    /// The history file keeps at most this many lines; older ones are dropped when it grows to twice that.
    static let kept = 500

    init(file: String?) {
        self.file = file
        // An unreadable history is an empty one: it is a convenience, never a reason to fail.
        let text = file.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
        entries = Array(text.split(separator: "\n").map(String.init).suffix(PromptHistory.kept))
        position = entries.count
    }

    mutating func add(_ line: String) {
        position = entries.count
        draft = ""
        guard !line.isEmpty, entries.last != line else { return }
        entries.append(line)
        // Rewritten whole only now and then, so asking stays one short append.
        let rewrite = entries.count >= PromptHistory.kept * 2
        if rewrite { entries = Array(entries.suffix(PromptHistory.kept)) }
        position = entries.count
        save(line, whole: rewrite)
    }

    /// The entry before the one shown; `typing` is kept to come back to.
    mutating func previous(typing: String) -> String? {
        guard position > 0 else { return nil }
        if position == entries.count { draft = typing }
        position -= 1
        return entries[position]
    }

    mutating func next() -> String? {
        guard position < entries.count else { return nil }
        position += 1
        return position == entries.count ? draft : entries[position]
    }

    /// A history that cannot be written is kept for the session only: it is a convenience.
    private func save(_ line: String, whole: Bool) {
        guard let file else { return }
        let dir = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if whole || !FileManager.default.fileExists(atPath: file) {
            // Queries name people and hosts: the file is the analyst's alone.
            let text = entries.joined(separator: "\n") + "\n"
            FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
            return
        }
        guard let handle = FileHandle(forWritingAtPath: file) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((line + "\n").utf8))
    }
}
