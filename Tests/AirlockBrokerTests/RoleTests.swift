import AirlockBroker
import AirlockCore
import Hummingbird
import HummingbirdTesting
import Testing

extension BrokerTests {
@Suite("Roles from peer credentials")
struct RoleTests {
    @Test func unknownUIDIsRefusedBeforeAnyRoute() async throws {
        try await withRouterBroker { client, _ in
            expectProblem(try await client.json(.get, "/v1/health", as: Peer.stranger), .forbidden, code: "role_unknown")
            expectProblem(try await client.json(.get, "/v1/no-such-route", as: Peer.stranger), .forbidden, code: "role_unknown")
        }
    }

    @Test func connectionWithoutPeerCredentialsIsRefused() async throws {
        try await withRouterBroker { client, _ in
            expectProblem(try await client.json(.get, "/v1/health", as: nil), .forbidden, code: "peer_unknown")
        }
    }

    @Test func agentCannotCreateTasksListThemOrRevokeTokens() async throws {
        try await withRouterBroker { client, _ in
            expectProblem(
                try await client.json(.post, "/v1/tasks", as: Peer.agent, body: .object(["policy": .string("test-tools")])), .forbidden,
                code: "role_forbidden")
            expectProblem(try await client.json(.get, "/v1/tasks", as: Peer.agent), .forbidden, code: "role_forbidden")
            expectProblem(
                try await client.json(.post, "/v1/tokens/revoke", as: Peer.agent, body: .object(["tokenId": .string("AAAAAAAAAAAAAAAAAAAAAA")])),
                .forbidden, code: "role_forbidden")
        }
    }

    @Test func auditorReadsTasksButCannotChangeThem() async throws {
        try await withRouterBroker { client, _ in
            let task = try await client.createTask()
            #expect(try await client.json(.get, "/v1/tasks", as: Peer.auditor).status == .ok)
            #expect(try await client.json(.get, "/v1/tasks/\(task.id)", as: Peer.auditor).status == .ok)
            expectProblem(try await client.json(.post, "/v1/tasks/\(task.id)/suspend", as: Peer.auditor), .forbidden, code: "role_forbidden")
            expectProblem(try await client.json(.delete, "/v1/tasks/\(task.id)", as: Peer.auditor), .forbidden, code: "role_forbidden")
            expectProblem(try await client.call(task.token, tool: "echo", .object(["text": .string("x")]), as: Peer.auditor), .forbidden, code: "role_forbidden")
        }
    }

    @Test func healthNamesTheCallersRole() async throws {
        try await withRouterBroker { client, _ in
            let reply = try await client.json(.get, "/v1/health", as: Peer.agent)
            #expect(reply.status == .ok)
            #expect(reply.body["role"] == .string("agent"))
            #expect(reply.body["status"] == .string("ok"))
            #expect(reply.body["slots"]?["total"] == .integer(2))
        }
    }

    @Test func roleMapPrefersUIDOverGID() {
        let map = RoleMap(byUID: [7: .agent], byGID: [9: .admin])
        #expect(map.role(for: PeerCredentials(pid: 1, uid: 7, gid: 9)) == .agent)
        #expect(map.role(for: PeerCredentials(pid: 1, uid: 8, gid: 9)) == .admin)
        #expect(map.role(for: PeerCredentials(pid: 1, uid: 8, gid: 10)) == nil)
    }

    @Test func defaultRolesAdmitOnlyRootAndTheServingUser() {
        let map = RoleMap.defaults(servingUID: 1500)
        #expect(map.role(for: PeerCredentials(pid: 1, uid: 0, gid: 0)) == .admin)
        #expect(map.role(for: PeerCredentials(pid: 1, uid: 1500, gid: 1500)) == .admin)
        #expect(map.role(for: PeerCredentials(pid: 1, uid: 1501, gid: 0)) == nil)
    }
}
}

extension BrokerTests {
@Suite("Broker configuration file")
struct ConfigFileTests {
    @Test func readsRolesSocketGroupAndLimits() throws {
        var configuration = BrokerConfiguration()
        try BrokerConfigFile.parse(
            """
            roles:
              admin: {uids: [0]}
              agent: {uids: [1001], gids: [2000]}
              auditor: {gids: [2001]}
            socket:
              group: 2000
            limits:
              maxBodySize: 64KiB
              slots: 3
              queue: 5
              perTaskConcurrency: 1
              gracePeriod: 2s
            """, file: "airlock.yaml", into: &configuration)
        #expect(configuration.roles.role(for: PeerCredentials(pid: 1, uid: 5, gid: 2000)) == .agent)
        #expect(configuration.roles.role(for: PeerCredentials(pid: 1, uid: 5, gid: 2001)) == .auditor)
        #expect(configuration.roles.role(for: PeerCredentials(pid: 1, uid: 1000, gid: 1000)) == nil)
        #expect(configuration.socketGroup == 2000)
        #expect(configuration.limits.maxBodyBytes == 64 * 1024)
        #expect(configuration.limits.slots == 3)
        #expect(configuration.limits.queueLength == 5)
        #expect(configuration.limits.perTaskConcurrency == 1)
        #expect(configuration.limits.gracePeriod == .seconds(2))
    }

    @Test func uidUnderTwoRolesIsAnErrorAtItsLine() {
        var configuration = BrokerConfiguration()
        #expect {
            try BrokerConfigFile.parse("roles:\n  admin: {uids: [5]}\n  agent:\n    uids: [6, 5]\n", file: "airlock.yaml", into: &configuration)
        } throws: { error in
            let text = "\(error)"
            return text.contains("airlock.yaml:4:") && text.contains("uid 5 is already listed under `admin`")
        }
    }

    @Test func misspeltFieldIsAnError() {
        var configuration = BrokerConfiguration()
        #expect {
            try BrokerConfigFile.parse("limits:\n  slot: 3\n", file: "airlock.yaml", into: &configuration)
        } throws: { error in
            "\(error)".contains("airlock.yaml:2:3") && "\(error)".contains("unknown field `slot`")
        }
    }
}
}
