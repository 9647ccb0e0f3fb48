import AlertEngine
import Foundation
import Model
#if canImport(Glibc)
import Glibc
#endif

/// `taser ingest FILE|-` through the daemon. The client reads its files (the daemon never opens
/// a path a client names: it would open it as the service account) and streams their bytes:
/// the `ingest` request, then raw frames (a 4-byte big-endian length, then that many bytes, at
/// most `largestChunk`), then an empty frame. The daemon ingests as the bytes come, with its own
/// formats and mapping files, and answers with the summary. Ingest is idempotent (a record seen
/// before is a duplicate), so a stream cut short can be sent again whole.
public enum TeamIngest {
    public static let largestChunk = 1 << 20
    /// How late a signal may be and still be correlated live, at most: the CLI's own bound is lower.
    static let mostLateness: Int64 = 365 * 86_400_000

    public struct Request: Codable, Sendable {
        public var source: String
        public var format: String?
        public var maxRecord: Int
        public var lateness: Int64
    }

    /// The daemon's side: frames from the socket as the ingester's input.
    final class FramesInput: ByteInput {
        let fd: Int32
        private var pending: [UInt8] = []
        private var offset = 0
        private(set) var ended = false

        init(_ fd: Int32) { self.fd = fd }

        func read(max: Int) throws(InputFailure) -> [UInt8] {
            while offset >= pending.count {
                if ended { return [] }
                do {
                    guard let frame = try TeamWire.receiveRaw(on: fd, largest: TeamIngest.largestChunk) else {
                        throw InputFailure("the client went away mid-stream")
                    }
                    if frame.isEmpty { ended = true; return [] }
                    pending = Array(frame)
                    offset = 0
                } catch let failure as InputFailure {
                    throw failure
                } catch {
                    throw InputFailure("the client's stream broke (\(error))")
                }
            }
            let end = offset + Swift.min(Swift.max(max, 1), pending.count - offset)
            defer { offset = end }
            return Array(pending[offset..<end])
        }

        /// Reads what the client still sends after a refused or failed ingest, so its answer
        /// is read in order.
        func drain() {
            while !ended {
                guard let frame = try? TeamWire.receiveRaw(on: fd, largest: TeamIngest.largestChunk) else { return }
                if frame.isEmpty { ended = true }
            }
        }
    }

    /// The daemon: runs one streamed ingest and answers it.
    static func serve(_ fd: Int32, _ request: TeamRequest, engine: Engine, ingester makeIngester: ((Int64) throws -> Ingester)?) throws {
        let input = FramesInput(fd)
        let response: TeamResponse
        do {
            guard let makeIngester else {
                throw TeamWire.Problem("this daemon does not ingest (it serves only the socket of a bench or a test)")
            }
            let asked = try JSONDecoder().decode(Request.self, from: Data(request.args.utf8))
            guard IngestLimits.recordRange.contains(asked.maxRecord) else {
                throw TeamWire.Problem("maxRecord \(asked.maxRecord) is outside \(IngestLimits.recordRange)")
            }
            guard (0...TeamIngest.mostLateness).contains(asked.lateness) else {
                throw TeamWire.Problem("lateness \(asked.lateness) ms is outside 0 to \(TeamIngest.mostLateness) ms (a year)")
            }
            let ingester = try makeIngester(asked.lateness)
            ingester.limits = IngestLimits(maxRecord: asked.maxRecord)
            let summary = try ingester.ingest(input, source: asked.source, format: asked.format)
            input.drain()
            response = TeamResponse(id: request.id, result: try TeamOperations.encode(summary), failure: nil)
        } catch {
            input.drain()
            response = TeamResponse(id: request.id, result: nil, failure: TeamOperations.failure(error))
        }
        try TeamWire.send(response, on: fd)
    }
}

extension RemoteEngine {
    /// Replays a quarantined item through the daemon's ingest (its formats and mapping files).
    public func replay(_ id: Int64, format: String?) throws -> IngestSummary {
        try call("quarantine.replay", TeamOperations.Replay(id: id, format: format), as: IngestSummary.self)
    }

    /// Streams `input` to the daemon's ingest; its summary. The connection is used for this one
    /// stream and closed.
    public func ingest(_ input: ByteInput, source: String, format: String?, maxRecord: Int, lateness: Int64, progress: ((Int) -> Void)? = nil) throws -> IngestSummary {
        let (fd, _) = try RemoteEngine.open(socketPath, actingAs: actingAs)
        defer { Glibc.close(fd) }
        let request = TeamIngest.Request(source: source, format: format, maxRecord: maxRecord, lateness: lateness)
        let args = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        let lost = TeamFailure(message: "the daemon on \(socketPath) went away during the ingest: part of it may have been stored; run it again (records already stored count as duplicates)", exitCode: 1)
        do {
            try TeamWire.send(TeamRequest(id: 1, op: "ingest", args: args), on: fd)
            var sent = 0
            while true {
                let chunk: [UInt8]
                do { chunk = try input.read(max: TeamIngest.largestChunk) } catch {
                    throw TeamFailure(message: "cannot read \(source): \(error)", exitCode: 1)
                }
                try TeamWire.sendRaw(chunk, on: fd)
                if chunk.isEmpty { break }
                sent += chunk.count
                progress?(sent)
            }
        } catch let failure as TeamFailure {
            throw failure
        } catch {
            // The daemon may have refused early and closed: its answer says why.
            if let response = try? TeamWire.receive(TeamResponse.self, on: fd), let failure = response.failure { throw failure.typed }
            throw lost
        }
        guard let response = try? TeamWire.receive(TeamResponse.self, on: fd) else { throw lost }
        if let failure = response.failure { throw failure.typed }
        guard let result = response.result, let summary = try? JSONDecoder().decode(IngestSummary.self, from: Data(result.utf8)) else {
            throw TeamWire.Problem("the daemon's answer to ingest is malformed")
        }
        return summary
    }
}
