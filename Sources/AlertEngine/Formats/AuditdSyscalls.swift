/// Syscall numbers to names, for raw (not ENRICHED) auditd logs whose rules name the call
/// (`SYSCALL: execve`). Only the calls security rules and audit rule sets watch are listed; an
/// unlisted number keeps only `syscall`. Numbers from the kernel's syscall tables
/// (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h for arm64).
enum AuditdSyscalls {
    /// `arch=c000003e` is x86_64, `arch=c00000b7` aarch64 (AUDIT_ARCH_* in linux/audit.h).
    static func name(_ number: String, arch: String?) -> String? {
        guard let n = Int(number) else { return nil }
        switch arch?.lowercased() {
        case "c000003e", nil: return x86_64[n]
        case "c00000b7": return aarch64[n]
        default: return nil
        }
    }

    static let x86_64: [Int: String] = [
        0: "read", 1: "write", 2: "open", 3: "close", 9: "mmap", 10: "mprotect", 21: "access", 41: "socket", 42: "connect",
        43: "accept", 44: "sendto", 45: "recvfrom", 46: "sendmsg", 47: "recvmsg", 49: "bind", 50: "listen", 56: "clone",
        57: "fork", 58: "vfork", 59: "execve", 60: "exit", 62: "kill", 63: "uname", 76: "truncate", 77: "ftruncate",
        82: "rename", 83: "mkdir", 84: "rmdir", 85: "creat", 86: "link", 87: "unlink", 88: "symlink", 90: "chmod", 91: "fchmod",
        92: "chown", 93: "fchown", 94: "lchown", 99: "sysinfo", 101: "ptrace", 103: "syslog", 105: "setuid", 106: "setgid",
        113: "setreuid", 117: "setresuid", 133: "mknod", 135: "personality", 155: "pivot_root", 157: "prctl", 161: "chroot",
        165: "mount", 166: "umount2", 175: "init_module", 176: "delete_module", 188: "setxattr", 257: "openat", 258: "mkdirat",
        259: "mknodat", 260: "fchownat", 263: "unlinkat", 264: "renameat", 265: "linkat", 266: "symlinkat", 268: "fchmodat",
        272: "unshare", 288: "accept4", 304: "open_by_handle_at", 308: "setns", 313: "finit_module", 316: "renameat2",
        319: "memfd_create", 321: "bpf", 322: "execveat",
    ]

    static let aarch64: [Int: String] = [
        33: "mknodat", 34: "mkdirat", 35: "unlinkat", 37: "linkat", 38: "renameat", 40: "mount", 53: "fchmodat", 54: "fchownat",
        56: "openat", 92: "personality", 105: "init_module", 106: "delete_module", 116: "syslog", 117: "ptrace", 179: "sysinfo",
        198: "socket", 200: "bind", 203: "connect", 206: "sendto", 211: "sendmsg", 221: "execve", 273: "finit_module",
        279: "memfd_create", 280: "bpf", 281: "execveat",
    ]
}
