import Foundation

/// The consistent world behind the demo: employees with managers, departments, home cities and
/// laptops; servers; the SOC's analysts and teams; outside addresses. Every signal the demo
/// makes is about these, so pivots and cases connect the way they do in a real company.
struct DemoWorld {
    struct Person {
        var login: String
        var name: String
        var email: String
        var department: String
        var manager: String?
        var city: Place
        var homeIP: String
        var laptop: Host
        var userAgent: String
        var os: String
    }

    struct Host {
        var name: String
        var ip: String
        var os: String
        var deviceID: Int
    }

    struct Place {
        var city: String
        var region: String
        var country: String
        var iso: String
        var lat: Double
        var lon: Double
    }

    struct SOCAnalyst {
        var login: String
        var name: String
        var teams: [String]
        var manager: String?
    }

    static let domain = "example.com"
    static let awsAccount = "123456789012"

    /// The user's three rules, with the options a SOC would give them.
    static let rules: [(name: String, text: String)] = [
        ("sso-new-location-then-duo-failures", """
            [ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON
            TITLE "New-location SSO login then failed Duo pushes" SEVERITY high TEAM soc TAGS account-takeover
            """),
        ("repeated-carbonblack-alerts", """
            [ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON
            TITLE "Repeated Carbon Black alerts" SEVERITY high TEAM soc TAGS edr
            """),
        ("ids-scan-one-port", """
            [ (4 IDS Alerts) ] IN [ 36 Hours ] WITH [ src_ip, dst_port ] IN COMMON
            TITLE "Scanning one port" SEVERITY medium TEAM soc TAGS ids
            """),
    ]

    static let teams: [(name: String, description: String)] = [
        ("soc", "Security operations: triage and first response"),
        ("ir", "Incident response"),
        ("cloud", "Cloud security"),
    ]

    static let analysts: [SOCAnalyst] = [
        SOCAnalyst(login: "maya.ortiz", name: "Maya Ortiz", teams: ["soc", "ir"], manager: nil),
        SOCAnalyst(login: "ana.silva", name: "Ana Silva", teams: ["soc"], manager: "maya.ortiz"),
        SOCAnalyst(login: "ben.okafor", name: "Ben Okafor", teams: ["soc"], manager: "maya.ortiz"),
        SOCAnalyst(login: "chen.wei", name: "Chen Wei", teams: ["soc"], manager: "maya.ortiz"),
        SOCAnalyst(login: "dana.kim", name: "Dana Kim", teams: ["ir"], manager: "maya.ortiz"),
        SOCAnalyst(login: "eli.cohen", name: "Eli Cohen", teams: ["ir"], manager: "dana.kim"),
        SOCAnalyst(login: "farah.haddad", name: "Farah Haddad", teams: ["cloud"], manager: "maya.ortiz"),
    ]

    static let homePlaces: [Place] = [
        Place(city: "Austin", region: "Texas", country: "United States", iso: "US", lat: 30.27, lon: -97.74),
        Place(city: "Seattle", region: "Washington", country: "United States", iso: "US", lat: 47.61, lon: -122.33),
        Place(city: "Boston", region: "Massachusetts", country: "United States", iso: "US", lat: 42.36, lon: -71.06),
        Place(city: "Denver", region: "Colorado", country: "United States", iso: "US", lat: 39.74, lon: -104.99),
        Place(city: "New York", region: "New York", country: "United States", iso: "US", lat: 40.71, lon: -74.01),
        Place(city: "London", region: "England", country: "United Kingdom", iso: "GB", lat: 51.51, lon: -0.13),
        Place(city: "Dublin", region: "Leinster", country: "Ireland", iso: "IE", lat: 53.35, lon: -6.26),
        Place(city: "Toronto", region: "Ontario", country: "Canada", iso: "CA", lat: 43.65, lon: -79.38),
    ]

    /// Where account takeovers log in from in the stories.
    static let foreignPlaces: [Place] = [
        Place(city: "Lagos", region: "Lagos", country: "Nigeria", iso: "NG", lat: 6.52, lon: 3.38),
        Place(city: "Bucharest", region: "Bucuresti", country: "Romania", iso: "RO", lat: 44.43, lon: 26.10),
        Place(city: "Sao Paulo", region: "Sao Paulo", country: "Brazil", iso: "BR", lat: -23.55, lon: -46.63),
        Place(city: "Hanoi", region: "Hanoi", country: "Vietnam", iso: "VN", lat: 21.03, lon: 105.85),
        Place(city: "Moscow", region: "Moscow", country: "Russia", iso: "RU", lat: 55.76, lon: 37.62),
    ]

    /// Where people travel to (benign new-location logins).
    static let travelPlaces: [Place] = [
        Place(city: "Paris", region: "Ile-de-France", country: "France", iso: "FR", lat: 48.86, lon: 2.35),
        Place(city: "Tokyo", region: "Tokyo", country: "Japan", iso: "JP", lat: 35.68, lon: 139.69),
        Place(city: "Mexico City", region: "CDMX", country: "Mexico", iso: "MX", lat: 19.43, lon: -99.13),
        Place(city: "Berlin", region: "Berlin", country: "Germany", iso: "DE", lat: 52.52, lon: 13.40),
    ]

    static let firstNames = [
        "james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "david", "elizabeth", "william",
        "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "carlos", "karen", "priya", "lisa",
        "daniel", "nancy", "matthew", "betty", "anthony", "sandra", "mark", "ashley", "wei", "kimberly", "omar",
        "emily", "steven", "donna", "paul", "michelle", "andrew", "carol", "joshua", "amanda", "kenji", "melissa",
        "kevin", "deborah", "brian", "stephanie", "george", "rebecca", "ahmed", "sharon", "ivan", "laura",
    ]

    static let lastNames = [
        "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez",
        "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
        "lee", "perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson", "walker",
        "young", "allen", "king", "wright", "scott", "torres", "nguyen", "hill", "flores", "green", "adams", "nelson",
        "baker", "hall", "rivera", "campbell", "mitchell", "carter", "roberts", "patel", "kowalski", "tanaka",
    ]

    static let departments = ["Engineering", "Sales", "Finance", "Marketing", "Support", "Legal", "People", "IT"]

    static let userAgents: [(agent: String, os: String)] = [
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Mac OS X"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Windows 10"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0", "Windows 10"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Mac OS X"),
    ]

    /// Public prefixes for home ISPs and outside hosts (first two octets).
    static let ispPrefixes = ["73.162", "24.21", "98.207", "108.49", "76.102", "86.12", "81.140", "99.230"]
    static let hostilePrefixes = ["45.155", "185.220", "91.219", "103.75", "194.26"]

    static let externalDomains = [
        "github.com", "slack.com", "zoom.us", "salesforce.com", "office365.com", "google.com", "aws.amazon.com",
        "atlassian.net", "dropbox.com", "okta.com", "duosecurity.com", "stackoverflow.com", "npmjs.org", "pypi.org",
        "docker.io", "cloudflare.com", "wikipedia.org", "linkedin.com", "zendesk.com", "workday.com",
    ]

    static let servers = [
        "web-01", "web-02", "web-03", "api-01", "api-02", "db-01", "db-02", "build-01", "build-02", "vpn-01", "mail-01",
        "files-01", "jump-01", "jump-02", "wiki-01", "ci-runner-01", "ci-runner-02", "kafka-01", "kafka-02", "redis-01",
    ]

    var people: [Person] = []
    var servers: [Host] = []

    init(seed: UInt64) {
        var rng = DemoRandom(seed: seed ^ 0x5EED_0F_3071D)
        var taken = Set<String>()
        var people: [Person] = []
        let count = 240
        while people.count < count {
            let first = rng.pick(DemoWorld.firstNames), last = rng.pick(DemoWorld.lastNames)
            var login = "\(first).\(last)"
            if taken.contains(login) { login += String(rng.between(2, 9)) }
            guard taken.insert(login).inserted else { continue }
            let n = people.count
            let ua = rng.pick(DemoWorld.userAgents)
            let laptopOS = ua.os.hasPrefix("Mac") ? "MAC" : "WINDOWS"
            // Person 3's laptop is the first host of the EDR stories (`DemoStories`), the one the
            // README's walkthrough searches for by a name that stays put: LT-BARCHECK.
            let laptop = Host(
                name: n == 3 ? "LT-BARCHECK" : "LT-\(first.prefix(1).uppercased())\(last.prefix(4).uppercased())\(String(format: "%02d", n % 100))",
                ip: "10.\(10 + n / 200).\(n % 200 / 10 + 1).\(20 + n % 10 * 20 + rng.below(19))", os: laptopOS,
                deviceID: 5_000_000 + n * 37)
            people.append(Person(
                login: login, name: "\(first.capitalized) \(last.capitalized)", email: "\(login)@\(DemoWorld.domain)",
                department: DemoWorld.departments[n % DemoWorld.departments.count],
                manager: n < 8 ? nil : people[n % 8].login, city: rng.pick(DemoWorld.homePlaces),
                homeIP: "\(rng.pick(DemoWorld.ispPrefixes)).\(rng.between(1, 254)).\(rng.between(1, 254))", laptop: laptop,
                userAgent: ua.agent, os: ua.os))
        }
        self.people = people
        self.servers = DemoWorld.servers.enumerated().map { n, name in
            Host(name: "\(name).corp.\(DemoWorld.domain)", ip: "10.20.\(1 + n / 50).\(10 + n % 50 * 4)", os: "LINUX", deviceID: 9_000_000 + n * 41)
        }
    }

    var allHosts: [Host] { people.map(\.laptop) + servers }
}
