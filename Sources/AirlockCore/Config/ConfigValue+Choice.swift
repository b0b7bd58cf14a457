extension ConfigValue {
    /// A string naming one case of `type` (by raw value), leaving out `excluded`.
    func choice<T: RawRepresentable & CaseIterable & Equatable>(_ type: T.Type, excluding excluded: [T] = []) throws(ConfigError) -> T
    where T.RawValue == String {
        let text = try oneOf(T.allCases.filter { !excluded.contains($0) }.map(\.rawValue))
        guard let result = T(rawValue: text) else { throw error("unknown value `\(text)`") }
        return result
    }
}
