extension CallDenial {
    /// `{code, message, violations: [{pointer, keyword, message}]}`: the one JSON form of a denial,
    /// shared by `airlock run`, the broker's answers and the execution log.
    public var jsonValue: JSONValue {
        .object([
            "code": .string(code.rawValue), "message": .string(message),
            "violations": .array(
                violations.map {
                    .object(["pointer": .string($0.pointer), "keyword": .string($0.keyword), "message": .string($0.message)])
                }),
        ])
    }
}
