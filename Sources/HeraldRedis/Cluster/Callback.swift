/// A function kept in a lock box. Wrapped in a struct because a bare function type read through the box's generic
/// `inout` access comes back re-abstracted, a thunk deeper on every read, so each call would cost more than the last.
struct Callback<Argument>: Sendable {
    /// The function.
    let call: @Sendable (Argument) -> Void
}
