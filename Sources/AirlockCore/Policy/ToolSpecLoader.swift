/// Reads one entry of a policy's `tools` mapping into a `ToolSpec`, checking every reference
/// (slots, `paths`, `stdin`, environment slots) against the tool's argument schema.
struct ToolSpecLoader {
    let defaults: ToolSettings
    let profiles: SandboxProfiles

    func load(name: String, _ value: ConfigValue) throws(ConfigError) -> ToolSpec {
        let mapping = try value.mapping()
        let description = try mapping.require("description").nonEmptyString()
        let executableValue = try mapping.require("executable")
        let executable = try self.executable(executableValue)
        let argumentsValue = mapping.optional("arguments")
        let arguments = try argumentSchema(argumentsValue, tool: value)
        let checker = SlotChecker(schema: arguments)
        let argv = try argvTemplate(mapping.require("argv"), checker: checker)
        let pathsValue = mapping.optional("paths")
        let paths = try pathArguments(pathsValue, checker: checker)
        let stdin = try stdinSlot(mapping.optional("stdin"), checker: checker)
        let settings = try ToolSettings.read(from: mapping, slotsAllowed: true)
        for entry in settings.environment {
            if case .slot(let slot) = entry.value { try checker.use(slot, spread: false, at: entry.at) }
        }
        let output = try OutputRules.read(mapping.optional("output"), profiles: profiles, tool: value)
        try mapping.finish()
        try checker.requireEveryArgumentUsed(argumentsValue ?? value)

        let workspace = settings.workspace ?? defaults.workspace ?? .none
        if workspace == .none, let pathsValue, let first = paths.first {
            throw pathsValue.error("`\(first)` is a path argument but the tool has `workspace: none`")
        }
        var tool = ToolSpec(
            name: name, description: description, executable: executable, argv: argv, arguments: arguments,
            paths: paths, stdin: stdin, environment: mergedEnvironment(settings),
            limits: settings.limits.applied(to: defaults.limits.applied(to: .defaults)),
            workspace: workspace, network: settings.network ?? defaults.network ?? .none,
            viewName: "", view: FilesystemView(), seccompName: "", seccompProfile: "", output: output)
        try resolveProfiles(of: &tool, settings: settings, tool: value, executable: executableValue)
        return tool
    }

    /// The view and seccomp profile the tool names (or the defaults name, or `default`), and a
    /// check that the executable is inside that view.
    private func resolveProfiles(of tool: inout ToolSpec, settings: ToolSettings, tool value: ConfigValue, executable: ConfigValue) throws(ConfigError) {
        (tool.viewName, tool.view) = try profiles.view(named: settings.view ?? defaults.view, default: "default", tool: value)
        try requireInsideView(tool.executable, view: tool.view, viewName: tool.viewName, at: executable)
        (tool.seccompName, tool.seccompProfile) = try profiles.seccompProfile(
            named: settings.seccomp ?? defaults.seccomp, default: "default", tool: value)
    }

    private func mergedEnvironment(_ settings: ToolSettings) -> [String: EnvironmentValue] {
        var environment: [String: EnvironmentValue] = [:]
        for entry in defaults.environment + settings.environment { environment[entry.name] = entry.value }
        return environment
    }

    private func executable(_ value: ConfigValue) throws(ConfigError) -> String {
        let path = try value.nonEmptyString()
        guard path.hasPrefix("/"), RootfsProfile.isNormalised(path), path != "/" else {
            throw value.error("`\(path)` must be an absolute, normalised path (the model never chooses the program)")
        }
        let workspace = FilesystemView.workspaceTarget
        guard path != workspace, !path.hasPrefix(workspace + "/") else {
            throw value.error("`\(path)` is inside the workspace; a tool's program must come from the read-only view")
        }
        return path
    }

    private func requireInsideView(_ executable: String, view: FilesystemView, viewName: String, at value: ConfigValue) throws(ConfigError) {
        let roots = (view.binds + view.optionalBinds).map(\.target)
        guard roots.contains(where: { RootfsProfile.isAncestor($0, of: executable) || $0 == executable }) else {
            throw value.error("`\(executable)` is not inside view `\(viewName)`, which binds \(roots.joined(separator: ", "))")
        }
    }

    /// The tool's argument schema: an object schema, `additionalProperties: false` unless it says
    /// otherwise. Absent: a tool that takes no arguments.
    private func argumentSchema(_ value: ConfigValue?, tool: ConfigValue) throws(ConfigError) -> JSONSchema {
        guard let value else {
            let empty = JSONValue.object(["type": .string("object"), "additionalProperties": .bool(false)])
            do { return try JSONSchema.compile(empty) } catch { throw tool.error(error.description) }
        }
        guard case .object(var document) = try value.json() else { throw value.error("expected a mapping (a JSON Schema)") }
        guard document["type"] == .string("object") else {
            throw value.error("a tool's arguments must be a JSON Schema with `type: object`")
        }
        if document["additionalProperties"] == nil { document["additionalProperties"] = .bool(false) }
        do { return try JSONSchema.compile(.object(document)) } catch { throw value.located(error) }
    }

    private func argvTemplate(_ value: ConfigValue, checker: SlotChecker) throws(ConfigError) -> ArgvTemplate {
        let items = try value.list()
        guard let first = items.first else { throw value.error("argv must not be empty (argv[0] is the program's name)") }
        var elements: [ArgvTemplate.Element] = []
        for item in items {
            elements.append(try argvElement(item, checker: checker, inGroup: false))
        }
        guard case .literal = elements[0] else { throw first.error("argv[0] must be a literal; the model never names the program") }
        return ArgvTemplate(elements: elements)
    }

    private func argvElement(_ item: ConfigValue, checker: SlotChecker, inGroup: Bool) throws(ConfigError) -> ArgvTemplate.Element {
        if let group = try? item.list() {
            guard !inGroup else { throw item.error("optional groups cannot be nested") }
            var inner: [ArgvTemplate.Element] = []
            for member in group { inner.append(try argvElement(member, checker: checker, inGroup: true)) }
            let template = ArgvTemplate(elements: inner)
            guard !template.slots.isEmpty else { throw item.error("an optional group needs at least one slot; it is emitted only when its slots have values") }
            return .group(inner)
        }
        let text = try item.string()
        let element: ArgvTemplate.Element
        do { element = try ArgvTemplate.parseElement(text) } catch { throw item.error(error.message) }
        switch element {
        case .slot(let name): try checker.use(name, spread: false, at: item)
        case .spread(let name): try checker.use(name, spread: true, at: item)
        case .literal, .group: break
        }
        return element
    }

    private func pathArguments(_ value: ConfigValue?, checker: SlotChecker) throws(ConfigError) -> [String] {
        guard let value else { return [] }
        var names: [String] = []
        for item in try value.list() {
            let name = try item.nonEmptyString()
            try checker.requirePathArgument(name, at: item)
            guard !names.contains(name) else { throw item.error("`\(name)` is listed twice") }
            names.append(name)
        }
        return names
    }

    private func stdinSlot(_ value: ConfigValue?, checker: SlotChecker) throws(ConfigError) -> String? {
        guard let value else { return nil }
        let text = try value.string()
        guard let (name, spread) = ArgvTemplate.wholeSlot(text), !spread else {
            throw value.error("stdin must be one whole slot, `\"{name}\"`, naming the argument to send")
        }
        try checker.use(name, spread: false, at: value)
        return name
    }
}
