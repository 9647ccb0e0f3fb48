/// Positron: one query API over many data sources.\npublic enum Positron {}
