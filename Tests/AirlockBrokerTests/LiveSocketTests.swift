@testable import AirlockBroker
import AirlockCore
import AirlockTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BrokerTests {
@Suite("Live broker on its Unix socket")
struct LiveSocketTests {
    @Test func taskCallResultRoundTripOverTheSocket() async throws {
        try await withLiveBroker { live in
            let health = try await live.send("GET", "/v1/health")
            #expect(health.status == 200)
            #expect(health.json?["role"] == .string("admin"))

            let created = try await live.send("POST", "/v1/tasks", json: .object(["policy": .string("code-reading")]))
            #expect(created.status == 201)
            let token = try #require(created.json?["token"]?.stringValue)
            let workspace = try #require(created.json?["task"]?["workspace"]?.stringValue)
            try "line one\nline two\n".write(toFile: workspace + "/notes.txt", atomically: true, encoding: .utf8)

            let reply = try await live.send(
                "POST", "/v1/calls", token: token,
                json: .object(["tool": .string("read_file"), "arguments": .object(["path": .string("notes.txt"), "lines": .integer(1)])]))
            #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
            #expect(reply.json?["exitCode"] == .integer(0))
            #expect(reply.json?["stdout"]?["content"] == framed("line one\n", tool: "read_file"))

            let denied = try await live.send(
                "POST", "/v1/calls", token: token, json: .object(["tool": .string("read_file"), "arguments": .object(["path": .string("/etc/passwd")])]))
            #expect(denied.status == 403)
            #expect(denied.header("content-type") == "application/problem+json")
            #expect(denied.problemCode == "path_outside_workspace")
        }
    }

    @Test func socketAndItsDirectoryArePrivate() async throws {
        try await withLiveBroker { live in
            var info = stat()
            #expect(stat(live.socketPath, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)
            #expect(stat(SocketBinding.parent(of: live.socketPath), &info) == 0)
            #expect(info.st_mode & 0o777 == 0o700)
        }
    }

    @Test func oversizedBodyIsRefusedWithoutReadingIt() async throws {
        try await withLiveBroker { live in
            let path = live.socketPath
            let (head, closed) = try await offPool { () -> (String, Bool) in
                let fd = try UnixSocket.connect(path)
                defer { close(fd) }
                UnixSocket.setReceiveTimeout(fd, seconds: 5)
                // Declare 2 MiB and send none of it: the answer must come without the body (a
                // broker that waited for it would time out here). Sending part of the body would
                // race the broker's close against unread bytes, which the kernel turns into a
                // connection reset that can overtake the answer.
                let request = "POST /v1/tasks HTTP/1.1\r\nHost: airlock\r\nContent-Type: application/json\r\nContent-Length: \(2 << 20)\r\n\r\n"
                try UnixSocket.writeAll(fd, Array(request.utf8))
                let reply = try UnixSocket.readToEnd(fd, limit: 1 << 20)
                return (String(decoding: reply.prefix(200), as: UTF8.self), true)
            }
            #expect(head.hasPrefix("HTTP/1.1 413"), "\(head)")
            #expect(head.lowercased().contains("application/problem+json"))
            #expect(closed)
        }
    }

    /// A body dribbled after its head is cut off at the request timeout even though each byte
    /// resets the idle timer; a head sent in part is cut off at the idle timeout. The broker
    /// closes the connection either way and keeps serving.
    @Test func slowClientsAreDisconnected() async throws {
        try await withLiveBroker(configure: { fixture in
            fixture.configuration.limits.requestTimeout = Milliseconds(500)
            fixture.configuration.limits.idleTimeout = Milliseconds(2500)
        }) { live in
            let path = live.socketPath
            let bodyHead = "POST /v1/tasks HTTP/1.1\r\nHost: airlock\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            let dribbled = try await offPool { try secondsUntilClosed(path, first: bodyHead, thenEvery100ms: "x") }
            #expect(dribbled.map { $0 < 2.0 } == true, "a dribbled body held the connection: \(String(describing: dribbled))")
            let partialHead = try await offPool { try secondsUntilClosed(path, first: "GET /v1/health HTTP/1.1\r\nHost: air", thenEvery100ms: nil) }
            #expect(partialHead.map { $0 >= 2.0 && $0 < 6.0 } == true, "a partial head: \(String(describing: partialHead))")
            #expect(try await live.send("GET", "/v1/health").status == 200)
        }
    }

    /// Each connection's credentials are read once when it opens and forgotten when it closes.
    @Test func connectionCredentialsAreKeptOnlyWhileTheConnectionIsOpen() async throws {
        try await withLiveBroker { live in
            let path = live.socketPath
            let (during, roles) = try await offPool { () -> (Int, [String]) in
                let connections = try (0..<3).map { _ in try BrokerConnection(socketPath: path, timeoutSeconds: 10) }
                // Two requests on each connection: both are answered as the same caller.
                let roles = try connections.flatMap { connection in
                    try (0..<2).map { _ in try connection.send("GET", "/v1/health").json?["role"]?.stringValue ?? "?" }
                }
                return (PeerCredentialsHandler.count, roles)
            }
            #expect(during >= 3)
            #expect(roles == Array(repeating: "admin", count: 6))
            var after = PeerCredentialsHandler.count
            for _ in 0..<200 where after > 0 {
                try await Task.sleep(for: .milliseconds(10))
                after = PeerCredentialsHandler.count
            }
            #expect(after == 0, "credentials of closed connections were kept")
        }
    }

    @Test func liveSocketIsNeverStolenAndAStaleOneIsReplaced() async throws {
        try await withLiveBroker { live in
            var second = try TestBroker(roles: RoleMap.defaults(servingUID: geteuid()))
            defer { second.remove() }
            second.configuration.socketPath = live.socketPath
            #expect {
                _ = try second.application()
            } throws: { "\($0)".contains("another broker holds") }
            #expect(SocketBinding.isLive(live.socketPath))
        }
        // A listener that is not a broker (no lock file) is detected by connecting.
        var fixture = try TestBroker(roles: RoleMap.defaults(servingUID: geteuid()))
        defer { fixture.remove() }
        let socketPath = fixture.directory + "/other.sock"
        fixture.configuration.socketPath = socketPath
        let listener = try bindSocket(socketPath, listen: true)
        #expect {
            _ = try fixture.application()
        } throws: { "\($0)".contains("already listening") }
        close(listener)
        // Closed without unlinking: a stale socket, which is replaced.
        let live = try await LiveBroker.start(fixture)
        #expect(try await live.send("GET", "/v1/health").status == 200)
        try await live.stop()
    }

    @Test func uidWithoutARoleIsRefusedOverTheSocket() async throws {
        try await withLiveBroker(configure: { fixture in
            // Members of gid 4343 may reach the socket; only uid 4244 has a role.
            fixture.configuration.socketGroup = 4343
            fixture.configuration.roles = RoleMap(byUID: [0: .admin, 4244: .agent])
            chmod(fixture.directory, 0o711)
        }) { live in
            let stranger = try await healthAs(uid: 4242, gid: 4343, socket: live.socketPath)
            #expect(stranger.hasPrefix("HTTP/1.1 403"), "\(stranger)")
            #expect(stranger.contains("role_unknown"))
            let agent = try await healthAs(uid: 4244, gid: 4343, socket: live.socketPath)
            #expect(agent.hasPrefix("HTTP/1.1 200"), "\(agent)")
            #expect(agent.contains("\"role\":\"agent\""))
            let outsider = try await healthAs(uid: 4245, gid: 4345, socket: live.socketPath)
            #expect(outsider.contains("Permission denied"), "\(outsider)")
        }
    }

    @Test func shutdownMidCallKillsTheSandboxAndLeavesNothing() async throws {
        var fixture = try TestBroker(slots: 1, roles: RoleMap.defaults(servingUID: geteuid()))
        defer { fixture.remove() }
        fixture.configuration.limits.gracePeriod = Milliseconds(300)
        let live = try await LiveBroker.start(fixture)
        let created = try await live.send("POST", "/v1/tasks", json: .object(["policy": .string("test-tools")]))
        let token = try #require(created.json?["token"]?.stringValue)
        let client = live.client
        let call = Task {
            try await offPool {
                try client.send("POST", "/v1/calls", headers: [("Authorization", "Bearer \(token)")],
                    json: .object(["tool": .string("sleep"), "arguments": .object(["seconds": .string("30")])]))
            }
        }
        for _ in 0..<500 where try await live.send("GET", "/v1/health").json?["slots"]?["busy"] != .integer(1) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let start = ContinuousClock.now
        try await live.stop()
        let reply = try await call.value
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(reply.status == 200)
        #expect(reply.json?["killedBy"] == .string("shutdown"))
        #expect(access(live.socketPath, F_OK) != 0, "the socket file is left behind")
        #expect(processes(ofUIDs: fixture.configuration.slotUIDBase..<(fixture.configuration.slotUIDBase + 1)).isEmpty)
        if let name = fixture.configuration.cgroupName {
            for root in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory", "/sys/fs/cgroup"] {
                #expect(access("\(root)/\(name)", F_OK) != 0, "cgroup \(root)/\(name) is left behind")
            }
        }
    }
}
}

/// `GET /v1/health` from a process running as `uid`/`gid` (through setpriv), as raw HTTP text
/// or the connect error.
func healthAs(uid: Int, gid: Int, socket: String) async throws -> String {
    let script = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(sys.argv[1])
        except OSError as e:
            print(e.strerror); sys.exit(0)
        s.sendall(b"GET /v1/health HTTP/1.1\\r\\nHost: airlock\\r\\nConnection: close\\r\\n\\r\\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        print(data.decode())
        """
    let result = try await runProgramOffPool(
        "/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "/usr/bin/python3", "-c", script, socket])
    return result.stdout + result.stderr
}

/// Sends `first`, then `byte` every 100 ms (or nothing), until the broker closes the connection:
/// the seconds that took, or nil when it was still open after 8 s.
func secondsUntilClosed(_ path: String, first: String, thenEvery100ms byte: String?) throws -> Double? {
    let fd = try UnixSocket.connect(path)
    defer { close(fd) }
    let start = ContinuousClock.now
    try UnixSocket.writeAll(fd, Array(first.utf8))
    while ContinuousClock.now - start < .seconds(8) {
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&ready, 1, 100) > 0 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            if recv(fd, &buffer, buffer.count, 0) <= 0 { break }
        }
        if let byte, send(fd, byte, byte.utf8.count, Int32(MSG_NOSIGNAL)) < 0 { break }
    }
    let elapsed = ContinuousClock.now - start
    guard elapsed < .seconds(8) else { return nil }
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Creates a Unix socket file at `path`, listening or not; returns its descriptor.
func bindSocket(_ path: String, listen shouldListen: Bool) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: Array(path.utf8))
        raw[path.utf8.count] = 0
    }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0, !shouldListen || listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
    return fd
}

/// Pids of processes whose real uid is in `uids` (a sandbox left running would show here).
func processes(ofUIDs uids: Range<UInt32>) -> [Int] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { name -> Int? in
        guard let pid = Int(name), let status = try? String(contentsOfFile: "/proc/\(name)/status", encoding: .utf8) else { return nil }
        let uidLine = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
        let realUID = uidLine?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { UInt32($0) }
        return realUID.map { uids.contains($0) } == true ? pid : nil
    }
}
