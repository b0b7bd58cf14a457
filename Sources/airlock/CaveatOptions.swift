import AirlockCore
import ArgumentParser
import Foundation

/// The caveats `token mint` and `token attenuate` can add. Each only narrows: fewer tools, an
/// earlier expiry, fewer calls, paths under a prefix, lower limits.
struct CaveatOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Valid for this long from now (ms, s, m, h). `token mint` default: 30m.", valueName: "duration"))
    var ttl: String?

    @Option(help: ArgumentHelp("Only these tools, comma-separated.", valueName: "a,b"))
    var tools: String?

    @Option(name: .customLong("max-calls"), help: ArgumentHelp("At most this many calls.", valueName: "n"))
    var maxCalls: UInt64?

    @Option(
        name: .customLong("path-under"),
        help: ArgumentHelp(
            "Path argument ARG must be under PREFIX (workspace-relative, e.g. path=src). Repeat for more prefixes (any may match) or more arguments.",
            valueName: "arg=prefix"))
    var pathUnder: [String] = []

    @Option(name: .customLong("wall-time"), help: ArgumentHelp("Lower the wall-clock limit.", valueName: "duration"))
    var wallTime: String?
    @Option(name: .customLong("cpu-time"), help: ArgumentHelp("Lower the CPU time limit.", valueName: "duration"))
    var cpuTime: String?
    @Option(help: ArgumentHelp("Lower the memory limit.", valueName: "size"))
    var memory: String?
    @Option(name: .customLong("address-space"), help: ArgumentHelp("Lower the address-space limit.", valueName: "size"))
    var addressSpace: String?
    @Option(help: ArgumentHelp("Lower the process limit.", valueName: "n"))
    var processes: UInt64?
    @Option(name: .customLong("open-files"), help: ArgumentHelp("Lower the open-files limit.", valueName: "n"))
    var openFiles: UInt64?
    @Option(name: .customLong("file-size"), help: ArgumentHelp("Lower the file-size limit.", valueName: "size"))
    var fileSize: String?
    @Option(name: .customLong("output-bytes"), help: ArgumentHelp("Lower the captured-output limit.", valueName: "size"))
    var outputBytes: String?
    @Option(name: .customLong("tmp-size"), help: ArgumentHelp("Lower the size of /tmp.", valueName: "size"))
    var tmpSize: String?

    /// The caveats in a fixed order: tools, expiry, calls, arguments, limits.
    func caveats(now: EpochSeconds, defaultTTL: String? = nil) throws(CommandError) -> [Caveat] {
        var caveats: [Caveat] = []
        if let names = toolNames { caveats.append(.tools(Set(names))) }
        if let ttl = ttl ?? defaultTTL {
            let span = try duration("--ttl", ttl)
            caveats.append(.expires(now.adding(seconds: span.secondsRoundedUp)))
        }
        if let maxCalls {
            guard maxCalls > 0 else { throw CommandError(message: "--max-calls: must be at least 1") }
            caveats.append(.maxCalls(maxCalls))
        }
        caveats += try pathConstraints().map(Caveat.argument)
        let limits = try caveatLimits()
        if !limits.isEmpty { caveats.append(.limits(limits)) }
        return caveats
    }

    /// `--tools a,b` split and trimmed; nil when not given.
    var toolNames: [String]? {
        tools.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// One constraint per argument name, its prefixes in the order given.
    func pathConstraints() throws(CommandError) -> [ArgumentConstraint] {
        var order: [String] = []
        var prefixes: [String: [String]] = [:]
        for entry in pathUnder {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex, entry.index(after: equals) != entry.endIndex else {
                throw CommandError(message: "--path-under: expected ARG=PREFIX (e.g. path=src), got `\(entry)`")
            }
            let name = String(entry[..<equals])
            if prefixes[name] == nil { order.append(name) }
            prefixes[name, default: []].append(String(entry[entry.index(after: equals)...]))
        }
        return order.map { ArgumentConstraint(name: $0, rule: .pathUnder(prefixes[$0]!)) }
    }

    private func caveatLimits() throws(CommandError) -> CaveatLimits {
        CaveatLimits(
            wallTime: try wallTime.map { t throws(CommandError) in try duration("--wall-time", t) },
            cpuTime: try cpuTime.map { t throws(CommandError) in try duration("--cpu-time", t) },
            memory: try memory.map { t throws(CommandError) in try size("--memory", t) },
            addressSpace: try addressSpace.map { t throws(CommandError) in try size("--address-space", t) },
            processes: try processes.map { n throws(CommandError) in try positive("--processes", n) },
            openFiles: try openFiles.map { n throws(CommandError) in try positive("--open-files", n) },
            fileSize: try fileSize.map { t throws(CommandError) in try size("--file-size", t) },
            outputBytes: try outputBytes.map { t throws(CommandError) in try size("--output-bytes", t) },
            tmpSize: try tmpSize.map { t throws(CommandError) in try size("--tmp-size", t) })
    }

    private func duration(_ flag: String, _ text: String) throws(CommandError) -> Milliseconds {
        do { return try Milliseconds(parsing: text) } catch { throw CommandError(message: "\(flag): \(error)") }
    }

    private func size(_ flag: String, _ text: String) throws(CommandError) -> ByteCount {
        do { return try ByteCount(parsing: text) } catch { throw CommandError(message: "\(flag): \(error)") }
    }

    private func positive(_ flag: String, _ n: UInt64) throws(CommandError) -> UInt64 {
        guard n > 0 else { throw CommandError(message: "\(flag): must be at least 1") }
        return n
    }
}
