public import Foundation
public import Hummingbird

/// The demo page and the browser files it needs (the vendored Socket.IO client among them), read once at start
/// from the target's resources and served from memory: `/` is `index.html`, `/assets/<name>` any other file.
public struct StaticAssets: Sendable {
    private struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
    }

    private let assets: [String: Asset]

    /// Loads every file of `directory`.
    public init(directory: URL) {
        var assets: [String: Asset] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where !name.hasPrefix(".") {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
                continue
            }
            assets[name] = Asset(bytes: ByteBuffer(bytes: data), contentType: Self.contentType(of: name))
        }
        self.assets = assets
    }

    /// Name of the resource bundle SwiftPM places beside the `herald` binary.
    static let bundleName = "herald_HeraldServer.resources"

    /// The files bundled with Herald: `HERALD_ASSETS_DIR` when set, else the resource bundle beside the running
    /// binary. Looked up by hand because `Bundle.module` stops the process when the bundle is missing; without it
    /// Herald serves everything but the demo page (see ``isEmpty``).
    public static var bundled: StaticAssets {
        if let configured = ProcessInfo.processInfo.environment["HERALD_ASSETS_DIR"], !configured.isEmpty {
            return StaticAssets(directory: URL(fileURLWithPath: configured))
        }
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        let beside = executable.deletingLastPathComponent().appendingPathComponent(bundleName).appendingPathComponent("Public")
        return StaticAssets(directory: beside)
    }

    /// Whether no file was found (the demo page is then unavailable).
    public var isEmpty: Bool { assets.isEmpty }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/") { _, _ in response(for: "index.html") }
        router.head("/") { _, _ in response(for: "index.html") }
        router.get("/assets/{name}") { _, context in
            response(for: context.parameters.get("name") ?? "")
        }
    }

    /// The file `name`, or 404.
    func response(for name: String) -> Response {
        guard let asset = assets[name] else {
            return .plainText("Not found", status: .notFound)
        }
        return Response(
            status: .ok,
            headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: asset.bytes)
        )
    }

    private static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: "text/plain; charset=utf-8"
        }
    }
}
