import Herald

/// `PORT`, `REDIS_URL` and `DEVICE_TTL`, which beat `config.yml` as they did in the Node service, so a container
/// can be configured without editing files; Herald adds `HERALD_HOST` and `FLAKE_DATACENTER` / `FLAKE_WORKER`, so
/// instances started from one image get distinct flake IDs, and `HERALD_ADMIN_KEY`, so the admin key can come from a
/// secret rather than a file; `HTTPS_ENABLE=true` serves the event server's own ports over TLS, as the original
/// event-server did.
enum EnvironmentOverrides {
    static func apply(_ environment: EnvironmentVariables, to settings: inout HeraldSettings) throws(ConfigurationError) {
        if let port = try environment.integer("PORT", in: 1...65_535, "an integer between 1 and 65535") {
            settings.port = port
        }
        if let redisURL = environment["REDIS_URL"] {
            if let problem = ValueFormat.redisURLProblem(redisURL) {
                throw .environment("REDIS_URL", problem)
            }
            settings.redis = .url(redisURL)
        }
        if let host = environment["HERALD_HOST"] {
            settings.host = host
        }
        if let datacenter = try environment.integer("FLAKE_DATACENTER", in: 0...31, "an integer between 0 and 31") {
            settings.flakeDatacenter = datacenter
        }
        if let worker = try environment.integer("FLAKE_WORKER", in: 0...31, "an integer between 0 and 31") {
            settings.flakeWorker = worker
        }
        if let adminKey = environment["HERALD_ADMIN_KEY"] {
            guard adminKey.count >= SettingsParser.minimumAdminKeyLength else {
                throw .environment("HERALD_ADMIN_KEY", "must be at least \(SettingsParser.minimumAdminKeyLength) characters")
            }
            settings.adminKey = adminKey
        }
        if let deviceTTL = try environment.integer(
            "DEVICE_TTL",
            in: 0...Int.max,
            "an integer number of seconds, 0 or more (0 keeps messages forever)"
        ) {
            settings.deviceTTL = deviceTTL
        }
        if environment["HTTPS_ENABLE"] == "true" {
            settings.eventServer?.httpsEnabled = true
        }
    }
}
