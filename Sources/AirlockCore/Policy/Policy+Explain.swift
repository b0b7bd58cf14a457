extension Policy {
    /// What each tool may read, write, reach and use, in plain words, for reviewers
    /// (`airlock policy explain`).
    public func explain() -> String {
        var lines = ["Policy \(name) (\(file), sha256 \(digest.prefix(16))…)", description]
        for toolName in toolNames {
            lines.append("")
            lines += tools[toolName]!.explain()
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ToolSpec {
    /// The lines of `Policy.explain()` for this tool.
    public func explain() -> [String] {
        var rows: [(String, String)] = [("runs", ([executable] + argv.elements.dropFirst().map(Self.describe)).joined(separator: " "))]
        rows.append(("arguments", describeArguments()))
        if let stdin { rows.append(("stdin", "the value of <\(stdin)>")) }
        rows.append(("reads", describeReads()))
        rows.append(("writes", describeWrites()))
        rows.append(("reaches", "no network: an empty network namespace with only its own loopback"))
        rows.append(("uses", describeLimits()))
        rows.append(("seccomp", "profile `\(seccompName)`"))
        let env = environment.keys.sorted().map { key -> String in
            switch environment[key]! {
            case .literal(let value): return "\(key)=\(value)"
            case .slot(let slot): return "\(key)=<\(slot)>"
            }
        }
        rows.append(("environment", env.isEmpty ? "empty" : env.joined(separator: " ")))
        let width = rows.map(\.0.count).max() ?? 0
        return ["Tool \(name): \(description)"] + rows.map { "  \($0.0.padding(to: width))  \($0.1)" }
    }

    private static func describe(_ element: ArgvTemplate.Element) -> String {
        switch element {
        case .literal(let text):
            return text.isEmpty || text.contains(where: { " \t\"'$`\\;&|<>(){}*?[]#~".contains($0) }) ? "'\(text)'" : text
        case .slot(let name): return "<\(name)>"
        case .spread(let name): return "<\(name)…>"
        case .group(let inner): return "[" + inner.map(describe).joined(separator: " ") + "]"
        }
    }

    private func describeArguments() -> String {
        let names = arguments.properties.keys.sorted()
        guard !names.isEmpty else { return "none" }
        return names.map { name in
            var parts = [arguments.properties[name]!.summary]
            if arguments.required.contains(name) { parts.append("required") }
            if paths.contains(name) { parts.append("a path inside the workspace") }
            return "\(name) (" + parts.filter { !$0.isEmpty }.joined(separator: ", ") + ")"
        }.joined(separator: "; ")
    }

    private func describeReads() -> String {
        var parts: [String] = []
        if workspace != .none { parts.append("the workspace at \(WorkspacePath.sandboxRoot) (\(workspace.rawValue))") }
        parts.append("host files of view `\(viewName)`, read-only: " + view.binds.map(\.target).joined(separator: ", "))
        if !view.optionalBinds.isEmpty {
            parts.append("where the host has them: " + view.optionalBinds.map(\.target).joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }

    private func describeWrites() -> String {
        let tmp = "a private /tmp of at most \(limits.tmpSize), discarded after the call"
        let files = "files of at most \(limits.fileSize)"
        switch workspace {
        case .readWrite: return "the workspace at \(WorkspacePath.sandboxRoot), and \(tmp) (\(files))"
        case .readOnly, .none: return "nothing outside \(tmp) (\(files))"
        }
    }

    private func describeLimits() -> String {
        "at most \(limits.wallTime) wall time, \(limits.cpuTime) CPU time, \(limits.memory) memory, "
            + "\(limits.addressSpace) address space per process, \(limits.processes) processes, "
            + "\(limits.openFiles) open files, \(limits.outputBytes) of captured output per stream"
    }
}

extension JSONSchema {
    /// `string, 1 to 200 characters, matching ^[a-z]+$, default "."`.
    var summary: String {
        var parts: [String] = []
        if var types = self.types?.map(\.rawValue).joined(separator: " or ") {
            if let itemTypes = self.items?.types { types += " of " + itemTypes.map(\.rawValue).joined(separator: " or ") }
            parts.append(types)
        }
        switch (self.minLength, self.maxLength) {
        case (let low?, let high?): parts.append("\(low) to \(high) characters")
        case (let low?, nil): parts.append("at least \(low) characters")
        case (nil, let high?): parts.append("at most \(high) characters")
        case (nil, nil): break
        }
        if let low = self.minimum { parts.append("at least \(low.jsonText)") }
        if let high = self.maximum { parts.append("at most \(high.jsonText)") }
        if let low = self.minItems { parts.append("at least \(low) items") }
        if let high = self.maxItems { parts.append("at most \(high) items") }
        if let options = self.enumValues { parts.append("one of " + options.map(\.jsonText).joined(separator: ", ")) }
        if let pattern = self.pattern { parts.append("matching \(pattern.source)") }
        if let fallback = self.defaultValue { parts.append("default \(fallback.jsonText)") }
        return parts.joined(separator: ", ")
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        self + String(repeating: " ", count: Swift.max(0, width - count))
    }
}
