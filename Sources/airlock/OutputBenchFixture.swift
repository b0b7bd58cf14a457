import AirlockCore

/// Realistic tool output for `bench output`: source code, build and test log lines (some in
/// colour), a few lines with a secret or PII, and a terminal title escape now and then —
/// generated from a fixed seed, so every run measures the same bytes.
struct OutputBenchFixture {
    let bytes: [UInt8]
    /// Secrets and PII planted; each must come back as a redaction finding.
    let planted: Int

    static let codeLines = [
        "    func render(arguments: JSONValue, workspace: WorkspaceRoot?) throws(CallDenial) -> RenderedCall {",
        "        guard let value = mapping.optional(\"limits\") else { return .defaults }",
        "        for (index, element) in elements.enumerated() where element.isSlot {",
        "    let timeout = Duration.seconds(30) // the broker's default, see docs/policy.md",
        "def summarise(frame: pd.DataFrame, column: str = \"value\") -> dict[str, float]:",
        "    return {\"mean\": frame[column].mean(), \"p99\": frame[column].quantile(0.99)}",
        "static int confine_mounts(const struct cconfine_spec *_Nonnull spec) {",
        "    if (mount(\"tmpfs\", \"/tmp\", \"tmpfs\", MS_NOSUID | MS_NODEV, \"size=64m\") != 0) return -errno;",
        "import Foundation",
        "}",
        "",
        "// Copyright 2026 The Airlock authors. Licensed under the Apache License, Version 2.0.",
        "    #expect(result.findings.map(\\.detector) == [\"aws_access_key\"])",
        "SELECT id, name, created_at FROM users WHERE created_at > '2026-01-01' ORDER BY id LIMIT 100;",
    ]

    static let logLines = [
        "2026-11-30T08:12:45.123Z INFO  broker.call call.id=7f3a2c task.id=t-42 tool=grep duration_ms=12",
        "\u{1B}[32m✔\u{1B}[0m Test decidesAllowedCall() passed after 0.004 seconds.",
        "\u{1B}[31m✘\u{1B}[0m Test rejectsTamperedToken() failed: expected token_invalid, got token_expired",
        "[142/388] Compiling AirlockCore ToolSpec+Render.swift",
        "warning: 'init(contentsOfFile:)' is deprecated: Use init(contentsOfFile:encoding:) instead",
        "GET /v1/tasks/t-42/calls 200 1.8ms 512B \"curl/8.5.0\"",
        "   12 files changed, 348 insertions(+), 97 deletions(-)",
    ]

    static let secretLines = [
        "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "curl -H 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0' https://api.example.com/v1",
        "GITHUB_TOKEN=ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5",
        "customer card 4111 1111 1111 1111, contact jane.doe@example.com",
        "DATABASE_URL=postgres://admin:s3cr3tPass@db.internal:5432/app",
    ]

    init(size: Int) {
        var generator = SplitMix64(seed: 0x41_49_52_4C_4F_43_4B)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + 256)
        var planted = 0
        while true {
            let roll = generator.next() % 1000
            let line: String
            let secret = roll < 4
            if secret {
                line = Self.secretLines[Int(generator.next() % UInt64(Self.secretLines.count))]
            } else if roll < 6 {
                line = "\u{1B}]0;build \(generator.next() % 100)%\u{07}"
            } else if roll < 350 {
                line = Self.logLines[Int(generator.next() % UInt64(Self.logLines.count))]
            } else {
                line = Self.codeLines[Int(generator.next() % UInt64(Self.codeLines.count))]
            }
            guard bytes.count + line.utf8.count + 1 <= size else { break }
            bytes += Array(line.utf8)
            bytes.append(0x0A)
            if secret { planted += 1 }
        }
        // Blank lines make up the exact size.
        bytes += [UInt8](repeating: 0x0A, count: size - bytes.count)
        self.bytes = bytes
        self.planted = planted
    }
}

/// A small, fast, seedable generator (Vigna's SplitMix64), so the fixture is the same every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
