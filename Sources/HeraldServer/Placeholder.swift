// Replaced as the HeraldServer target fills in.
