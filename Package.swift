// swift-tools-version: 6.1
// The layers of ../shared/DESIGN.md: each target imports only those below it.
//   taser (executable) -> Console, Server -> Engine -> AlertEngine, SignalServer, Positron,
//   Automation, Sync -> Store, HTTPClient, Credentials -> Model
// C libraries stay at the edges: CZlib is read only by AlertEngine's gzip reader, CIsal only by
// its EVTX checksums, CCurl only by HTTPClient, CNcursesw only by the console's terminal driver.
// CScan is no library: a header of SSE2 byte scans for Model's JSON reader (Swift's SIMD types
// do not compile to them), with a plain loop where SSE2 is missing.
import PackageDescription

let package = Package(
    name: "taser",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "taser", targets: ["taser"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // HTTP in for `taser serve` (the Server target); swift-configuration support is not used.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Hummingbird's own NIO, named for the Server's connection guard (a channel handler).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.26.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Value types only: no I/O, no dependencies but the scans' header.
        .target(name: "Model", dependencies: ["CScan"]),
        .systemLibrary(name: "CScan", path: "Sources/CScan"),
        // The only module that touches SQLite.
        .target(
            name: "Store",
            dependencies: [
                "Model",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite API itself, for binding rows on the bulk insert paths.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CIsal", path: "Sources/CIsal"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        // The one libcurl client: timeouts, proxies, CA bundles.
        .target(name: "HTTPClient", dependencies: ["CCurl"]),
        // The one secrets store (a file only its owner reads, or the environment), for pollers
        // and Positron's plugins.
        .target(name: "Credentials", dependencies: [.product(name: "Yams", package: "Yams")]),
        // One query API over many data sources: catalog, plugins, router, ACL.
        .target(name: "Positron", dependencies: ["Model", "Store", "HTTPClient", "Credentials", .product(name: "Yams", package: "Yams")]),
        // Outbox delivery: endpoint adapters (TheHive, Slack, Jira, webhook; Splunk HEC,
        // Elasticsearch, CEF over syslog), retries, leases.
        .target(
            name: "Sync",
            dependencies: [
                "Model", "Store", "HTTPClient", "Credentials",
                .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Formats, framing, artifact extraction, the ingest pipeline and its sources.
        .target(
            name: "AlertEngine",
            dependencies: [
                "Model", "Store", "CZlib", "CIsal", "HTTPClient", "Credentials",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The rule language, Sigma import, the streaming correlator and the simulator.
        .target(
            name: "SignalServer",
            dependencies: ["Model", "Store", .product(name: "Yams", package: "Yams")]
        ),
        // Playbooks: the YAML, triggers, conditions, templates, Slack signing and payloads. The
        // Engine's runner performs their steps (it needs the case workflows).
        .target(
            name: "Automation",
            dependencies: ["Model", "SignalServer", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The one facade every client uses: who is asking, the access check, the workflows.
        .target(
            name: "Engine",
            dependencies: [
                "Model", "Store", "AlertEngine", "SignalServer", "Positron", "Credentials", "Automation", "Sync",
                .product(name: "Yams", package: "Yams"),
            ]),
        // The console: views render into a cell grid; only Terminal/ touches ncurses.
        .target(
            name: "Console",
            dependencies: ["Engine", "Model", "SignalServer", "Positron", "CNcursesw", .product(name: "Yams", package: "Yams")],
            // The shipped keymaps and themes, Keymaps/ and Themes/ at the top of the repository,
            // compiled in as text (BuiltInFiles): the binary alone is the install.
            plugins: ["EmbedConsoleDefaults"]
        ),
        .plugin(name: "EmbedConsoleDefaults", capability: .buildTool(), dependencies: ["EmbedConsoleDefaultsTool"]),
        // The plugin's tool: turns the YAML files into Swift string literals at build time.
        .executableTarget(name: "EmbedConsoleDefaultsTool"),
        // HTTP in, a client of Engine: webhooks, the REST API, the TheHive-compatible API.
        .target(
            name: "Server",
            dependencies: [
                "Engine", "Model", "Store", "AlertEngine", "SignalServer", "Positron", "Credentials",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.yaml")]
        ),
        .executableTarget(
            name: "taser",
            dependencies: [
                "Engine", "AlertEngine", "SignalServer", "Console", "Positron", "Credentials", "Automation", "Sync", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // TCMalloc (Debian's libtcmalloc-minimal4) in place of glibc's malloc: a hunt
            // allocates and frees a few dozen small objects an event (strings, arrays, boxes),
            // and with thread-local free lists it ran 4-5% faster (docs/windows-events.md).
            // Named by its file, so that only the library package is needed, not a -dev one.
            linkerSettings: [.unsafeFlags(["-Xlinker", "-l:libtcmalloc_minimal.so.4"])]
        ),
        // Test support: the Python stand-in remotes several test targets start, and a Python tamperer.
        .target(name: "StandIn", path: "Tests/StandIn"),
        .testTarget(name: "ModelTests", dependencies: ["Model"]),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "StandIn", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "AlertEngineTests", dependencies: ["AlertEngine", "Store", "Model", "Credentials"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SignalServerTests", dependencies: ["SignalServer", "Model", "Store"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PositronTests", dependencies: ["Positron", "Credentials", "Model", "Store", "StandIn"], resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "AutomationTests", dependencies: ["Automation", "Model"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "Engine", "Model", "Store", "Positron", "Sync", "Credentials", "StandIn"]),
        .testTarget(
            name: "SyncTests", dependencies: ["Sync", "Engine", "Credentials", "Model", "Store", "StandIn"], resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "Store", "AlertEngine", "SignalServer", "Positron", "Automation", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Runs the real binary: exit codes, stderr, two processes writing at once.
        .testTarget(name: "TaserTests", dependencies: ["taser", "Engine", "StandIn"]),
        // Mutation fuzzing over every format's fixtures, the rule language, Sigma and spans
        // (`make fuzz` runs it longer).
        .testTarget(name: "FuzzTests", dependencies: ["AlertEngine", "SignalServer", "Automation", "Store", "Model"]),
        // Speaks HTTP to the real `taser serve` binary; Server itself for its config and TheHive mapping.
        .testTarget(name: "ServerTests", dependencies: ["taser", "Server", "Credentials", "Model", "StandIn", .product(name: "Crypto", package: "swift-crypto")]),
    ],
    swiftLanguageModes: [.v6]
)
