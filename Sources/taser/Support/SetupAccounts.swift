import Foundation

/// The OS accounts `taser setup team` needs: a system group whose members may reach the socket,
/// and a system user that owns the database and runs the daemon. Made with the distribution's
/// groupadd and useradd (they keep /etc/passwd, /etc/shadow and /etc/group consistent and lock
/// them while writing, which taser should not reimplement).
enum SetupAccounts {
    struct User {
        var uid: uid_t
        var gid: gid_t
    }

    static func user(_ name: String) -> User? {
        guard let pw = getpwnam(name) else { return nil }
        return User(uid: pw.pointee.pw_uid, gid: pw.pointee.pw_gid)
    }

    static func group(_ name: String) -> gid_t? {
        guard let gr = getgrnam(name) else { return nil }
        return gr.pointee.gr_gid
    }

    /// A login or group name as useradd and groupadd take it, and as it may stand unquoted in a
    /// systemd unit: a lowercase letter or underscore, then lowercase letters, digits, `_`, `-`
    /// or `.`, at most 32 characters.
    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 32, first == UInt8(ascii: "_") || (first >= 0x61 && first <= 0x7a) else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// Who owns a file, as a name when the uid has one.
    static func name(ofUID uid: uid_t) -> String {
        guard let pw = getpwuid(uid), let name = pw.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    static func name(ofGID gid: gid_t) -> String {
        guard let gr = getgrgid(gid), let name = gr.pointee.gr_name else { return "gid \(gid)" }
        return String(cString: name)
    }

    static func createGroup(_ name: String) throws {
        try run(["groupadd", "--system", name])
    }

    /// A system user with no home made, no login shell, and the service group as its primary group.
    static func createUser(_ name: String, group: String, home: String) throws {
        let shell = ["/usr/sbin/nologin", "/sbin/nologin"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/bin/false"
        try run(["useradd", "--system", "--no-create-home", "--home-dir", home, "--shell", shell, "--gid", group,
                 "--comment", "taser team-mode daemon", name])
    }

    /// Runs an account tool from the usual sbin folders; its failure is one line with its reason.
    private static func run(_ argv: [String]) throws {
        guard let tool = argv.first,
            let path = ["/usr/sbin/", "/sbin/", "/usr/bin/"].map({ $0 + tool }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw CLIError("\(argv.first ?? "") is not installed; install the distribution's passwd package (shadow-utils) and run this again") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(argv.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw CLIError("cannot run \(path): \(error.localizedDescription)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let said = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw CLIError("\(argv.joined(separator: " ")) failed: \(said)")
        }
    }
}
