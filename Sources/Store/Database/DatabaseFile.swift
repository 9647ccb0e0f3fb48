import Foundation

/// What the file at a `--db` path is, checked before SQLite sees it, so a typo or a wrong file
/// gets a precise message instead of SQLite's "unable to open database file".
struct DatabaseFile {
    var exists: Bool
    var isWritable: Bool

    static let sqliteHeader = Array("SQLite format 3\u{0}".utf8)

    static func inspect(path: String) throws(StoreError) -> DatabaseFile {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missingDirectory(path: path, directory: directory)
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            guard access(directory, W_OK) == 0 else {
                throw .cannotOpen(path: path, detail: "directory \(directory) is not writable, so the database cannot be created there")
            }
            return DatabaseFile(exists: false, isWritable: true)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotOpen(path: path, detail: "not a regular file")
        }
        if info.st_size > 0 {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw .cannotOpen(path: path, detail: "permission denied")
            }
            let head = handle.readData(ofLength: sqliteHeader.count)
            try? handle.close()
            guard Array(head) == sqliteHeader else { throw .notSQLite(path: path) }
        }
        // Root passes access(2) for every file; honour the mode bits anyway, so `chmod a-w`
        // protects a database from an admin's slip as it does from anyone else's.
        let writableByMode = geteuid() != 0 || (info.st_mode & 0o222) != 0
        return DatabaseFile(exists: true, isWritable: access(path, W_OK) == 0 && writableByMode)
    }

    /// Who owns the file: the database's admin, who may act as another analyst.
    static func owner(path: String) -> uid_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_uid : nil
    }
}

extension Store {
    /// True when the OS user running taser owns the database file, or is root.
    public var callerIsOwner: Bool {
        let me = geteuid()
        return me == 0 || DatabaseFile.owner(path: path) == me
    }
}
