extension SigmaBuiltInMapping {
    /// Windows events (EVTX, forwarders): Sysmon and the channels. The fields need no mapping:
    /// Windows events keep Windows' own names (`Image`, `CommandLine`, `TargetUserName`), which
    /// Sigma's Windows rules use, and a field an event does not have is read through the
    /// vendors section's ECS names (SigmaOwnFields).
    static let windows = """
    # Each Sysmon event, PowerShell's logging and Security 4688 is a kind of its own (WindowsKinds.swift);
    # process_creation also reads CarbonBlack's alerts, which carry the process.
    logsources:
      - category: process_creation
        product: windows
        kinds: [windows.process_creation, cbc.alert]
      - category: file_change
        product: windows
        kinds: [windows.file_change]
      - category: network_connection
        product: windows
        kinds: [windows.network_connection]
      - category: sysmon_status
        product: windows
        kinds: [windows.sysmon_status]
      - category: process_termination
        product: windows
        kinds: [windows.process_termination]
      - category: driver_load
        product: windows
        kinds: [windows.driver_load]
      - category: image_load
        product: windows
        kinds: [windows.image_load]
      - category: create_remote_thread
        product: windows
        kinds: [windows.create_remote_thread]
      - category: raw_access_thread
        product: windows
        kinds: [windows.raw_access_thread]
      - category: process_access
        product: windows
        kinds: [windows.process_access]
      - category: file_event
        product: windows
        kinds: [windows.file_event]
      - category: registry_add
        product: windows
        kinds: [windows.registry_add]
      - category: registry_delete
        product: windows
        kinds: [windows.registry_delete]
      - category: registry_set
        product: windows
        kinds: [windows.registry_set]
      - category: registry_rename
        product: windows
        kinds: [windows.registry_rename]
      - category: create_stream_hash
        product: windows
        kinds: [windows.create_stream_hash]
      - category: pipe_created
        product: windows
        kinds: [windows.pipe_created]
      - category: wmi_event
        product: windows
        kinds: [windows.wmi_event]
      - category: dns_query
        product: windows
        kinds: [windows.dns_query]
      - category: file_delete
        product: windows
        kinds: [windows.file_delete]
      - category: clipboard_capture
        product: windows
        kinds: [windows.clipboard_capture]
      - category: process_tampering
        product: windows
        kinds: [windows.process_tampering]
      - category: file_block_executable
        product: windows
        kinds: [windows.file_block_executable]
      - category: file_block_shredding
        product: windows
        kinds: [windows.file_block_shredding]
      - category: file_executable_detected
        product: windows
        kinds: [windows.file_executable_detected]
      - category: sysmon_error
        product: windows
        kinds: [windows.sysmon_error]
      - category: file_access
        product: windows
        kinds: [windows.file_access]
      - category: file_rename
        product: windows
        kinds: [windows.file_rename]
      - category: ps_script
        product: windows
        kinds: [windows.ps_script]
      - category: ps_module
        product: windows
        kinds: [windows.ps_module]
      - category: ps_classic_start
        product: windows
        kinds: [windows.ps_classic_start]
      - category: ps_classic_provider_start
        product: windows
        kinds: [windows.ps_classic_provider_start]
      - category: ps_classic_script
        product: windows
        kinds: [windows.ps_classic_script]
      - category: registry_event
        product: windows
        kinds: [windows.registry_add, windows.registry_delete, windows.registry_set, windows.registry_rename]
      # Services are channels, as pySigma's Windows pipeline maps them: the kind is windows.event,
      # and the rule reads only its channel's events.
      - product: windows
        service: security
        kinds: [windows.event, windows.process_creation]
        where: {Channel: ['Security']}
      - product: windows
        service: application
        kinds: [windows.event]
        where: {Channel: ['Application']}
      - product: windows
        service: system
        kinds: [windows.event]
        where: {Channel: ['System']}
      - product: windows
        service: taskscheduler
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-TaskScheduler/Operational']}
      - product: windows
        service: wmi
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-WMI-Activity/Operational']}
      - product: windows
        service: dns-server
        kinds: [windows.event]
        where: {Channel: ['DNS Server']}
      - product: windows
        service: dns-server-audit
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-DNS-Server/Audit']}
      - product: windows
        service: dns-server-analytic
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-DNS-Server/Analytical']}
      - product: windows
        service: driver-framework
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-DriverFrameworks-UserMode/Operational']}
      - product: windows
        service: ntlm
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-NTLM/Operational']}
      - product: windows
        service: dhcp
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-DHCP-Server/Operational']}
      - product: windows
        service: msexchange-management
        kinds: [windows.event]
        where: {Channel: ['MSExchange Management']}
      - product: windows
        service: applocker
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-AppLocker/MSI and Script', 'Microsoft-Windows-AppLocker/EXE and DLL', 'Microsoft-Windows-AppLocker/Packaged app-Deployment', 'Microsoft-Windows-AppLocker/Packaged app-Execution']}
      - product: windows
        service: printservice-admin
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-PrintService/Admin']}
      - product: windows
        service: printservice-operational
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-PrintService/Operational']}
      - product: windows
        service: codeintegrity-operational
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-CodeIntegrity/Operational']}
      - product: windows
        service: smbclient-security
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-SmbClient/Security']}
      - product: windows
        service: smbclient-connectivity
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-SmbClient/Connectivity']}
      - product: windows
        service: smbserver-connectivity
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-SMBServer/Connectivity']}
      - product: windows
        service: firewall-as
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall']}
      - product: windows
        service: bits-client
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-Bits-Client/Operational']}
      - product: windows
        service: windefend
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-Windows Defender/Operational']}
      - product: windows
        service: terminalservices-localsessionmanager
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational']}
      - product: windows
        service: microsoft-servicebus-client
        kinds: [windows.event]
        where: {Channel: ['Microsoft-ServiceBus-Client']}
      - product: windows
        service: ldap_debug
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-LDAP-Client/Debug']}
      - product: windows
        service: ldap
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-LDAP-Client/Debug']}
      - product: windows
        service: security-mitigations
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-Security-Mitigations/Kernel Mode', 'Microsoft-Windows-Security-Mitigations/User Mode']}
      - product: windows
        service: diagnosis-scripted
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-Diagnosis-Scripted/Operational']}
      - product: windows
        service: shell-core
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-Shell-Core/Operational']}
      - product: windows
        service: openssh
        kinds: [windows.event]
        where: {Channel: ['OpenSSH/Operational']}
      - product: windows
        service: bitlocker
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-BitLocker/BitLocker Management']}
      - product: windows
        service: vhdmp
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-VHDMP/Operational']}
      - product: windows
        service: appxdeployment-server
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-AppXDeploymentServer/Operational']}
      - product: windows
        service: lsa-server
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-LSA/Operational']}
      - product: windows
        service: appxpackaging-om
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-AppxPackaging/Operational']}
      - product: windows
        service: dns-client
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-DNS Client Events/Operational', 'Microsoft-Windows-DNS-Client/Operational']}
      - product: windows
        service: appmodel-runtime
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-AppModel-Runtime/Admin']}
      - product: windows
        service: capi2
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-CAPI2/Operational']}
      - product: windows
        service: certificateservicesclient-lifecycle-system
        kinds: [windows.event]
        where: {Channel: ['Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational']}
      - product: windows
        service: iis-configuration
        kinds: [windows.event]
        where: {Channel: ['Microsoft-IIS-Configuration/Operational']}
      - product: windows
        service: sysmon
        kinds: [windows.process_creation, windows.file_change, windows.network_connection, windows.sysmon_status, windows.process_termination, windows.driver_load, windows.image_load, windows.create_remote_thread, windows.raw_access_thread, windows.process_access, windows.file_event, windows.registry_add, windows.registry_delete, windows.registry_set, windows.registry_rename, windows.create_stream_hash, windows.pipe_created, windows.wmi_event, windows.dns_query, windows.file_delete, windows.clipboard_capture, windows.process_tampering, windows.file_block_executable, windows.file_block_shredding, windows.file_executable_detected, windows.sysmon_error, windows.event]
        where: {Channel: ['Microsoft-Windows-Sysmon/Operational']}
      - product: windows
        service: powershell
        kinds: [windows.event, windows.ps_script, windows.ps_module]
        where: {Channel: ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational']}
      - product: windows
        service: powershell-classic
        kinds: [windows.event, windows.ps_classic_start, windows.ps_classic_provider_start, windows.ps_classic_script]
        where: {Channel: ['Windows PowerShell']}
      # A rule that names only the product reads every Windows event.
      - product: windows
        kinds: [windows.event, windows.process_creation, windows.file_change, windows.network_connection, windows.sysmon_status, windows.process_termination, windows.driver_load, windows.image_load, windows.create_remote_thread, windows.raw_access_thread, windows.process_access, windows.file_event, windows.registry_add, windows.registry_delete, windows.registry_set, windows.registry_rename, windows.create_stream_hash, windows.pipe_created, windows.wmi_event, windows.dns_query, windows.file_delete, windows.clipboard_capture, windows.process_tampering, windows.file_block_executable, windows.file_block_shredding, windows.file_executable_detected, windows.sysmon_error, windows.file_access, windows.file_rename, windows.ps_script, windows.ps_module, windows.ps_classic_start, windows.ps_classic_provider_start, windows.ps_classic_script]
    """
}
