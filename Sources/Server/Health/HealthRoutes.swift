import Foundation
import Hummingbird
import Model

/// `GET /health` (200 when the database answers, 503 when not; no key needed, so load
/// balancers and monitors can ask) and `GET /openapi.yaml`, the API's description kept in the
/// repository beside the code that serves it.
struct HealthRoutes {
    let server: TaserServer

    func add(to router: HTTPRouter) {
        router.get("/health") { _, _ in
            await server.answer { try await health() }
        }
        router.get("/openapi.yaml") { _, _ in
            await server.answer {
                guard let text = HealthRoutes.openAPI else {
                    throw Refusal(.internalServerError, "missing_resource", "openapi.yaml is not installed beside the taser binary")
                }
                return Reply.text(text, contentType: "application/yaml; charset=utf-8")
            }
        }
    }

    func health() async throws -> Response {
        let store = server.engine.store
        do {
            let pending = try await Blocking.run { try store.read { tx in try tx.quarantineCount() } }
            return Reply.json(["status": "ok", "db": "ok", "quarantined": .int(Int64(pending))])
        } catch {
            // The details (which may name the file) go to the log, not to a caller with no key.
            server.logger.error("health: the database did not answer: \(server.redact(String(describing: error)))")
            return Reply.json(["status": "error", "db": "the database did not answer; the server's log says why"], status: .serviceUnavailable)
        }
    }

    static let openAPI: String? = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }()
}
