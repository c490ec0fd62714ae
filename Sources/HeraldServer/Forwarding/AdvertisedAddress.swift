import Foundation

/// The address other instances reach this one at when `cluster.advertise` is not set.
enum AdvertisedAddress {
    /// `host:port` of the listen address; a wildcard host (`0.0.0.0`, `::`) becomes the machine's host name, which
    /// is what other machines (or containers on one network) resolve.
    static func derived(host: String, port: Int) -> String {
        let name = ["0.0.0.0", "::", "[::]", ""].contains(host) ? ProcessInfo.processInfo.hostName : host
        return name.contains(":") && !name.hasPrefix("[") ? "[\(name)]:\(port)" : "\(name):\(port)"
    }
}
