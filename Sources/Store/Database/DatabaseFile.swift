import Foundation

/// What the file at a `--db` path is, checked before SQLite sees it, so a typo or a wrong file
/// gets a precise message instead of SQLite's "unable to open database file".
struct DatabaseFile {
    var exists: Bool
    var isWritable: Bool
    /// An SQLite file with tables whose header does not name it taser's: refused before SQLite
    /// opens it (a writable open would switch it to WAL, changing another program's file).
    var isForeign = false

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
        var isForeign = false
        if info.st_size > 0 {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw .cannotOpen(path: path, detail: "permission denied")
            }
            let head = Array(handle.readData(ofLength: 108))
            try? handle.close()
            guard head.starts(with: sqliteHeader) else { throw .notSQLite(path: path) }
            isForeign = DatabaseFile.isForeign(header: head)
        }
        // Root passes access(2) for every file; honour the mode bits anyway, so `chmod a-w`
        // protects a database from an admin's slip as it does from anyone else's.
        let writableByMode = geteuid() != 0 || (info.st_mode & 0o222) != 0
        return DatabaseFile(exists: true, isWritable: access(path, W_OK) == 0 && writableByMode, isForeign: isForeign)
    }

    /// Whether the first 108 bytes (the file header and page 1's b-tree header) are those of
    /// another program's database: `PRAGMA application_id` (bytes 68-71) is not taser's, and
    /// page 1, the schema table, holds something (an interior page, or a leaf with cells). A
    /// file taser made but had not migrated yet (application id 0, empty schema) is not
    /// foreign. A schema change still in another program's WAL file is not seen here; that
    /// file is then refused after SQLite opened it, as before.
    static func isForeign(header h: [UInt8]) -> Bool {
        guard h.count >= 108 else { return false }
        let appID = Int32(bitPattern: UInt32(h[68]) << 24 | UInt32(h[69]) << 16 | UInt32(h[70]) << 8 | UInt32(h[71]))
        guard appID != Store.applicationID else { return false }
        let pageType = h[100]
        let cells = UInt16(h[103]) << 8 | UInt16(h[104])
        return pageType != 0x0D || cells > 0
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
