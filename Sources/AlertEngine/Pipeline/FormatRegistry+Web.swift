extension FormatRegistry {
    /// Web servers' access logs and proxies' logs. The JSON ones are known by their keys, the
    /// text ones by their whole shape (an access line's `[date] "request" status bytes`, Squid's
    /// epoch time and `CODE/status`), so none of them takes a syslog line.
    static let webFormats: [any Format] = [
        ZscalerFormat(), WebAccessJSONFormat(), WebAccessFormat(), SquidFormat(), WebErrorFormat(),
    ]
}
