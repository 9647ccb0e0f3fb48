extension SigmaBuiltInMapping {
    /// Web servers and proxies: access logs, Squid, Zscaler. Their signals keep the W3C names
    /// SigmaHQ's rules use (`c-uri`, `cs-uri-query`, `sc-status`, `c-useragent`...), so no field
    /// mapping is needed; `category: proxy` is in the vendors section (with Suricata's HTTP
    /// records), and lists `web.proxy` there.
    ///
    /// `service: apache` and `service: nginx` rules are about the servers' error logs (segfaults,
    /// core dumps); an access line does not say which server wrote it.
    static let web = """
    logsources:
      - category: webserver
        kinds: [web.access]
      - service: apache
        kinds: [web.error]
        where: {service.type: apache}
      - service: nginx
        kinds: [web.error]
        where: {service.type: nginx}
    """
}
