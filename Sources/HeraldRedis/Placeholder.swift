// Replaced as the HeraldRedis target fills in.
