extension ToolSpec {
    /// Turns the model's arguments into a concrete call, or refuses them.
    ///
    /// In order: a NUL byte anywhere is refused (no C string can carry it, and truncating would
    /// change meaning); the arguments are validated against the tool's schema; absent arguments
    /// take their schema `default`; path arguments are resolved inside `workspace`; then the argv
    /// template, environment and stdin are filled. Values only ever become whole argv elements.
    /// `null` arguments are read as `{}`, and an argument sent as `null` counts as absent.
    public func render(arguments: JSONValue, workspace: WorkspaceRoot?) throws(CallDenial) -> RenderedCall {
        let given = arguments == .null ? JSONValue.object([:]) : arguments
        if let path = Self.pathToNUL(in: given, path: []) {
            throw CallDenial(.argumentInvalid, "\(JSONPointer.subject(path, root: "the arguments")) must not contain a NUL byte")
        }
        let violations = self.arguments.validate(given, rootName: "the arguments")
        guard violations.isEmpty, var values = given.objectValue else {
            throw CallDenial(.argumentInvalid, violations.map(\.message).joined(separator: "; "), violations: violations)
        }
        values = values.filter { $0.value != .null }
        for (name, property) in self.arguments.properties where values[name] == nil {
            if let fallback = property.defaultValue, fallback != .null { values[name] = fallback }
        }
        var view = self.view
        var workingDirectory = "/"
        if self.workspace != .none {
            guard let root = workspace else {
                throw CallDenial(.workspaceMissing, "tool \(name) works on the task's workspace, but this task has none")
            }
            view.workspace = FilesystemView.Bind(source: root.hostPath, target: WorkspacePath.sandboxRoot, writable: self.workspace == .readWrite)
            workingDirectory = WorkspacePath.sandboxRoot
            for name in paths {
                if let value = values[name] { values[name] = try Self.resolvePaths(value, argument: name, in: root) }
            }
        }
        let call = RenderedCall(
            tool: name, arguments: .object(values), executable: executable, argv: argv.render(values),
            environment: renderEnvironment(values), stdin: stdin.flatMap { values[$0].flatMap(Self.text) }.map { Array($0.utf8) } ?? [],
            workingDirectory: workingDirectory, view: view, network: network, limits: limits, seccompProfile: seccompProfile)
        try Self.checkExecSize(call)
        return call
    }

    /// Linux refuses `execve` with `E2BIG` when one argument or variable exceeds 128 KiB
    /// (`MAX_ARG_STRLEN`) or all of them together are too large. Refusing here names the cause
    /// instead of failing in the sandbox. (A schema's `maxLength` is the better guard.)
    static let maxElementBytes = 128 * 1024 - 1
    static let maxExecBytes = 1024 * 1024

    private static func checkExecSize(_ call: RenderedCall) throws(CallDenial) {
        let elements = call.argv + call.environment.map { $0.key + "=" + $0.value }
        if let long = elements.first(where: { $0.utf8.count > maxElementBytes }) {
            throw CallDenial(
                .argumentInvalid,
                "an argument of \(long.utf8.count) bytes is longer than the \(maxElementBytes) bytes one program argument can hold; send large input on stdin or in a file")
        }
        let total = elements.reduce(0) { $0 + $1.utf8.count + 1 }
        guard total <= maxExecBytes else {
            throw CallDenial(.argumentInvalid, "the arguments total \(total) bytes, more than the \(maxExecBytes) a program can receive")
        }
    }

    private func renderEnvironment(_ values: [String: JSONValue]) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in environment {
            switch value {
            case .literal(let text): result[name] = text
            case .slot(let slot): result[name] = values[slot].flatMap(Self.text)
            }
        }
        return result
    }

    private static func resolvePaths(_ value: JSONValue, argument: String, in root: WorkspaceRoot) throws(CallDenial) -> JSONValue {
        switch value {
        case .string(let path):
            return .string(try root.resolve(path, argument: argument))
        case .array(let items):
            var resolved: [JSONValue] = []
            for (index, item) in items.enumerated() {
                resolved.append(try resolvePaths(item, argument: "\(argument)/\(index)", in: root))
            }
            return .array(resolved)
        default:
            return value
        }
    }

    /// The text a scalar argument becomes in argv, the environment or stdin.
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .number(let d): return numberText(d)
        case .bool(let b): return b ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    /// The path of the first string (or key) holding a NUL byte.
    static func pathToNUL(in value: JSONValue, path: [String]) -> [String]? {
        switch value {
        case .string(let s): return s.utf8.contains(0) ? path : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = pathToNUL(in: item, path: path + [String(index)]) { return found }
            }
            return nil
        case .object(let object):
            for key in object.keys.sorted() {
                if key.utf8.contains(0) { return path + [key] }
                if let found = pathToNUL(in: object[key]!, path: path + [key]) { return found }
            }
            return nil
        case .null, .bool, .integer, .number: return nil
        }
    }
}

extension ArgvTemplate {
    /// The argv for `values` (defaults already applied): absent slots are dropped, groups with an
    /// absent slot vanish whole, arrays expand to one element per item.
    func render(_ values: [String: JSONValue]) -> [String] {
        Self.render(elements, values, inGroup: false) ?? []
    }

    private static func render(_ elements: [Element], _ values: [String: JSONValue], inGroup: Bool) -> [String]? {
        var argv: [String] = []
        for element in elements {
            switch element {
            case .literal(let text):
                argv.append(text)
            case .slot(let name):
                guard let text = values[name].flatMap(ToolSpec.text) else {
                    if inGroup { return nil }
                    continue
                }
                argv.append(text)
            case .spread(let name):
                let items = values[name]?.arrayValue ?? []
                if items.isEmpty && inGroup { return nil }
                argv += items.compactMap(ToolSpec.text)
            case .group(let inner):
                argv += render(inner, values, inGroup: true) ?? []
            }
        }
        return argv
    }
}
