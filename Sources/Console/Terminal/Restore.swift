import CNcursesw
import Foundation

/// Puts the terminal back as the analyst had it, however the console ends: a normal return, an
/// error, Ctrl-C, `kill`, a dropped SSH session (SIGHUP) or a crash. A console that dies in
/// raw mode on the alternate screen leaves a shell that echoes nothing.
enum Restore {
    /// Whether curses owns the terminal now. Read by signal handlers, which cannot capture
    /// context; the console runs on one thread, so a plain flag is enough.
    nonisolated(unsafe) static var active = false
    nonisolated(unsafe) private static var installed = false

    /// Leaves curses (ends the alternate screen, restores echo and line mode). Safe to call twice.
    static func now() {
        guard active else { return }
        active = false
        endwin()
    }

    /// Signals that end the console: restore, then exit 128+signal as a shell would report it.
    static let ending: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    /// Crashes: restore, then let the signal do what it would have (core dump, crash report).
    static let crashing: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    /// Installed after curses starts, so these replace curses' own handlers for the same signals.
    static func install() {
        for sig in ending { signal(sig, onEndingSignal) }
        for sig in crashing { signal(sig, onCrash) }
        guard !installed else { return }
        installed = true
        atexit { Restore.now() }
    }

    /// A parent can hand down blocked signals (a thread pool, some launchers): the console
    /// must still hear a hangup, Ctrl-C and, for curses, a window resize (SIGWINCH).
    static func unblock() {
        var wanted = sigset_t()
        sigemptyset(&wanted)
        for sig in ending + crashing + [SIGWINCH, SIGTSTP, SIGCONT] { sigaddset(&wanted, sig) }
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
    }

    /// Back to the defaults once the console is closed, so the CLI behaves as before.
    static func uninstall() {
        for sig in ending + crashing { signal(sig, SIG_DFL) }
    }
}

private func onEndingSignal(_ sig: Int32) {
    Restore.now()
    _exit(128 + sig)
}

private func onCrash(_ sig: Int32) {
    Restore.now()
    signal(sig, SIG_DFL)
    raise(sig)
}
