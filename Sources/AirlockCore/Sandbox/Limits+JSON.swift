extension Limits {
    /// Every limit by name, durations and sizes in their written form (`10s`, `256MiB`).
    public var jsonValue: JSONValue {
        .object([
            "wallTime": .string(wallTime.description), "cpuTime": .string(cpuTime.description),
            "memory": .string(memory.description), "addressSpace": .string(addressSpace.description),
            "processes": .integer(Int64(clamping: processes)), "openFiles": .integer(Int64(clamping: openFiles)),
            "fileSize": .string(fileSize.description), "outputBytes": .string(outputBytes.description),
            "tmpSize": .string(tmpSize.description),
        ])
    }
}
