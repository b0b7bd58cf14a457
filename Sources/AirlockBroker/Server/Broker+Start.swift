import AirlockAudit
import AirlockCore
import AirlockSandbox
import Foundation
import Logging

extension Broker {
    /// Loads policies, keys and revocations, prepares the slots and compiles every seccomp
    /// profile the policies name: everything a call would otherwise pay for.
    static func start(_ configuration: BrokerConfiguration, logger: Logger) throws(BrokerStartError) -> Broker {
        let state = configuration.stateDirectory
        try StateDirectory.prepare(state)
        var sandboxDirectory = configuration.sandboxDirectory ?? ""
        if configuration.sandboxDirectory == nil {
            do { sandboxDirectory = try SandboxDirectory.locate() } catch {
                throw BrokerStartError(description: "\(error)")
            }
        }
        let policies = try loadPolicies(configuration.policiesDirectory, sandboxDirectory: sandboxDirectory)
        let keyring: RootKeyring
        let revocations: RevocationList
        do {
            keyring = try RootKeyStore(stateDirectory: state).loadOrCreate()
            revocations = try RevocationList.load(stateDirectory: state)
        } catch {
            throw BrokerStartError(description: error.description)
        }
        let runner: SandboxRunner
        do {
            var slots = SlotConfiguration(
                count: configuration.limits.slots, uidBase: configuration.slotUIDBase, cgroupName: configuration.cgroupName)
            slots.workspaceGID = configuration.workspaceGID
            runner = try SandboxRunner(pool: SlotPool(slots), queueLength: configuration.limits.queueLength, sandboxDirectory: sandboxDirectory)
            logger.info("slots ready", metadata: ["slots": "\(slots.count)", "cgroups": "\(slots.cgroupLayout)"])
            for profile in Set(policies.values.flatMap { $0.tools.values.map(\.seccompProfile) }) {
                try runner.precompile(profile: profile)
            }
        } catch {
            throw BrokerStartError(description: "sandbox: \(error)")
        }
        let log: ExecutionLog
        do {
            let options = ExecutionLog.Options(stateDirectory: state)
            log = try ExecutionLog.open(options)
            try log.appendBuffered(.brokerStarted(node: options.node, version: Broker.version, processId: getpid()))
        } catch {
            runner.shutdown()
            throw BrokerStartError(description: "execution log: \(error)")
        }
        if let torn = log.recovery.tornFile {
            logger.warning(
                "execution log: a crash left a torn record; the chain continues in a new file",
                metadata: ["file": "\(torn)", "torn.bytes": "\(log.recovery.tornBytes)"])
        }
        let registry = TaskRegistry(
            keyring: keyring, revocations: revocations, policies: policies, stateDirectory: state, workspaceGID: configuration.workspaceGID,
            log: log)
        return Broker(configuration: configuration, policies: policies, registry: registry, runner: runner, log: log, logger: logger)
    }

    /// Every `*.yaml` in the directory; two files naming one policy is an error.
    static func loadPolicies(_ directory: String, sandboxDirectory: String) throws(BrokerStartError) -> [String: Policy] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw BrokerStartError(description: "policies: cannot list \(directory)")
        }
        let loader = PolicyLoader(sandboxDirectory: sandboxDirectory)
        var policies: [String: Policy] = [:]
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let policy: Policy
            do { policy = try loader.load(file: directory + "/" + name) } catch { throw BrokerStartError(description: error.description) }
            if let other = policies[policy.name] {
                throw BrokerStartError(description: "\(directory)/\(name): policy `\(policy.name)` is already defined in \(other.file)")
            }
            policies[policy.name] = policy
        }
        guard !policies.isEmpty else { throw BrokerStartError(description: "policies: no *.yaml policy in \(directory)") }
        return policies
    }
}
