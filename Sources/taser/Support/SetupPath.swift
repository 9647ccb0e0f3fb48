import Foundation

/// A directory or file `taser setup team` is responsible for, with the owner and mode it must
/// have: checked for `--check`, made so otherwise. Symbolic links are refused rather than
/// followed: chown and chmod through a link planted in the path would hand some other file to
/// the service account.
struct SetupPath {
    var label: String
    var path: String
    var isDirectory: Bool
    var owner: String
    /// Nil when the owner does not exist yet (`--check` before setup); every owner is then wrong.
    var uid: uid_t?
    /// The group that must own it, when it matters (the socket's directory); else the owner's
    /// primary group is given and not checked, since the mode shuts the group out anyway.
    var group: String?
    var gid: gid_t?
    var mode: mode_t

    struct State {
        var kind: mode_t
        var uid: uid_t
        var gid: gid_t
        var mode: mode_t

        static func of(_ path: String) -> State? {
            var info = stat()
            guard lstat(path, &info) == 0 else { return nil }
            return State(kind: info.st_mode & S_IFMT, uid: info.st_uid, gid: info.st_gid, mode: info.st_mode & 0o7777)
        }
    }

    var exists: Bool { State.of(path) != nil }

    static func octal(_ mode: mode_t) -> String {
        let text = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 3 - text.count)) + text
    }

    /// Everything wrong with it, one line each, saying what to run.
    func problems() -> [String] {
        guard let state = State.of(path) else { return ["\(label) \(path) is missing"] }
        if let kind = kindProblem(state) { return [kind] }
        var out: [String] = []
        if uid.map({ $0 != state.uid }) ?? true {
            out.append("\(label) \(path) is owned by \(SetupAccounts.name(ofUID: state.uid)), not \(owner); chown \(owner) \(path)")
        }
        if let group, gid.map({ $0 != state.gid }) ?? true {
            out.append("\(label) \(path) is in group \(SetupAccounts.name(ofGID: state.gid)), not \(group); chgrp \(group) \(path)")
        }
        if state.mode != mode {
            let extra = state.mode & ~mode & 0o077
            let open = extra & 0o007 != 0 ? " (open to others)" : extra != 0 ? " (open to its group)" : ""
            out.append("\(label) \(path) has mode \(Self.octal(state.mode))\(open), not \(Self.octal(mode)); chmod \(Self.octal(mode)) \(path)")
        }
        return out
    }

    /// Gives an existing path its owner, group and mode; says what it changed ("" for nothing).
    func fix(uid: uid_t, gid: gid_t) throws -> String {
        guard let state = State.of(path) else { throw CLIError("\(label) \(path) is missing") }
        if let kind = kindProblem(state) { throw CLIError(kind) }
        var changed: [String] = []
        if state.uid != uid || state.gid != gid {
            guard lchown(path, uid, gid) == 0 else { throw failure("chown") }
            if state.uid != uid { changed.append("owner \(SetupAccounts.name(ofUID: state.uid)) → \(owner)") }
            if state.gid != gid, group != nil { changed.append("group \(SetupAccounts.name(ofGID: state.gid)) → \(SetupAccounts.name(ofGID: gid))") }
        }
        // chown clears set-id bits and the mode is set after it, so the order matters.
        if State.of(path)?.mode != mode {
            guard chmod(path, mode) == 0 else { throw failure("chmod") }
            if state.mode != mode { changed.append("mode \(Self.octal(state.mode)) → \(Self.octal(mode))") }
        }
        return changed.joined(separator: ", ")
    }

    private func kindProblem(_ state: State) -> String? {
        if state.kind == S_IFLNK { return "\(label) \(path) is a symbolic link; setup does not follow links: use the real path" }
        if isDirectory && state.kind != S_IFDIR { return "\(label) \(path) is not a directory" }
        if !isDirectory && state.kind != S_IFREG { return "\(label) \(path) is not a regular file" }
        return nil
    }

    private func failure(_ what: String) -> CLIError {
        CLIError("cannot \(what) \(path): \(String(cString: strerror(errno)))")
    }

    /// The first folder above `path` that keeps others from passing through (no `x` for others):
    /// the service account, or the analysts, could not reach what is below it.
    static func blockedAncestor(of path: String) -> String? {
        var folder = (path as NSString).deletingLastPathComponent
        while folder != "/" && !folder.isEmpty {
            var info = stat()
            // stat, not lstat: /var/run is a link to /run, and what counts is where it leads.
            if stat(folder, &info) == 0, info.st_mode & 0o001 == 0 {
                return "\(folder) (mode \(octal(info.st_mode & 0o7777)))"
            }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// Whether a directory holds anything: setup takes over an empty one, never a full one it did not make.
    static func isEmptyDirectory(_ path: String) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["?"]).isEmpty
    }
}
