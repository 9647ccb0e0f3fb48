import CNcursesw
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the analyst's editor on a note, as git does for a commit message: `$VISUAL`, else
/// `$EDITOR`, else `vi`, through `/bin/sh` (so `code --wait` or `emacs -nw` work), on a
/// private temporary file (mode 0600, removed after). Curses leaves the screen first and takes
/// it back after; the driver then redraws everything.
enum ExternalEditor {
    /// The most text read back: the same bound a note has in the Engine, plus room to say so.
    static let longest = 1 << 20

    static func run(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<String, ExternalEditError> {
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "vi"
        let directory = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/taser-note-XXXXXX.md").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemps(base, 3)
        }
        guard fd >= 0 else { return .failure(ExternalEditError("cannot make a temporary file in \(directory) (\(String(cString: strerror(errno)))); set TMPDIR")) }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            written += n
        }
        Glibc.close(fd)
        guard written == bytes.count else { return .failure(ExternalEditError("cannot write the note to \(path)")) }

        endwin()
        defer {
            refresh()
            // Curses restores the modes it knows; ctrl-s and ctrl-q taken from flow control
            // (see the shim) are not among them, so take them again.
            taser_setup_input()
        }
        // The path as the script's first argument, never spliced into the command text.
        var pid: pid_t = 0
        let argv = ["/bin/sh", "-c", editor + " \"$1\"", "sh", path]
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, &cArgs, environ)
        guard spawned == 0 else { return .failure(ExternalEditError("cannot start your editor (\(String(cString: strerror(spawned))))")) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exitCode = (status >> 8) & 0xFF
        guard status & 0x7F == 0, exitCode == 0 else {
            return .failure(ExternalEditError("your editor (\(editor)) exited with status \(exitCode); the text here is unchanged"))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(ExternalEditError("cannot read \(path) back")) }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: longest + 1)) ?? Data()
        guard data.count <= longest else { return .failure(ExternalEditError("the note is over \(longest >> 20) MiB; the text here is unchanged")) }
        var edited = String(decoding: data, as: UTF8.self)
        // Editors end a file with a newline the analyst did not type.
        if edited.hasSuffix("\n"), !text.hasSuffix("\n") { edited.removeLast() }
        return .success(edited)
    }
}
