extension SignalKind {
    /// A request in a web server's access log (Apache, nginx: common, combined or JSON).
    public static let webRequest = SignalKind(
        name: "web.access", displayName: "web request", aliases: ["web access", "access log entry", "http access", "web server request"],
        source: "webserver")
    /// A line of a web server's error log (Apache `error_log`, nginx `error.log`).
    public static let webServerError = SignalKind(
        name: "web.error", displayName: "web server error", aliases: ["web error", "apache error", "nginx error"], source: "webserver")
    /// A request through a forward proxy (Squid, Zscaler Internet Access).
    public static let proxyRequest = SignalKind(
        name: "web.proxy", displayName: "proxy request", aliases: ["proxy log", "web proxy request", "proxy access"], source: "proxy")

    /// Web servers and proxies.
    static let webKinds: [SignalKind] = [webRequest, webServerError, proxyRequest]
}
