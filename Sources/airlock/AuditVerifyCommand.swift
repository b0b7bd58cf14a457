import AirlockAudit
import AirlockCore
import ArgumentParser
import Foundation

/// `airlock audit verify [DIR] [--key FILE]`: the chain, the sequence, the file links and every
/// checkpoint signature.
struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the execution log is complete and unaltered.",
        discussion: """
            Checks every file's header link, the hash chain, the sequence numbers and every checkpoint \
            signature, and reports the first bad record with its file, line and what is wrong (edited, \
            deleted, reordered, inserted, truncated, bad_signature). A torn last line left by a crash is \
            a warning, not an error. The key defaults to <dir>/../audit-key.pub; keep a copy elsewhere \
            and pass it with --key to detect a rewritten history.

            Exit status: 0 everything holds, 1 the log is not intact, 2 bad arguments or unreadable files.
            """
    )

    @OptionGroup var log: LogDirectoryArgument

    @Option(help: ArgumentHelp("The Ed25519 public key (64 hex digits) checkpoints must verify with.", valueName: "file"))
    var key: String?

    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        let report: VerifyReport
        do {
            try log.requireExisting()
            let publicKey = try LogSigningKey.readPublicKey(path: key ?? log.defaultKeyPath)
            report = try LogVerifier(directory: log.directory, publicKey: publicKey).verify()
        } catch let error as CommandError {
            throw error.report("audit verify")
        } catch {
            throw CommandError(message: "\(error)").report("audit verify")
        }
        print(json ? Self.json(report) : Self.text(report))
        if !report.isValid { throw ExitCode(1) }
    }

    static func text(_ r: VerifyReport) -> String {
        var lines = r.warnings.map { "warning: \($0)" }
        lines.append("\(r.files) files, \(r.records) records, \(r.checkpoints) checkpoints")
        lines.append("chain head: seq \(r.lastSeq) sha256 \(r.head)")
        if let seq = r.lastCheckpointSeq {
            lines.append("last signed checkpoint: seq \(seq) (\(r.recordsAfterLastCheckpoint) records after it are covered by the chain only)")
        }
        lines.append(r.problem.map { "FAILED: \($0)" } ?? "ok")
        return lines.joined(separator: "\n")
    }

    static func json(_ r: VerifyReport) -> String {
        func problem(_ p: LogProblem) -> JSONValue {
            .object([
                "kind": .string(p.kind.rawValue), "file": .string(p.file), "line": .integer(Int64(p.line)),
                "seq": p.seq.map { .integer(Int64(clamping: $0)) } ?? .null, "message": .string(p.message),
            ])
        }
        return JSONSerializer.string(
            .object([
                "valid": .bool(r.isValid), "files": .integer(Int64(r.files)), "records": .integer(Int64(r.records)),
                "checkpoints": .integer(Int64(r.checkpoints)), "lastSeq": .integer(Int64(clamping: r.lastSeq)), "head": .string(r.head),
                "lastCheckpointSeq": r.lastCheckpointSeq.map { .integer(Int64(clamping: $0)) } ?? .null,
                "warnings": .array(r.warnings.map(problem)), "problem": r.problem.map(problem) ?? .null,
            ]))
    }
}
