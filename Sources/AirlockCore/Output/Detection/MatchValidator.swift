import Foundation

/// A check a detector runs on the bytes it matched (the redacted part when the pattern marks
/// one), to turn a shape into a finding: a card number must pass Luhn, a password must look
/// random. Named in rules files: `luhn`, `card`, `ssn`, `email`, `phone`, `digit`, `entropy>=3.5`.
public enum MatchValidator: Hashable, Sendable, CustomStringConvertible {
    /// The digits pass the Luhn checksum.
    case luhn
    /// 13–19 digits, a known card-network first digit (2–6), and Luhn.
    case card
    /// `AAA-GG-SSSS` with the ranges the US SSA never issues refused (area 000, 666, 900–999;
    /// group 00; serial 0000).
    case ssn
    /// The part after `@` is a domain: labels of letters, digits and `-`, at least one dot, a
    /// top-level label of 2+ letters.
    case email
    /// 10–15 digits, and not one digit repeated.
    case phone
    /// At least one ASCII digit and one ASCII letter.
    case digit
    /// Shannon entropy of the bytes, in bits per byte, at least this.
    case entropy(Double)

    public var description: String {
        switch self {
        case .luhn: return "luhn"
        case .card: return "card"
        case .ssn: return "ssn"
        case .email: return "email"
        case .phone: return "phone"
        case .digit: return "digit"
        case .entropy(let bits): return "entropy>=\(bits)"
        }
    }

    public static let names = ["luhn", "card", "ssn", "email", "phone", "digit", "entropy>=N"]

    public init?(_ text: String) {
        switch text {
        case "luhn": self = .luhn
        case "card": self = .card
        case "ssn": self = .ssn
        case "email": self = .email
        case "phone": self = .phone
        case "digit": self = .digit
        default:
            guard text.hasPrefix("entropy>="), let bits = Double(text.dropFirst(9)), bits > 0, bits <= 8 else { return nil }
            self = .entropy(bits)
        }
    }

    func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .luhn: return Self.luhnValid(bytes)
        case .card: return Self.cardValid(bytes)
        case .ssn: return Self.ssnValid(bytes)
        case .email: return Self.emailValid(bytes)
        case .phone: return Self.phoneValid(bytes)
        case .digit: return bytes.contains(where: isDigit) && bytes.contains(where: { ByteSet.word.contains($0) && !isDigit($0) && $0 != 0x5F })
        case .entropy(let bits): return Self.entropy(bytes) >= bits
        }
    }

    static func luhnValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var sum = 0
        var count = 0
        for byte in bytes.reversed() where isDigit(byte) {
            var digit = Int(byte - 0x30)
            if count % 2 == 1 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
            count += 1
        }
        return count > 1 && sum % 10 == 0
    }

    static func cardValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let digits = bytes.filter(isDigit)
        guard (13...19).contains(digits.count), let first = digits.first, (0x32...0x36).contains(first) else { return false }
        guard Set(digits).count > 1 else { return false }
        return luhnValid(bytes)
    }

    static func ssnValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let digits = bytes.filter(isDigit).map { Int($0 - 0x30) }
        guard digits.count == 9 else { return false }
        let area = digits[0] * 100 + digits[1] * 10 + digits[2]
        let group = digits[3] * 10 + digits[4]
        let serial = digits[5...].reduce(0) { $0 * 10 + $1 }
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }

    static func emailValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let at = bytes.firstIndex(of: 0x40) else { return false }
        let labels = bytes[(at + 1)...].split(separator: 0x2E, omittingEmptySubsequences: false)
        guard labels.count >= 2, let top = labels.last, top.count >= 2, top.allSatisfy(isLetter) else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.first != 0x2D && label.last != 0x2D
        }
    }

    static func phoneValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let digits = bytes.filter(isDigit)
        return (10...15).contains(digits.count) && Set(digits).count > 2
    }

    static func entropy(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        guard !bytes.isEmpty else { return 0 }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { counts in
            counts.initialize(repeating: 0)
            for byte in bytes { counts[Int(byte)] += 1 }
            let total = Double(bytes.count)
            var bits = 0.0
            for count in counts where count > 0 {
                let p = Double(count) / total
                bits -= p * log2(p)
            }
            return bits
        }
    }
}

func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
