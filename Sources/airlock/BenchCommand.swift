import ArgumentParser

/// `airlock bench`: measurements that go into docs/benchmarks.md, each variant beside its
/// baselines in one run so the ratios hold even when absolute times drift.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Airlock against its baselines on this machine.",
        subcommands: [SpawnBench.self, BrokerBench.self, CoreBench.self, LogBench.self, OutputBench.self]
    )
}
