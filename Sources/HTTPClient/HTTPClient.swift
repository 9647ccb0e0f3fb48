import CCurl
import Foundation

/// The one HTTP client (libcurl): proxies from the environment (`https_proxy`, `no_proxy`) or
/// configuration, CA bundles and timeouts behave as ops teams expect on jump hosts. Used by
/// pollers, Positron plugins and Sync. Calls block the calling thread.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Whole-request timeout in seconds.
    public var timeout: Double
    /// The largest response body taser reads (after curl undoes gzip): a remote that sends more
    /// (a misconfigured API, a decompression bomb) gets an error, not all of memory.
    public var maxResponse: Int

    /// 64 MiB: the largest page any vendor API or remote answers with, many times over.
    public static let defaultMaxResponse = 64 << 20

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil, timeout: Double = 30,
        maxResponse: Int = HTTPRequest.defaultMaxResponse
    ) {
        self.maxResponse = maxResponse
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The last value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of a header (`Link` may come several times).
    public func headers(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }
}

public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var url: String
    public var reason: String
    public var isTimeout: Bool
    public var description: String { "\(url): \(reason)" }
}

public struct HTTPClient: Sendable {
    public var proxy: String?
    public var caBundle: String?
    public var userAgent = "taser/0.1"

    public init(proxy: String? = nil, caBundle: String? = nil) {
        self.proxy = proxy
        self.caBundle = caBundle
    }

    /// Once per process, before any handle (the stream client's too).
    static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        _ = HTTPClient.globalInit
        guard let curl = curl_easy_init() else { throw HTTPError(url: request.url, reason: "libcurl failed to start", isTimeout: false) }
        defer { curl_easy_cleanup(curl) }
        let sink = Sink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        for h in request.headers { headerList = curl_slist_append(headerList, "\(h.name): \(h.value)") }
        // Without this, curl sends `Expect: 100-continue` and waits a second on every POST.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }

        taser_curl_set_string(curl, CURLOPT_URL, request.url)
        taser_curl_set_string(curl, CURLOPT_CUSTOMREQUEST, request.method)
        taser_curl_set_slist(curl, CURLOPT_HTTPHEADER, headerList)
        taser_curl_set_string(curl, CURLOPT_USERAGENT, userAgent)
        // Within a millisecond and a day, whatever the caller computed (NaN included): Int(_:)
        // of a Double out of range traps.
        let timeout = request.timeout.isFinite ? min(max(request.timeout, 0.001), 86_400) : 30
        sink.limit = request.maxResponse
        taser_curl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        taser_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 10) * 1000))
        taser_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        taser_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        taser_curl_set_string(curl, CURLOPT_ACCEPT_ENCODING, "")
        if let proxy { taser_curl_set_string(curl, CURLOPT_PROXY, proxy) }
        if let caBundle { taser_curl_set_string(curl, CURLOPT_CAINFO, caBundle) }
        taser_curl_set_pointer(curl, CURLOPT_WRITEDATA, box.toOpaque())
        taser_curl_set_callback(curl, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            // context is the Sink this function set as WRITEDATA/HEADERDATA: never nil.
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            // Returning less than n makes curl stop with CURLE_WRITE_ERROR; `overflowed` says why.
            guard let data, sink.body.count + n <= sink.limit else {
                sink.overflowed = true
                return 0
            }
            data.withMemoryRebound(to: UInt8.self, capacity: n) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
            return n
        }
        taser_curl_set_pointer(curl, CURLOPT_HEADERDATA, box.toOpaque())
        taser_curl_set_callback(curl, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            // context is the Sink this function set as WRITEDATA/HEADERDATA: never nil.
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
            if line.hasPrefix("HTTP/") { sink.headers.removeAll() }  // a new response (after 100 Continue)
            if let colon = line.firstIndex(of: ":"), sink.headers.count < 1000 {
                sink.headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            return n
        }
        var payload = request.body ?? []
        let code: CURLcode = payload.withUnsafeMutableBytes { raw in
            if request.body != nil {
                taser_curl_set_pointer(curl, CURLOPT_POSTFIELDS, raw.baseAddress)
                taser_curl_set_long(curl, CURLOPT_POSTFIELDSIZE, raw.count)
            }
            return curl_easy_perform(curl)
        }
        if sink.overflowed {
            throw HTTPError(url: request.url, reason: "the response is larger than \(request.maxResponse >> 20) MiB; stopped reading it", isTimeout: false)
        }
        guard code == CURLE_OK else {
            throw HTTPError(
                url: request.url, reason: String(cString: curl_easy_strerror(code)), isTimeout: code == CURLE_OPERATION_TIMEDOUT)
        }
        var status = 0
        taser_curl_get_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private final class Sink {
        var body: [UInt8] = []
        var limit = HTTPRequest.defaultMaxResponse
        var overflowed = false
        var headers: [(name: String, value: String)] = []
    }
}
