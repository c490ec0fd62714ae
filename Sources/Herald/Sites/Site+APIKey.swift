extension Site {
    /// Whether `candidate` is the site's API key, compared in time that does not depend on where they differ.
    public func accepts(apiKey candidate: String) -> Bool {
        ConstantTime.equals(candidate, apiKey)
    }
}
