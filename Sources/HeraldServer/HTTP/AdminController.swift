import Foundation
public import Herald
public import Hummingbird

/// The admin API under `/admin/api/` and the live admin page at `/admin`, routed only when `admin.key` is set
/// (otherwise every `/admin` path is 404). The API needs `Authorization: Bearer <admin.key>`; the page is a shell
/// that asks for the key and sends it the same way.
///
/// Every answer covers the whole service: the instance asked gathers the other instances' answers over the control
/// exchange (``SiteInspector``), lists the instances that answered (`instances`) and the live ones that did not in
/// time (`missing`), and cuts long lists at their bound (`truncated`).
///
/// - `GET /admin/api/sites`: each site with its connections (by transport) and messages emitted since start.
/// - `GET /admin/api/sites/{site}/rooms`: the site's rooms with their member counts.
/// - `GET /admin/api/sites/{site}/rooms/{room}/sockets[?limit=N]`: the room's sockets, each with its instance
///   (percent-encode `/` in the room; at most `limit`, 1000 by default and at most).
/// - `DELETE /admin/api/sites/{site}/sockets/{id}`: disconnects a socket, on whichever instance it is.
/// - `DELETE /admin/api/sites/{site}/users/{userId}`: disconnects every socket of a user (its user room).
public struct AdminController: Sendable {
    private let key: String
    private let inspector: SiteInspector
    private let assets: StaticAssets

    /// Creates the controller for `service`, guarded by `key`, serving the page from `assets`.
    public init(key: String, service: HeraldService, assets: StaticAssets) {
        self.key = key
        inspector = SiteInspector(service: service)
        self.assets = assets
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/admin") { _, _ in assets.response(for: "admin.html") }
        router.get("/admin/admin.js") { _, _ in assets.response(for: "admin.js") }
        router.get("/admin/admin.css") { _, _ in assets.response(for: "admin.css") }
        let api = router.group("/admin/api").add(middleware: AdminAuthorization<Context>(key: key))
        let inspector = self.inspector
        api.get("/sites") { _, _ in
            AdminJSON.response(AdminJSON.sites(await inspector.sites()))
        }
        api.get("/sites/{site}/rooms") { _, context in
            let site = try context.parameters.require("site")
            guard let rooms = await inspector.rooms(site: site) else { return Self.unknownSite(site) }
            return AdminJSON.response(AdminJSON.rooms(rooms, site: site))
        }
        api.get("/sites/{site}/rooms/{room}/sockets") { request, context in
            let site = try context.parameters.require("site")
            let room = Self.decoded(try context.parameters.require("room"))
            let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? AdminLimits.maxSockets
            guard let sockets = await inspector.sockets(site: site, room: room, limit: limit) else { return Self.unknownSite(site) }
            return AdminJSON.response(AdminJSON.sockets(sockets, site: site, room: room))
        }
        api.delete("/sites/{site}/sockets/{id}") { _, context in
            let site = try context.parameters.require("site")
            let id = Self.decoded(try context.parameters.require("id"))
            guard await inspector.disconnect(site: site, socketID: id) else {
                return AdminJSON.error("no socket \(id) of site \(site) on any instance", status: .notFound)
            }
            return AdminJSON.response(AdminJSON.Disconnected(disconnected: 1))
        }
        api.delete("/sites/{site}/users/{userId}") { _, context in
            let site = try context.parameters.require("site")
            let userID = Self.decoded(try context.parameters.require("userId"))
            guard let count = await inspector.disconnect(site: site, userID: userID) else {
                return AdminJSON.error("unknown site or site without userRoomPrefix: \(site)", status: .notFound)
            }
            return AdminJSON.response(AdminJSON.Disconnected(disconnected: count))
        }
    }

    private static func unknownSite(_ site: String) -> Response {
        AdminJSON.error("unknown site: \(site)", status: .notFound)
    }

    private static func decoded(_ component: String) -> String {
        component.removingPercentEncoding ?? component
    }
}
