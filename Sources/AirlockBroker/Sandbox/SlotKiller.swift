import AirlockSandbox

#if canImport(Glibc)
import Glibc
#endif

/// Kills whatever runs in a slot, for a task that ends mid-call and for shutdown past its grace.
///
/// Every process of a sandbox is in its slot's cgroup, so SIGKILL to each pid listed in the
/// group's `cgroup.procs` ends the sandbox (its PID namespace dies with its first process). The
/// call's own supervisor then reaps it and reports the signal as usual.
///
/// The group's path follows `SlotPool`'s naming (`<parent>/<cgroupName>/slot-<index>`); an
/// explicit `Slot.kill()` in AirlockSandbox would be the better home for this. Without cgroups,
/// nothing can be killed from here and the call's wall-clock deadline is the bound.
struct SlotKiller: Sendable {
    let configuration: SlotConfiguration

    func procsFile(slot index: Int) -> String? {
        let group = "\(configuration.cgroupName)/slot-\(index)"
        switch configuration.cgroupLayout {
        case .v2(let root): return "\(root)/\(group)/cgroup.procs"
        case .v1(_, let pids): return "\(pids)/\(group)/cgroup.procs"
        case .unavailable: return nil
        }
    }

    /// Sends SIGKILL to every process in the slot's group; returns how many were signalled.
    @discardableResult
    func kill(slot index: Int) -> Int {
        guard let file = procsFile(slot: index), let text = Self.read(file) else { return 0 }
        var count = 0
        for line in text.split(separator: "\n") {
            guard let pid = pid_t(line), pid > 0 else { continue }
            if Glibc.kill(pid, SIGKILL) == 0 { count += 1 }
        }
        return count
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "re") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
