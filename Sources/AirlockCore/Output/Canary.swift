/// Canary tokens: random strings the broker plants (in a decoy file, an environment variable)
/// so that their appearance in any output proves something read what it should not have.
public enum Canary {
    /// `alkc_` and 32 random base62 characters (about 190 bits), from the system's
    /// cryptographic generator. The prefix makes a canary recognisable in logs; it is not what
    /// the channel matches (it matches the whole string).
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }

    /// The same with a generator of the caller's choice (tests pass a seeded one).
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var bytes = Array("alkc_".utf8)
        for _ in 0..<32 { bytes.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
