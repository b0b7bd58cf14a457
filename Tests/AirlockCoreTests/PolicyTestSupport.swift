import Foundation
@testable import AirlockCore
import AirlockTestSupport

/// A `Sandbox/` directory for loader tests: views `default` (/usr, /bin, optional /lib64) and
/// `minimal` (/usr/bin only), seccomp profiles `default` and `strict`. The loader only checks
/// that a seccomp file exists (the sandbox compiles it), so their contents are placeholders.
/// Redaction rules: the repository's `default` and a one-detector `team`.
final class SandboxFixture {
    let directory = TemporaryDirectory()
    var path: String { directory.path }

    init() {
        directory.write("rootfs/default.yaml", "readOnly: [/usr, /bin]\noptional: [/lib64]\n")
        directory.write("rootfs/minimal.yaml", "readOnly: [/usr/bin]\n")
        directory.write("seccomp/default.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}\n")
        directory.write("seccomp/strict.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}\n")
        // The repository's own detectors, so output rules resolve as they do for real policies.
        let rules = (try? String(contentsOfFile: repositoryRoot + "/Sandbox/redaction/default.yaml", encoding: .utf8)) ?? ""
        directory.write("redaction/default.yaml", rules)
        directory.write("redaction/team.yaml", """
            detectors:
              - name: acme_token
                kind: secret
                confidence: high
                severity: high
                patterns: ['\\b "acme_" [A-Za-z0-9]{24} \\b']
            """)
    }

    func load(_ text: String, file: String = "test.yaml") throws(ConfigError) -> Policy {
        try PolicyLoader(sandboxDirectory: path).parse(text, file: file)
    }
}

/// The repository root, for tests that read `Policies/` and `Sandbox/`.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
