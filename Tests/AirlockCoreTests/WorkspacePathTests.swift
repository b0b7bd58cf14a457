import Testing
@testable import AirlockCore
import AirlockTestSupport

/// Path arguments against a real directory tree:
///
///     src/main.c
///     docs -> src                (relative, stays inside)
///     abs -> /work/src           (absolute in the sandbox's namespace, inside)
///     chain -> docs              (a link to a link)
///     src/up -> ../src           (goes up and comes back)
///     etc -> /etc                (absolute, outside)
///     escape -> ../..            (relative, outside)
///     deep/out -> ../../outside  (relative, outside by one level)
///     hostpath -> <host path of the workspace>/src   (means nothing inside the sandbox)
///     loop1 -> loop2, loop2 -> loop1
@Suite struct WorkspacePathTests {
    let tree = TemporaryDirectory()
    let root: WorkspaceRoot

    init() throws {
        tree.write("src/main.c", "int main(void) { return 0; }\n")
        tree.symlink("docs", to: "src")
        tree.symlink("abs", to: "/work/src")
        tree.symlink("chain", to: "docs")
        tree.symlink("src/up", to: "../src")
        tree.symlink("etc", to: "/etc")
        tree.symlink("escape", to: "../..")
        tree.makeDirectory("deep")
        tree.symlink("deep/out", to: "../../outside")
        tree.symlink("hostpath", to: tree.path + "/src")
        tree.symlink("loop1", to: "loop2")
        tree.symlink("loop2", to: "loop1")
        root = try WorkspaceRoot(hostPath: tree.path)
    }

    @Test(arguments: [
        ("src/main.c", "/work/src/main.c"),
        ("not/there/yet.txt", "/work/not/there/yet.txt"),
        (".", "/work"), ("./", "/work"), ("/work", "/work"), ("/work/", "/work"),
        ("/work/src//main.c", "/work/src/main.c"),
        ("a/../src/./main.c", "/work/src/main.c"),
        ("src/..", "/work"),
        ("-rf", "/work/-rf"),
        ("docs/main.c", "/work/src/main.c"),
        ("abs/main.c", "/work/src/main.c"),
        ("chain/main.c", "/work/src/main.c"),
        ("src/up/up/main.c", "/work/src/main.c"),
        ("docs/../docs/main.c", "/work/src/main.c"),
    ])
    func resolvesInsideTheWorkspace(argument: String, expected: String) throws {
        #expect(try root.resolve(argument, argument: "path") == expected)
    }

    @Test(arguments: [
        "..", "../x", "a/../../x", "src/../../etc/passwd", "/work/../etc/passwd",
        "/etc/passwd", "/", "/workspace/x", "/work2",
        "etc/passwd", "etc", "escape/etc/passwd", "deep/out", "hostpath/main.c",
    ])
    func refusesPathsThatLeaveTheWorkspace(argument: String) {
        let denial = #expect(throws: CallDenial.self) { try root.resolve(argument, argument: "path") }
        #expect(denial?.code == .pathOutsideWorkspace)
        // The model learns which argument and which link, never where the workspace is on the host.
        #expect(denial?.message.hasPrefix("\"path\" ") == true)
        #expect(denial?.message.contains(tree.path) == false)
    }

    @Test func namesTheSymlinkThatLeads() {
        let denial = #expect(throws: CallDenial.self) { try root.resolve("etc/passwd", argument: "file") }
        #expect(denial?.message == #""file" leads outside the workspace through the symlink /work/etc; paths must stay inside /work"#)
        let relative = #expect(throws: CallDenial.self) { try root.resolve("escape/x", argument: "file") }
        #expect(relative?.message == #""file" leads outside the workspace through the symlink /work/escape; paths must stay inside /work"#)
    }

    @Test(arguments: ["a\u{0}b", "\u{0}", "src/main.c\u{0}.txt"])
    func refusesNUL(argument: String) {
        let denial = #expect(throws: CallDenial.self) { try root.resolve(argument, argument: "path") }
        #expect(denial?.code == .argumentInvalid)
        #expect(denial?.message == #""path" must not contain a NUL byte"#)
    }

    @Test func refusesEmptyPathsAndSymlinkLoops() {
        let empty = #expect(throws: CallDenial.self) { try root.resolve("", argument: "path") }
        #expect(empty?.code == .argumentInvalid)
        let loop = #expect(throws: CallDenial.self) { try root.resolve("loop1/x", argument: "path") }
        #expect(loop?.code == .argumentInvalid)
        #expect(loop?.message == #""path" passes through more than 40 symlinks"#)
    }

    @Test func workspaceRootMustBeAnExistingDirectory() throws {
        #expect(throws: WorkspaceRootError.self) { try WorkspaceRoot(hostPath: tree.path + "/src/main.c") }
        #expect(throws: WorkspaceRootError.self) { try WorkspaceRoot(hostPath: tree.path + "/missing") }
        // A root reached through a symlink is kept in canonical form.
        #expect(try WorkspaceRoot(hostPath: tree.path + "/docs").hostPath == tree.path + "/src")
    }

    @Test func lexicalNormalisationNeedsNoFilesystem() throws {
        #expect(try WorkspacePath.components(of: "/work/a/./b/../c", argument: "p") == ["a", "c"])
        #expect(WorkspacePath.sandboxPath([]) == "/work")
        #expect(WorkspacePath.sandboxPath(["a", "c"]) == "/work/a/c")
        #expect(WorkspacePath.relative(fromSandboxPath: "/work/a/c") == "a/c")
        #expect(WorkspacePath.relative(fromSandboxPath: "/work") == ".")
        #expect(WorkspacePath.relative(fromSandboxPath: "/workspace/a") == nil)
    }
}
