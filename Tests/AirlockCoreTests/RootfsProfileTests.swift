import Testing
@testable import AirlockCore

@Suite struct RootfsProfileTests {
    @Test func repositoryDefaultViewIsReadOnlyAndHoldsNoSecrets() throws {
        let view = try RootfsProfile.load(file: repositoryRoot + "/Sandbox/rootfs/default.yaml")
        let all = view.binds + view.optionalBinds
        #expect(view.binds.map(\.source).contains("/usr"))
        #expect(view.optionalBinds.map(\.source).contains("/lib64"))
        #expect(all.allSatisfy { !$0.writable && $0.source == $0.target && $0.source.hasPrefix("/") })
        for secret in ["/etc/shadow", "/etc/gshadow", "/root", "/home", "/etc", "/"] {
            #expect(!all.map(\.source).contains(secret))
        }
        #expect(view.workspace == nil)
    }

    @Test(arguments: [
        ("readOnly: [/usr]\noptional: [/etc/localtime]", ["/usr"], ["/etc/localtime"]),
        ("description: x\nreadOnly: [/usr, /opt/tools]", ["/usr", "/opt/tools"], []),
    ])
    func readsTheListsInOrder(text: String, readOnly: [String], optional: [String]) throws {
        let view = try RootfsProfile.parse(text, file: "v.yaml")
        #expect(view.binds.map(\.source) == readOnly)
        #expect(view.optionalBinds.map(\.source) == optional)
    }

    @Test(arguments: [
        ("readOnly: [/etc]", "v.yaml:1:12: readOnly.0: `/etc` must not be in a view: it is or contains `/etc/shadow`"),
        ("readOnly: [/]", "v.yaml:1:12: readOnly.0: `/` must not be in a view: it is or contains `/root`"),
        ("readOnly: [/usr]\noptional: [/home/dev/.ssh]", "v.yaml:2:12: optional.0: `/home/dev/.ssh` must not be in a view: it is or contains `/home`"),
        ("readOnly: [/etc/shadow]", "v.yaml:1:12: readOnly.0: `/etc/shadow` must not be in a view: it is or contains `/etc/shadow`"),
        ("readOnly: [/work]", "v.yaml:1:12: readOnly.0: `/work` must not be in a view: it is or contains `/work`"),
        ("readOnly: [/var]", "v.yaml:1:12: readOnly.0: `/var` must not be in a view: it is or contains `/var/run`"),
        ("readOnly: [usr]", "v.yaml:1:12: readOnly.0: `usr` must be an absolute path"),
        ("readOnly: [/usr/../etc]", "v.yaml:1:12: readOnly.0: `/usr/../etc` must be written without `.`, `..`, `//` or a trailing `/`"),
        ("readOnly: [/usr/]", "v.yaml:1:12: readOnly.0: `/usr/` must be written without `.`, `..`, `//` or a trailing `/`"),
        ("readOnly: [/usr]\noptional: [/usr]", "v.yaml:2:12: optional.0: `/usr` is listed twice"),
        ("readOnly: [/usr]\nreadWrite: [/srv]", "v.yaml:2:1: unknown field `readWrite`"),
        ("optional: [/usr]", "v.yaml:1:1: missing required field `readOnly`"),
        ("readOnly: /usr", "v.yaml:1:11: readOnly: expected a list, found a scalar"),
    ])
    func refusesViewsThatExposeTooMuchOrAreMalformed(text: String, expected: String) {
        let error = #expect(throws: ConfigError.self) { try RootfsProfile.parse(text, file: "v.yaml") }
        #expect(error?.description == expected)
    }
}
