// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Airlock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "airlock", targets: ["airlock"]),
        .library(name: "AirlockCore", targets: ["AirlockCore"]),
        .library(name: "AirlockSandbox", targets: ["AirlockSandbox"]),
        .library(name: "AirlockAudit", targets: ["AirlockAudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Pure model: policies, tokens, decisions, output guard, log records. No processes, no sockets.
        .target(
            name: "AirlockCore",
            dependencies: [
                "CMalloc",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // glibc's malloc.h, for the output channel's allocator settings.
        .systemLibrary(name: "CMalloc"),
        // The execution log: hash-chained records, group commit, signed checkpoints, verify, replay.
        .target(
            name: "AirlockAudit",
            dependencies: [
                "AirlockCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Everything between clone and execve. Async-signal-safe C only.
        .target(name: "CConfine"),
        .systemLibrary(
            name: "CSeccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        .systemLibrary(
            name: "CCap",
            pkgConfig: "libcap",
            providers: [.apt(["libcap-dev"])]
        ),
        // The Swift face of the confinement: JobSpec -> confined child -> Outcome.
        .target(
            name: "AirlockSandbox",
            dependencies: [
                "AirlockCore", "CConfine", "CSeccomp", "CCap",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The daemon: HTTP routes on a Unix socket, roles, task registry, limits, lifecycle.
        .target(
            name: "AirlockBroker",
            dependencies: [
                "AirlockCore", "AirlockSandbox", "AirlockAudit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "airlock",
            dependencies: [
                "AirlockCore", "AirlockSandbox", "AirlockBroker", "AirlockAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What every test target needs from the host: temporary directories, the built
        // executable, running a program.
        .target(name: "AirlockTestSupport", path: "Tests/Support"),
        .testTarget(name: "AirlockCoreTests", dependencies: ["AirlockCore", "AirlockTestSupport"]),
        .testTarget(
            name: "AirlockSandboxTests",
            dependencies: ["AirlockSandbox", "AirlockCore", "CSeccomp", "AirlockTestSupport"]
        ),
        .testTarget(name: "AirlockCLITests", dependencies: ["airlock", "AirlockTestSupport"]),
        .testTarget(name: "AirlockAuditTests", dependencies: ["AirlockAudit", "AirlockCore", "airlock", "AirlockTestSupport"]),
        .testTarget(
            name: "AirlockBrokerTests",
            dependencies: [
                "AirlockBroker", "AirlockCore", "AirlockSandbox", "AirlockTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
