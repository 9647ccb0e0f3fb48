import Console
import Foundation

/// The analyst's own `taser.yaml` ($XDG_CONFIG_HOME/taser/taser.yaml, ~/.config/taser/taser.yaml):
/// for now one setting, `server: PATH`, the team-mode daemon's socket, so an analyst on a jump
/// host sets it once instead of exporting TASER_SERVER in every shell. A key it does not know or
/// a line it cannot read is an error, never skipped: a misspelt `sever:` would otherwise send
/// the analyst's commands to a local database without a word.
struct ClientConfig: Equatable {
    var server: String?

    /// The file is a few lines; anything larger is not it (and is not read into memory).
    static let largest = 64 * 1024
    static let example = "server: /run/taser/taser.sock"

    static var defaultPath: String { configDirectory() + "/taser.yaml" }

    /// The file at `path`; no file is an empty config.
    static func load(path: String = defaultPath) throws(CLIError) -> ClientConfig {
        guard let text = try read(path) else { return ClientConfig() }
        let settings: [(name: String, line: Int, text: String?)]
        do { settings = try ConfigYAML.settings(text, file: path, example: example) } catch {
            let said = error.description.split(separator: "\n").first.map(String.init) ?? "\(path): not valid YAML"
            throw CLIError(said.contains(example) ? said : said + "; the file holds one setting, written as `\(example)`")
        }
        var config = ClientConfig()
        for setting in settings {
            guard setting.name == "server" else {
                throw CLIError("\(path):\(setting.line): unknown setting '\(setting.name)'; taser.yaml takes only `\(example)` (remove the line)")
            }
            guard let value = setting.text, !value.isEmpty, value.hasPrefix("/") else {
                throw CLIError("\(path):\(setting.line): server must be the daemon's socket as an absolute path, like `\(example)`")
            }
            config.server = value
        }
        return config
    }

    /// The file's text, nil when there is none; at most `largest` bytes, UTF-8.
    private static func read(_ path: String) throws(CLIError) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw CLIError("\(path): cannot be read (\(String(cString: strerror(errno)))); fix its permissions or remove it")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw CLIError("\(path): not a regular file; taser.yaml is a text file with `\(example)`")
        }
        // One byte more than allowed, to tell a file at the limit from a longer one.
        var bytes = [UInt8](repeating: 0, count: largest + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(fd, base + count, buffer.count - count)
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw CLIError("\(path): cannot be read (\(String(cString: strerror(errno))))") }
            if n == 0 { break }
            count += n
        }
        guard count <= largest else {
            throw CLIError("\(path): larger than \(largest / 1024) KiB; taser.yaml holds a few lines such as `\(example)`")
        }
        guard let text = String(validating: bytes[..<count], as: UTF8.self) else {
            throw CLIError("\(path): not UTF-8 text; write it as `\(example)`")
        }
        return text
    }
}
