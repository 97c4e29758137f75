import CopydeskWorkflow
import Prometheus
import Synchronization

/// The service's Prometheus metrics, in a registry of its own (not the process-wide
/// `MetricsSystem`, which can be bootstrapped once only: tests start many servers).
///
/// - `copydesk_http_requests_total{route,status}`
/// - `copydesk_http_request_duration_seconds{route}` (histogram)
/// - `copydesk_findings_total{category}`
/// - `copydesk_rules` (rules loaded), `copydesk_reloads_total{result}`
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    static let buckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .microseconds(2_500_000), .seconds(5), .seconds(10),
    ]

    static var requests: MetricNameDescriptor { .init(metricName: "copydesk_http_requests", unitName: "total", helpText: "HTTP requests by route and status.") }
    static var duration: MetricNameDescriptor { .init(metricName: "copydesk_http_request_duration", unitName: "seconds", helpText: "Time from the request head to the response, by route.") }
    static var findings: MetricNameDescriptor { .init(metricName: "copydesk_findings", unitName: "total", helpText: "Findings reported by POST /v1/lint, by category.") }
    static var rules: MetricNameDescriptor { .init(metricName: "copydesk_rules", unitName: "", helpText: "Rules loaded.") }
    static var reloads: MetricNameDescriptor { .init(metricName: "copydesk_reloads", unitName: "total", helpText: "Reloads of rules and configuration (SIGHUP), by result.") }

    public init() {
        // Present from the start, so a scrape before the first request shows every series name.
        for c in CopydeskCore.Category.allCases {
            _ = registry.makeCounter(descriptor: Self.findings, labels: [("category", c.rawValue)])
        }
    }

    /// The series of each route and status seen so far: the registry is asked once per pair, not
    /// once per request (it builds and looks up the label set every time).
    private let series = Mutex<[RouteStatus: (Counter, DurationHistogram)]>([:])
    private struct RouteStatus: Hashable { var route: String; var status: Int }

    func request(route: String, status: Int, duration: Duration) {
        let key = RouteStatus(route: route, status: status)
        let pair = series.withLock { cache in
            if let known = cache[key] { return known }
            let made = (registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("status", String(status))]),
                        registry.makeDurationHistogram(descriptor: Self.duration, labels: [("route", route)], buckets: Self.buckets))
            cache[key] = made
            return made
        }
        pair.0.increment()
        pair.1.record(duration)
    }

    func findings(_ findings: [Finding]) {
        guard !findings.isEmpty else { return }
        var counts: [CopydeskCore.Category: Int] = [:]
        for f in findings { counts[f.category, default: 0] += 1 }
        for (c, n) in counts {
            findingCounter(c).increment(by: Int64(n))
        }
    }

    private let findingCounters = Mutex<[CopydeskCore.Category: Counter]>([:])

    private func findingCounter(_ c: CopydeskCore.Category) -> Counter {
        findingCounters.withLock { cache in
            if let known = cache[c] { return known }
            let made = registry.makeCounter(descriptor: Self.findings, labels: [("category", c.rawValue)])
            cache[c] = made
            return made
        }
    }

    func rules(_ count: Int) {
        registry.makeGauge(descriptor: Self.rules).set(Double(count))
    }

    func reload(ok: Bool) {
        registry.makeCounter(descriptor: Self.reloads, labels: [("result", ok ? "ok" : "failed")]).increment()
    }

    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
