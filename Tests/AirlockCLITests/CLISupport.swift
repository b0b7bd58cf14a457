import AirlockTestSupport
import Foundation

/// Runs the `airlock` binary built beside the tests, as a user would.
enum CLI {
    /// The `airlock` binary built beside this test bundle.
    static var binary: String {
        guard let path = airlockExecutablePath else { fatalError("the airlock binary is not built next to the tests") }
        return path
    }

    static func run(_ arguments: [String], stdin: String = "") throws -> ProgramResult {
        try runProgram(binary, arguments, stdin: stdin)
    }
}

/// The checkout, for `Policies/`.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

func examplePolicy(_ name: String) -> String { repositoryRoot + "/Policies/\(name).yaml" }

/// The JSON object printed on standard output.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw CLIParseError(text: text)
    }
    return object
}

struct CLIParseError: Error, CustomStringConvertible {
    var text: String
    var description: String { "not a JSON object: \(text)" }
}
