import Store

// What clients (the console, the CLI) see of the data the Engine's operations take and give,
// without importing the Store: a client reaches nothing below `TaserAPI`, and the Console
// target does not depend on Store at all. The types live in Store beside the queries that fill
// them; these names are how the rest of taser spells them.

public typealias QueueFilter = Store::QueueFilter
public typealias QueueOrder = Store::QueueOrder
public typealias QueuePosition = Store::QueuePosition
public typealias CaseFilter = Store::CaseFilter
public typealias CaseSummary = Store::CaseSummary
public typealias CaseArtifact = Store::CaseArtifact
public typealias AlertFilter = Store::AlertFilter
public typealias Enrichment = Store::Enrichment
public typealias SignalRevision = Store::SignalRevision
public typealias SignalFilter = Store::SignalFilter
public typealias KindCount = Store::KindCount
public typealias FieldPresence = Store::FieldPresence
public typealias ValueCount = Store::ValueCount
public typealias PivotHit = Store::PivotHit
public typealias RelatedCase = Store::RelatedCase
public typealias ArtifactCount = Store::ArtifactCount
public typealias DeliveryRecord = Store::DeliveryRecord
public typealias DeliveryStatus = Store::DeliveryStatus
public typealias EndpointTally = Store::EndpointTally
public typealias QuarantineItem = Store::QuarantineItem
public typealias RuleVersion = Store::RuleVersion
public typealias RuleChange = Store::RuleChange
public typealias IdentityRecord = Store::IdentityRecord
public typealias IdentityLink = Store::IdentityLink
public typealias VerifyReport = Store::VerifyReport
public typealias LogWitness = Store::LogWitness
public typealias QueryAuditEntry = Store::QueryAuditEntry
public typealias AutomationAsk = Store::AutomationAsk
public typealias AutomationJob = Store::AutomationJob
public typealias ArtifactExportRow = Store::ArtifactExportRow
public typealias StoreError = Store::StoreError
