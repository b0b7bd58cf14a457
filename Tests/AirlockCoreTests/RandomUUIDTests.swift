import AirlockCore
import Foundation
import Testing

@Suite struct RandomUUIDTests {
    @Test func isVersionFourWithTheStandardVariantAndDoesNotRepeat() {
        var seen = Set<UUID>()
        for _ in 0..<2000 {
            let id = UUID.random()
            let text = id.uuidString.lowercased()
            let chars = Array(text)
            #expect(chars.count == 36)
            #expect(chars[14] == "4", "version nibble of \(text)")
            #expect("89ab".contains(chars[19]), "variant nibble of \(text)")
            #expect(UUID(uuidString: text) == id)
            seen.insert(id)
        }
        #expect(seen.count == 2000)
    }
}
