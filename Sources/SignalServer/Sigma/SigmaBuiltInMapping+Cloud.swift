extension SigmaBuiltInMapping {
    /// Cloud and SaaS audit logs: Azure, Microsoft 365, Google Cloud, GitHub, Kubernetes, OpenCanary.
    ///
    /// The formats keep each record under its own field names (`operationName`,
    /// `properties.message`, `Operation`, `protoPayload.methodName`, `verb`, `action`,
    /// `logtype`), so most rules need no entry here. The entries below are the names SigmaHQ's
    /// rules use for the same field in another spelling: Microsoft Sentinel's and the portal's
    /// names for Azure's properties, other shippers' prefixes for Google's, and case variants
    /// (a field entry also answers for its name in any case, so `Category` serves `category`,
    /// `ResultDescription` serves `Resultdescription`).
    static let cloud = """
    fields:
      # Azure: names the record has under `properties`, or a Sentinel column the format adds
      riskEventType: properties.riskEventType
      ResultDescription: ResultDescription
      ConditionalAccessStatus: ConditionalAccessStatus
      DeviceDetail.trustType: DeviceDetail.trustType
      DeviceDetail.isCompliant: DeviceDetail.isCompliant
      DeviceDetail.deviceId: DeviceDetail.deviceId
      ClientApp: ClientAppUsed
      Category: Category
      OperationName: OperationName
      operationName: operationName
      resourceId: resourceId
      ActivityType: ActivityDisplayName
      TargetResources: properties.targetResources
      targetResources.type: properties.targetResources.type
      TargetResources.modifiedProperties: properties.targetResources.modifiedProperties
      TargetResources.modifiedProperties.displayName: properties.targetResources.modifiedProperties.displayName
      TargetResources.modifiedProperties.newValue: properties.targetResources.modifiedProperties.newValue
      # Microsoft 365: the outcome word the `eventSource`/`eventName` rules compare (kept apart
      # from the record's own `Status`, an alert's state)
      status: status
      # ... and so `Status` (Azure's, Windows') needs its own entry, or it would find the one above
      Status: Status
      # Kubernetes: rules that name the API group without its object
      apiGroup: objectRef.apiGroup
      # Google Cloud: the LogEntry as other shippers nest it (`data.`), and a case variant
      data.protoPayload.methodName: protoPayload.methodName
      data.protoPayload.serviceName: protoPayload.serviceName
      data.protoPayload.resource.type: resource.type
      data.protoPayload.logName: logName
      data.protoPayload.authorizationInfo.permission: protoPayload.authorizationInfo.permission
      data.protoPayload.authorizationInfo.granted: protoPayload.authorizationInfo.granted
      protoPayload.serviceName: protoPayload.serviceName

    logsources:
      - product: azure
        kinds: [azure.activity, azure.signin, azure.audit, azure.risk_detection, azure.pim]
      - product: azure
        service: activitylogs
        kinds: [azure.activity]
      - product: azure
        service: signinlogs
        kinds: [azure.signin]
      # PIM writes its changes to the directory audit log too.
      - product: azure
        service: auditlogs
        kinds: [azure.audit, azure.pim]
      - product: azure
        service: riskdetection
        kinds: [azure.risk_detection]
      - product: azure
        service: pim
        kinds: [azure.pim]
      - product: m365
        kinds: [m365.audit, m365.alert]
      - product: m365
        service: audit
        kinds: [m365.audit, m365.alert]
      - product: m365
        service: threat_management
        kinds: [m365.alert]
      - product: m365
        service: threat_detection
        kinds: [m365.alert]
      - product: m365
        service: exchange
        kinds: [m365.audit]
        where: {Workload: Exchange}
      - product: gcp
        kinds: [gcp.audit, google_workspace.admin, google_workspace.login]
      - product: gcp
        service: gcp.audit
        kinds: [gcp.audit]
      - product: gcp
        service: google_workspace.admin
        kinds: [google_workspace.admin]
      - product: gcp
        service: google_workspace.login
        kinds: [google_workspace.login]
      - product: github
        kinds: [github.audit]
      - product: github
        service: audit
        kinds: [github.audit]
      - product: kubernetes
        kinds: [kubernetes.audit]
      - product: kubernetes
        service: audit
        kinds: [kubernetes.audit]
      - product: kubernetes
        category: application
        kinds: [kubernetes.audit]
      - product: kubernetes
        service: audit
        category: application
        kinds: [kubernetes.audit]
      - product: opencanary
        kinds: [opencanary.event]
      - product: opencanary
        category: application
        kinds: [opencanary.event]
    """
}
