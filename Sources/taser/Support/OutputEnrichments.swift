import Engine
import Model

extension Output {
    /// What Positron said about an artifact, the latest answer of each query, wherever a
    /// command shows the artifact (alert show, case show, pivot).
    static func enrichments(of artifact: Artifact, _ engine: TaserAPI, indent: Int) throws {
        let pad = String(repeating: " ", count: indent)
        for e in try engine.enrichments(of: artifact.id) {
            line("\(pad)\(artifact.value): \(e.query) \(e.answer) (\(e.plugins.joined(separator: ", ")), \(when(e.time)))")
        }
    }
}
