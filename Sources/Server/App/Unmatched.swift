import Hummingbird
import Model

/// The router's last word: a path no route takes gets an answer that says so, in the shape its
/// client reads (TheHive's under TheHive's paths, taser's elsewhere), instead of an empty 404;
/// and an error a handler lets escape is still a JSON answer, never an empty 500.
struct Unmatched: RouterMiddleware {
    typealias Context = BasicRequestContext
    let server: TaserServer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return Unmatched.answer(request)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            return await server.answer { throw error }
        }
    }

    static func answer(_ request: Request) -> Response {
        let path = String(request.uri.path.prefix(200))
        let asked = "\(request.method) \(path)"
        if TheHiveRoutes.isTheHivePath(request.uri.path) {
            return TheHiveRoutes.HiveError(
                status: .notFound, type: "NotFound",
                message: "taser does not implement TheHive's \(asked); it takes TheHive alerts (POST /api/v1/alert, POST /api/alert), reads and changes them (GET and PATCH /api/v1/alert/{id}, POST /api/v1/alert/{id}/observable, POST /api/v1/query for listAlert), promotes them (POST /api/v1/alert/{id}/case) and opens cases (POST /api/v1/case, GET /api/v1/case/{id})"
            ).response
        }
        return Refusal(.notFound, "not_found", "no endpoint \(asked) here; GET /openapi.yaml lists the endpoints").response
    }
}
