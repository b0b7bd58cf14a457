import AirlockTestSupport
import Foundation
import Testing

/// `airlock token mint | attenuate | inspect | revoke`, round trips through the files they keep.
@Suite struct TokenCommandTests {
    let state = TemporaryDirectory()

    private func mint(_ extra: [String] = []) throws -> String {
        let result = try CLI.run(
            ["token", "mint", "--policy", examplePolicy("code-reading"), "--task", "task-7", "--state-dir", state.path] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .newlines)
    }

    @Test func mintAttenuateInspectRoundTrip() throws {
        let token = try mint(["--tools", "search,read_file", "--max-calls", "20", "--ttl", "10m"])
        #expect(token.hasPrefix("alk1."))
        let keys = try FileManager.default.contentsOfDirectory(atPath: state.path + "/keys")
        #expect(keys.count == 1 && keys[0].hasPrefix("token-root-"))
        let mode = try FileManager.default.attributesOfItem(atPath: state.path + "/keys/" + keys[0])[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let attenuated = try CLI.run(["token", "attenuate", token, "--tools", "search", "--path-under", "path=src", "--memory", "64MiB"])
        #expect(attenuated.status == 0, "\(attenuated.stderr)")
        let child = attenuated.stdout.trimmingCharacters(in: .newlines)
        #expect(child.hasPrefix(token.prefix(60)), "the child extends the parent's identifier")

        let inspected = try CLI.run(["token", "inspect", child, "--state-dir", state.path])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let caveats = inspected.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { String($0.drop { $0 == " " }) }
        #expect(caveats.count == 7, "\(inspected.stdout)")
        let expectedPrefixes = [
            "0. tools: read_file, search", "1. expires: ", "2. max-calls: 20", "3. derived: ", "4. tools: search",
            "5. argument: \"path\" under \"src\"", "6. limits: memory ≤ 64MiB",
        ]
        for (line, prefix) in zip(caveats, expectedPrefixes) { #expect(line.hasPrefix(prefix), "\(line)") }
        #expect(inspected.stdout.contains("task          task-7"))
        #expect(inspected.stdout.contains("signature     verified with root key "), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("grants        search\n"))
        #expect(inspected.stdout.contains("status        valid"))
        #expect(!inspected.stdout.contains(String(child.suffix(43))), "the signature is never printed")
    }

    @Test func inspectWithoutTheKeySaysItDidNotVerify() throws {
        let token = try mint()
        let elsewhere = TemporaryDirectory()
        let result = try CLI.run(["token", "inspect", token, "--state-dir", elsewhere.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try jsonObject(result.stdout)
        let verification = try #require(object["verification"] as? [String: Any])
        #expect(verification["verified"] as? Bool == false)
        #expect((verification["reason"] as? String)?.contains("no root key") == true)
        #expect(object["taskId"] as? String == "task-7")
    }

    @Test func inspectOfATamperedTokenFails() throws {
        var characters = Array(try mint())
        characters[characters.count - 8] = characters[characters.count - 8] == "A" ? "B" : "A"
        let result = try CLI.run(["token", "inspect", String(characters), "--state-dir", state.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("signature     INVALID: bad_signature"), "\(result.stdout)")
    }

    @Test func revokingTheParentRevokesTheAttenuatedToken() throws {
        let token = try mint()
        let child = try CLI.run(["token", "attenuate", token, "--max-calls", "3"]).stdout.trimmingCharacters(in: .newlines)
        let id = try #require(try CLI.run(["token", "inspect", token]).stdout.split(separator: "\n").first { $0.hasPrefix("id ") })
            .split(separator: " ").last.map(String.init)
        let revoked = try CLI.run(["token", "revoke", "--state-dir", state.path, "--", try #require(id)])  // an id may start with "-"
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(FileManager.default.fileExists(atPath: state.path + "/revoked-tokens.json"))

        let inspected = try CLI.run(["token", "inspect", child, "--state-dir", state.path])
        #expect(inspected.stdout.contains("status        revoked"), "\(inspected.stdout)")
        let run = try CLI.run([
            "run", "--policy", examplePolicy("code-reading"), "--token", child, "--tool", "list_files", "--state-dir", state.path,
        ])
        #expect(run.status == 3)
        #expect(((try jsonObject(run.stdout))["reason"] as? [String: Any])?["code"] as? String == "token_revoked")
    }

    @Test func mintRefusesAToolThePolicyLacks() throws {
        let result = try CLI.run([
            "token", "mint", "--policy", examplePolicy("code-reading"), "--task", "t", "--tools", "rm", "--state-dir", state.path,
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no tool `rm`"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func attenuateNeedsACaveatAndAToken() throws {
        let token = try mint()
        #expect(try CLI.run(["token", "attenuate", token]).status == 2)
        let notAToken = try CLI.run(["token", "attenuate", "alk1.!!", "--max-calls", "1"])
        #expect(notAToken.status == 2)
        #expect(notAToken.stderr.contains("not a token"))
        let badPrefix = try CLI.run(["token", "attenuate", token, "--path-under", "path=../etc"])
        #expect(badPrefix.status == 2, "a prefix that is not a normalized relative path is refused")
    }
}
