import AirlockSandbox

/// Runs a compiled seccomp program on one syscall the way the kernel's classic-BPF interpreter
/// does, so tests can ask what the filter answers without installing it. Any instruction outside
/// the subset libseccomp emits is an error, never a guess.
struct SeccompEvaluator {
    enum Verdict: Equatable, CustomStringConvertible {
        case allow, log, notify, killProcess, killThread, trap
        case errno(Int)
        case trace(Int)

        var description: String {
            switch self {
            case .allow: return "allow"
            case .log: return "log"
            case .notify: return "notify"
            case .killProcess: return "kill process"
            case .killThread: return "kill thread"
            case .trap: return "trap"
            case .errno(let code): return "errno \(code)"
            case .trace(let message): return "trace \(message)"
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private struct Instruction {
        var code: UInt16
        var jt: UInt8
        var jf: UInt8
        var k: UInt32
    }

    private let instructions: [Instruction]

    init(_ program: SeccompProgram) {
        let bytes = program.bpf
        instructions = stride(from: 0, to: bytes.count, by: 8).map { offset in
            func word(_ at: Int) -> UInt32 {
                (0..<4).reduce(0) { $0 | UInt32(bytes[offset + at + $1]) << (8 * UInt32($1)) }
            }
            return Instruction(
                code: UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8, jt: bytes[offset + 2], jf: bytes[offset + 3], k: word(4))
        }
    }

    /// The filter's answer for syscall `number` made with `arch` (an `AUDIT_ARCH_*` value).
    func verdict(_ number: Int32, arch: UInt32 = SyscallTable.auditArchX86_64, args: [UInt64] = []) throws -> Verdict {
        let data = seccompData(number: number, arch: arch, args: args)
        var accumulator: UInt32 = 0
        var pc = 0
        for _ in 0..<instructions.count {
            guard pc < instructions.count else { throw Failure(description: "jumped past the end at \(pc)") }
            let instruction = instructions[pc]
            pc += 1
            switch instruction.code {
            case 0x20:  // BPF_LD | BPF_W | BPF_ABS
                guard instruction.k % 4 == 0, Int(instruction.k) / 4 < data.count else {
                    throw Failure(description: "load outside seccomp_data at \(instruction.k)")
                }
                accumulator = data[Int(instruction.k) / 4]
            case 0x54: accumulator &= instruction.k  // BPF_ALU | BPF_AND | BPF_K
            case 0x05: pc += Int(instruction.k)  // BPF_JMP | BPF_JA
            case 0x15: pc += Int(accumulator == instruction.k ? instruction.jt : instruction.jf)  // JEQ
            case 0x25: pc += Int(accumulator > instruction.k ? instruction.jt : instruction.jf)  // JGT
            case 0x35: pc += Int(accumulator >= instruction.k ? instruction.jt : instruction.jf)  // JGE
            case 0x45: pc += Int(accumulator & instruction.k != 0 ? instruction.jt : instruction.jf)  // JSET
            case 0x06: return try Self.verdict(returning: instruction.k)  // BPF_RET | BPF_K
            case 0x16: return try Self.verdict(returning: accumulator)  // BPF_RET | BPF_A
            default:
                throw Failure(description: "instruction 0x\(String(instruction.code, radix: 16)) at \(pc - 1) is not modelled")
            }
        }
        throw Failure(description: "ran \(instructions.count) instructions without returning")
    }

    /// `struct seccomp_data` as 32-bit words, little-endian: nr, arch, instruction_pointer, args[6].
    private func seccompData(number: Int32, arch: UInt32, args: [UInt64]) -> [UInt32] {
        var words: [UInt32] = [UInt32(bitPattern: number), arch, 0, 0]
        for index in 0..<6 {
            let value = index < args.count ? args[index] : 0
            words += [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
        }
        return words
    }

    private static func verdict(returning value: UInt32) throws -> Verdict {
        let data = Int(value & 0xFFFF)
        switch value & 0xFFFF_0000 {
        case 0x8000_0000: return .killProcess
        case 0x0000_0000: return .killThread
        case 0x0003_0000: return .trap
        case 0x0005_0000: return .errno(data)
        case 0x7FC0_0000: return .notify
        case 0x7FF0_0000: return .trace(data)
        case 0x7FFC_0000: return .log
        case 0x7FFF_0000: return .allow
        default: throw Failure(description: "unknown return value 0x\(String(value, radix: 16))")
        }
    }
}
