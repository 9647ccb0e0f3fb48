import Credentials
import Foundation
import HTTPClient
import Model

/// A JSON API over HTTP (osquery/Fleet, PagerDuty on-call, VirusTotal- and GreyNoise-style
/// reputation) through libcurl, so proxies and CA bundles behave as on the rest of the host:
///
///     - name: greynoise
///       type: http
///       url: "https://api.greynoise.io/v3/community/{value}"
///       headers: { key: "${secret:greynoise_key}" }
///       queries:
///         IP_REPUTATION: { answer: "", fields: { verdict: classification, score: noise } }
///
/// `answer` is the dotted path to the object (or list of objects) that answers; `fields`
/// maps each output field to a path inside it. Secrets go into headers and the URL at request
/// time and never into messages.
public struct HTTPPlugin: Plugin {
    public struct Mapping: Sendable {
        public var answer: String
        public var fields: [String: String]
    }

    public let name: String
    public let priority: Int
    public let timeout: Double
    let url: String
    let headers: [String: String]
    let queries: [String: Mapping]
    let secrets: Secrets
    let client: HTTPClient

    public init(
        name: String, url: String, headers: [String: String], queries: [String: Mapping], secrets: Secrets, proxy: String? = nil,
        priority: Int = 50, timeout: Double = 5
    ) {
        self.name = name
        self.url = url
        self.headers = headers
        self.queries = queries
        self.secrets = secrets
        self.client = HTTPClient(proxy: proxy)
        self.priority = priority
        self.timeout = timeout
    }

    public func answers(_ query: String) -> Bool { queries[query] != nil }

    public func ask(_ query: QueryDefinition, _ value: String) throws -> [Answer] {
        guard let mapping = queries[query.name] else { return [] }
        let encoded = value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? value
        let target: String
        var sent: [(name: String, value: String)] = []
        do {
            target = try secrets.resolve(url.replacingOccurrences(of: "{value}", with: encoded).replacingOccurrences(of: "{query}", with: query.name), for: "plugin \(name)")
            for (k, v) in headers.sorted(by: { $0.key < $1.key }) { sent.append((k, try secrets.resolve(v, for: "plugin \(name)"))) }
        } catch {
            throw PluginFailure("\(error)")
        }
        sent.append(("Accept", "application/json"))
        let response: HTTPResponse
        do {
            response = try client.send(HTTPRequest(url: target, headers: sent, timeout: timeout))
        } catch {
            throw PluginFailure("plugin \(name): " + secrets.redact(error.description))
        }
        if response.status == 404 { return [] }
        guard (200..<300).contains(response.status) else {
            throw PluginFailure("plugin \(name): HTTP \(response.status) from \(secrets.redact(url))")
        }
        guard case .some(let json) = try? JSONValue.parse(response.body) else {
            let start = String(decoding: response.body.prefix(40), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            throw PluginFailure("plugin \(name): the answer is not JSON (it starts '\(secrets.redact(start))')")
        }
        let root = mapping.answer.isEmpty ? json : json.at(mapping.answer)
        let objects: [JSONValue] = root?.arrayValue ?? (root.map { [$0] } ?? [])
        return objects.map { o in
            Answer(fields: mapping.fields.reduce(into: [:]) { out, pair in
                if let v = o.at(pair.value), let text = v.stringValue ?? Optional(v.text), !text.isEmpty { out[pair.key] = text }
            })
        }.filter { !$0.fields.isEmpty }
    }
}
