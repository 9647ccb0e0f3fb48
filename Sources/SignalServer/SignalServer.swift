/// SignalServer turns signals into alerts: the rule language (`Language/`), Sigma import
/// (`Sigma/`), and one streaming correlator (`Correlation/`) that live ingest and the simulator
/// both run. It reads signals through Store and knows nothing of cases, the console or HTTP.
public enum SignalServer {}
