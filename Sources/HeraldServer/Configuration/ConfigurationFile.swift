import Foundation

/// Reads a configuration file's text.
enum ConfigurationFile {
    /// The file's text, or nil when it does not exist and `required` is false (a default path nobody asked for).
    static func read(_ path: String, required: Bool) throws(ConfigurationError) -> String? {
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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, message: "cannot be read (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, message: "is not valid UTF-8 text")
        }
        return text
    }
}
