/// Per-call limits set by a token caveat: only the fields that are set restrict anything.
///
/// A caveat can only lower a limit: the decision applies `applied(to:)` to the policy's limits,
/// which takes the field-wise minimum, and folding several caveats takes the minimum again, so
/// a later caveat with a higher value changes nothing.
public struct CaveatLimits: Hashable, Sendable, CustomStringConvertible {
    public var wallTime: Milliseconds?
    public var cpuTime: Milliseconds?
    public var memory: ByteCount?
    public var addressSpace: ByteCount?
    public var processes: UInt64?
    public var openFiles: UInt64?
    public var fileSize: ByteCount?
    public var outputBytes: ByteCount?
    public var tmpSize: ByteCount?

    public init(
        wallTime: Milliseconds? = nil, cpuTime: Milliseconds? = nil, memory: ByteCount? = nil,
        addressSpace: ByteCount? = nil, processes: UInt64? = nil, openFiles: UInt64? = nil,
        fileSize: ByteCount? = nil, outputBytes: ByteCount? = nil, tmpSize: ByteCount? = nil
    ) {
        self.wallTime = wallTime
        self.cpuTime = cpuTime
        self.memory = memory
        self.addressSpace = addressSpace
        self.processes = processes
        self.openFiles = openFiles
        self.fileSize = fileSize
        self.outputBytes = outputBytes
        self.tmpSize = tmpSize
    }

    /// Field names in wire order: bit `i` of the encoded mask is `fieldNames[i]`.
    public static let fieldNames = [
        "wallTime", "cpuTime", "memory", "addressSpace", "processes", "openFiles", "fileSize",
        "outputBytes", "tmpSize",
    ]

    /// The raw values in wire order, nil where unset (milliseconds, bytes or counts).
    var rawValues: [UInt64?] {
        [
            wallTime?.value, cpuTime?.value, memory?.bytes, addressSpace?.bytes, processes, openFiles,
            fileSize?.bytes, outputBytes?.bytes, tmpSize?.bytes,
        ]
    }

    init(rawValues v: [UInt64?]) {
        precondition(v.count == Self.fieldNames.count)
        self.init(
            wallTime: v[0].map(Milliseconds.init), cpuTime: v[1].map(Milliseconds.init),
            memory: v[2].map(ByteCount.init), addressSpace: v[3].map(ByteCount.init), processes: v[4],
            openFiles: v[5], fileSize: v[6].map(ByteCount.init), outputBytes: v[7].map(ByteCount.init),
            tmpSize: v[8].map(ByteCount.init)
        )
    }

    public var isEmpty: Bool { rawValues.allSatisfy { $0 == nil } }

    /// The field-wise minimum of two partial limits; a field set on either side stays set.
    public func tightened(by other: CaveatLimits) -> CaveatLimits {
        let merged = zip(rawValues, other.rawValues).map { a, b -> UInt64? in
            switch (a, b) {
            case (let a?, let b?): return min(a, b)
            case (let a?, nil): return a
            case (nil, let b): return b
            }
        }
        return CaveatLimits(rawValues: merged)
    }

    /// `limits` with every field this value sets lowered to it (never raised).
    public func applied(to limits: Limits) -> Limits {
        limits.tightened(
            by: Limits(
                wallTime: wallTime ?? limits.wallTime, cpuTime: cpuTime ?? limits.cpuTime,
                memory: memory ?? limits.memory, addressSpace: addressSpace ?? limits.addressSpace,
                processes: processes ?? limits.processes, openFiles: openFiles ?? limits.openFiles,
                fileSize: fileSize ?? limits.fileSize, outputBytes: outputBytes ?? limits.outputBytes,
                tmpSize: tmpSize ?? limits.tmpSize
            ))
    }

    /// `wallTime ≤ 5s, memory ≤ 128MiB`.
    public var description: String {
        let rendered: [String?] = [
            wallTime?.description, cpuTime?.description, memory?.description, addressSpace?.description,
            processes?.description, openFiles?.description, fileSize?.description, outputBytes?.description,
            tmpSize?.description,
        ]
        let parts = zip(Self.fieldNames, rendered).compactMap { name, value in value.map { "\(name) ≤ \($0)" } }
        return parts.isEmpty ? "(none)" : parts.joined(separator: ", ")
    }
}
