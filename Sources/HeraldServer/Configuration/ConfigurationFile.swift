import Foundation

/// Reads a configuration file's text.
enum ConfigurationFile {
    /// The file's text, or nil when it does not exist and `required` is false (a default path nobody asked for).
    ///
    /// At most `maxBytes` are accepted; the read stops one byte past the limit, so a huge file, or a path that never
    /// ends (`/dev/zero`, a FIFO kept open), is refused without being read into memory.
    static func read(_ path: String, required: Bool, maxBytes: Int = ConfigurationInputLimits().maxFileBytes) throws(ConfigurationError)
        -> String?
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if required {
                throw ConfigurationError(file: path, message: "file not found")
            }
            return nil
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError(file: path, message: "is a directory, expected a YAML file")
        }
        if let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue, size > maxBytes {
            throw tooLarge(file: path, bytes: size, limit: maxBytes)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ConfigurationError(file: path, message: "cannot be read (check its permissions)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        } catch {
            throw ConfigurationError(file: path, message: "cannot be read: \(error.localizedDescription)")
        }
        guard data.count <= maxBytes else {
            throw tooLarge(file: path, bytes: nil, limit: maxBytes)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, message: "is not valid UTF-8 text")
        }
        return text
    }

    /// The error for a file over the byte limit; `bytes` is nil when the read stopped at the limit.
    static func tooLarge(file: String, bytes: Int?, limit: Int) -> ConfigurationError {
        ConfigurationError(
            file: file,
            message: "is \(bytes.map { "\($0) bytes" } ?? "larger"), more than the \(limit) bytes a configuration file may have "
                + "(raise the limit with \(ConfigurationInputLimits.maxFileBytesVariable))"
        )
    }
}
