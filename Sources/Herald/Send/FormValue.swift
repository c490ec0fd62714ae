import SocketIO

/// A form body's value while it is decoded, in the shapes `qs` gives JavaScript values, so that merging the fields
/// of a body gives what the Node service's body parser gave: strings, `true` (a plain value merged into an object
/// becomes a key set to `true`), arrays with holes (dropped by ``jsonValue``) and objects.
indirect enum FormValue: Hashable {
    case string(String)
    case flag
    case list([FormValue?])
    case map(FormMap)

    /// `typeof value === "object"` for a value that is not null: what `qs` merges member by member.
    private var isObject: Bool {
        switch self {
        case .list, .map: true
        case .string, .flag: false
        }
    }

    /// `!value` in JavaScript: of these shapes only the empty string.
    private var isFalsy: Bool { self == .string("") }

    /// The value as an object: an array's elements under their indices.
    private var asMap: FormMap {
        switch self {
        case .map(let map): return map
        case .list(let items):
            var map = FormMap()
            for (index, item) in items.enumerated() {
                if let item { map.set(item, for: String(index)) }
            }
            return map
        case .string, .flag: return FormMap()
        }
    }

    /// Merges `source` (one field's value) into this one as `qs`'s `utils.merge` does: an empty string changes
    /// nothing, a plain value is appended to an array or set as a key of an object, two plain values make an
    /// array, arrays merge index by index (a taken index appends), anything else merges as objects.
    mutating func merge(_ source: FormValue) {
        if source.isFalsy { return }
        switch self {
        case .list(var items):
            self = .flag
            switch source {
            case .string, .flag:
                items.append(source)
                self = .list(items)
            case .list(let incoming):
                Self.merge(incoming, into: &items)
                self = .list(items)
            case .map:
                self = .list(items)
                self = .map(asMap.merging(source.asMap))
            }
        case .map(var map):
            self = .flag
            switch source {
            case .string(let key): map.set(.flag, for: key)
            case .flag: map.set(.flag, for: "true")
            case .list, .map: map = map.merging(source.asMap)
            }
            self = .map(map)
        case .string, .flag:
            switch source {
            case .list(let items): self = .list([Optional(self)] + items)
            case .string, .flag, .map: self = .list([self, source])
            }
        }
    }

    /// `[].concat(self, value)`: a field's values once its name repeats, empty ones included.
    mutating func append(_ value: FormValue) {
        guard case .list(var items) = self else {
            self = .list([self, value])
            return
        }
        self = .flag
        items.append(value)
        self = .list(items)
    }

    private static func merge(_ incoming: [FormValue?], into items: inout [FormValue?]) {
        for (index, item) in incoming.enumerated() {
            guard let item else { continue }
            if index < items.count, var existing = items[index] {
                if existing.isObject, item.isObject {
                    items[index] = nil
                    existing.merge(item)
                    items[index] = existing
                } else {
                    items.append(item)
                }
            } else {
                if index >= items.count {
                    items.append(contentsOf: repeatElement(nil, count: index - items.count + 1))
                }
                items[index] = item
            }
        }
    }

    /// The JSON a `/send` body yields: holes dropped from arrays (`qs`'s `compact`), `true` as a boolean.
    var jsonValue: JSONValue {
        switch self {
        case .string(let text): .string(text)
        case .flag: .bool(true)
        case .list(let items): .array(items.compactMap { $0?.jsonValue })
        case .map(let map):
            .object(Dictionary(map.entries.map { ($0.key, $0.value.jsonValue) }) { _, last in last })
        }
    }
}

/// A JavaScript object's own keys and values, listed in JavaScript's order (array-index keys ascending, then the
/// others as they were first set), which decides the order `qs` merges fields in.
struct FormMap: Hashable {
    private var values: [String: FormValue] = [:]
    private var namedKeys: [String] = []
    private var indexKeys: [UInt32] = []

    subscript(key: String) -> FormValue? { values[key] }

    /// Sets `key` to `value`, replacing what it held (`object[key] = value`).
    mutating func set(_ value: FormValue, for key: String) {
        guard values.updateValue(value, forKey: key) == nil else { return }
        if let index = Self.arrayIndex(key) {
            indexKeys.insert(index, at: indexKeys.firstIndex { $0 > index } ?? indexKeys.endIndex)
        } else {
            namedKeys.append(key)
        }
    }

    /// Merges `value` into the member `key`, or sets it when there is none.
    mutating func merge(_ value: FormValue, at key: String) {
        if values[key] == nil {
            set(value, for: key)
        } else {
            values[key]?.merge(value)
        }
    }

    /// Appends `value` to the member `key` (``FormValue/append(_:)``), or sets it when there is none.
    mutating func append(_ value: FormValue, at key: String) {
        if values[key] == nil {
            set(value, for: key)
        } else {
            values[key]?.append(value)
        }
    }

    /// This object with `other`'s members merged in, in `other`'s key order.
    consuming func merging(_ other: FormMap) -> FormMap {
        for (key, value) in other.entries {
            merge(value, at: key)
        }
        return self
    }

    /// The members in JavaScript's key order.
    var entries: [(key: String, value: FormValue)] {
        (indexKeys.map { String($0) } + namedKeys).compactMap { key in values[key].map { (key: key, value: $0) } }
    }

    /// `key` as an array index if JavaScript treats it as one: a canonical decimal below 2³² − 1.
    static func arrayIndex(_ key: String) -> UInt32? {
        let digits = key.utf8
        guard let first = digits.first, digits.count <= 10, first != UInt8(ascii: "0") || digits.count == 1 else {
            return nil
        }
        var value: UInt64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(digit - UInt8(ascii: "0"))
        }
        return value < UInt64(UInt32.max) ? UInt32(value) : nil
    }
}
