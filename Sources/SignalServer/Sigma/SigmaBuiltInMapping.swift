/// The Sigma mapping taser ships, in the format a user's mapping file uses (a user file is
/// merged over it). Field names follow Sigma's taxonomy (Sysmon/Windows names, web proxy
/// names, the vendors' own names in SigmaHQ's Okta and CloudTrail rules) and map to the ECS
/// fields taser's formats fill. Logsources map to the kinds those formats produce; a logsource
/// not listed here reads no kind, and its rules are reported rather than imported.
///
/// The mapping is in sections, one per family of sources (each in its own file), merged in
/// order: a later section's entry for the same product/service/category replaces an earlier
/// one, so a logsource is listed in one section only (a test checks).
enum SigmaBuiltInMapping {
    static let sections: [(name: String, yaml: String)] = [
        ("vendors", vendors), ("windows", windows), ("linux", linux), ("web", web), ("cloud", cloud),
    ]

    /// The alert and log sources taser read before Windows, Linux, web and cloud logs.
    static let vendors = """
    # No `keywords:`: a keyword (a value under no field) is searched in every text field of the
    # event, as Sigma says. A user's mapping may narrow it to some fields.

    fields:
      # users
      User: user.name
      UserName: user.name
      userName: user.name
      actor.alternateid: user.name
      actor.alternateId: user.name
      # addresses and ports
      SourceIp: source.ip
      SourceAddress: source.ip
      IpAddress: source.ip
      ClientIP: source.ip
      c-ip: source.ip
      sourceIPAddress: source.ip
      client.ipAddress: source.ip
      DestinationIp: destination.ip
      DestinationAddress: destination.ip
      DestAddress: destination.ip
      SourcePort: source.port
      DestinationPort: destination.port
      DestPort: destination.port
      DestinationHostname: destination.domain
      # hosts
      Computer: host.name
      ComputerName: host.name
      Hostname: host.name
      hostname: host.name
      # processes (process_creation)
      CommandLine: process.command_line
      ParentCommandLine: process.parent.command_line
      Image: process.executable
      ParentImage: process.parent.executable
      OriginalFileName: process.pe.original_file_name
      ProcessId: process.pid
      ParentProcessId: process.parent.pid
      CurrentDirectory: process.working_directory
      # files and hashes (Sysmon's Hashes field is split by algorithm, see SigmaHashes.swift)
      TargetFilename: file.path
      md5: file.hash.md5
      sha1: file.hash.sha1
      sha256: file.hash.sha256
      Imphash: file.pe.imphash
      # DNS and web
      QueryName: dns.question.name
      query: dns.question.name
      c-uri: url.original
      cs-uri: url.original
      cs-host: url.domain
      c-useragent: user_agent.original
      cs-method: http.request.method
      cs-referrer: http.request.referrer
      sc-status: http.response.status_code
      # IDS
      Signature: rule.name
      # Okta system log
      eventtype: event.action
      eventType: event.action
      displaymessage: message
      displayMessage: message
      # CloudTrail
      eventName: event.action
      eventSource: event.provider
      awsRegion: cloud.region
      errorCode: error.code
      errorMessage: error.message
      recipientAccountId: cloud.account.id
      userAgent: user_agent.original
      userIdentity.arn: aws.cloudtrail.user_identity.arn
      userIdentity.type: aws.cloudtrail.user_identity.type
      userIdentity.accessKeyId: aws.cloudtrail.user_identity.access_key_id
      userIdentity.accountId: aws.cloudtrail.user_identity.account_id
      # Duo
      factor: duo.factor
      result: duo.result
      reason: event.reason

    logsources:
      - product: okta
        kinds: [okta.sso.login, okta.sso.new_location, okta.sso.login_failed, okta.event]
      - product: okta
        service: okta
        kinds: [okta.sso.login, okta.sso.new_location, okta.sso.login_failed, okta.event]
      - product: duo
        kinds: [duo.auth.success, duo.push.failed, duo.auth.failed]
      - product: aws
        service: cloudtrail
        kinds: [aws.cloudtrail, aws.cloudtrail.console_login]
      - product: aws
        service: guardduty
        kinds: [aws.guardduty.finding]
      # Network: Suricata's EVE records by type.
      - product: suricata
        kinds: [suricata.alert, suricata.dns, suricata.http, suricata.tls, suricata.event]
      - category: ids
        kinds: [suricata.alert]
      - category: network_connection
        product: suricata
        kinds: [suricata.event]
      - category: firewall
        kinds: [suricata.event]
      - category: dns
        kinds: [suricata.dns]
      - category: proxy
        kinds: [suricata.http, web.proxy]
      # Endpoints: CarbonBlack alerts carry the process that raised them; Falco sees Linux
      # hosts and containers, Wazuh Windows and Linux agents.
      - product: carbonblack
        kinds: [cbc.alert]
      - product: carbonblack
        category: process_creation
        kinds: [cbc.alert]
      - category: antivirus
        kinds: [cbc.alert]
      - category: process_creation
        kinds: [cbc.alert, falco.alert, wazuh.alert]
      - category: process_creation
        product: linux
        kinds: [cbc.alert, falco.alert, wazuh.alert, linux.process_creation]
      - category: process_creation
        product: macos
        kinds: [cbc.alert]
      - product: falco
        kinds: [falco.alert]
      - product: wazuh
        kinds: [wazuh.alert]
    """
}
