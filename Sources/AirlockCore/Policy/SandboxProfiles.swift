import Foundation

/// Resolves the `view` and `seccomp` names a policy uses against the repository's `Sandbox/`
/// directory: `view: default` is `Sandbox/rootfs/default.yaml`, `seccomp: default` is
/// `Sandbox/seccomp/default.json`. Names are plain (`[a-z0-9-]+`), so a policy cannot reach a
/// file elsewhere with `../`.
final class SandboxProfiles {
    let directory: String
    private var views: [String: FilesystemView] = [:]
    private var redactionRules: [String: [DetectorRule]] = [:]

    /// `directory` is made absolute, so the seccomp paths put into job specs are too.
    init(directory: String) {
        if directory.hasPrefix("/") {
            self.directory = directory
        } else {
            self.directory = FileManager.default.currentDirectoryPath + "/" + directory
        }
    }

    /// The view named at `value` (or `fallback` when the policy names none; errors then point at
    /// `tool`), loaded once per policy.
    func view(named value: ConfigValue?, default fallback: String, tool: ConfigValue) throws(ConfigError) -> (name: String, view: FilesystemView) {
        let name = try value.map { v throws(ConfigError) in try profileName(v) } ?? fallback
        let value = value ?? tool
        if let cached = views[name] { return (name, cached) }
        let file = directory + "/rootfs/\(name).yaml"
        guard FileManager.default.fileExists(atPath: file) else {
            throw value.error("unknown view `\(name)`: there is no \(relative(file))\(available(in: "rootfs", extension: "yaml"))")
        }
        let view = try RootfsProfile.load(file: file)
        views[name] = view
        return (name, view)
    }

    /// The absolute path of the seccomp profile named at `value` (compiled by the sandbox).
    func seccompProfile(named value: ConfigValue?, default fallback: String, tool: ConfigValue) throws(ConfigError) -> (name: String, path: String) {
        let name = try value.map { v throws(ConfigError) in try profileName(v) } ?? fallback
        let value = value ?? tool
        let file = directory + "/seccomp/\(name).json"
        guard FileManager.default.fileExists(atPath: file) else {
            throw value.error("unknown seccomp profile `\(name)`: there is no \(relative(file))\(available(in: "seccomp", extension: "json"))")
        }
        return (name, file)
    }

    /// The detectors of the redaction rules file named at `value` (`Sandbox/redaction/<name>.yaml`),
    /// or of `default` when `value` is nil (errors then point at `owner`), loaded once per policy.
    func redactionRules(named value: ConfigValue?, owner: ConfigValue) throws(ConfigError) -> [DetectorRule] {
        let name = try value.map { v throws(ConfigError) in try profileName(v) } ?? "default"
        if let cached = redactionRules[name] { return cached }
        let file = directory + "/redaction/\(name).yaml"
        guard FileManager.default.fileExists(atPath: file) else {
            throw (value ?? owner).error(
                "unknown redaction rules `\(name)`: there is no \(relative(file))\(available(in: "redaction", extension: "yaml"))")
        }
        let rules = try RedactionRulesFile.load(file: file, origin: name)
        redactionRules[name] = rules
        return rules
    }

    private func profileName(_ value: ConfigValue) throws(ConfigError) -> String {
        let name = try value.nonEmptyString()
        guard name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw value.error("`\(name)` is not a profile name ([a-z0-9-]+, the file name without its extension)")
        }
        return name
    }

    private func relative(_ file: String) -> String {
        "Sandbox/" + file.dropFirst(directory.count + 1)
    }

    /// ` (available: default, strict)`, or nothing when the folder is empty.
    private func available(in folder: String, extension ext: String) -> String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + folder)) ?? [])
            .filter { $0.hasSuffix("." + ext) }
            .map { String($0.dropLast(ext.count + 1)) }
            .sorted()
        return names.isEmpty ? "" : " (available: \(names.joined(separator: ", ")))"
    }
}
