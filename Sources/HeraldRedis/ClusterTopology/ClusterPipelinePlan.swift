/// How a pipeline splits over a cluster, into units that each go to one node as a whole, and how the units' replies
/// are put back together.
///
/// A unit is a keyed command with the keyless commands after it (`EVALSHA …` then `WAIT 1 100`: the `WAIT` must
/// follow the write on the same connection); keyless commands before the first keyed one join it (`MULTI` before
/// its writes). A pipeline without any key is one unit, sent to any node.
struct ClusterPipelinePlan: Sendable {
    struct Unit: Sendable, Hashable {
        /// The unit's commands' positions in the pipeline.
        var range: Range<Int>
        /// The slot of its keyed command; `nil` when the whole pipeline is keyless.
        var slot: ClusterSlot?
    }

    let units: [Unit]

    init(_ commands: [RedisCommand]) {
        var units: [Unit] = []
        for (index, command) in commands.enumerated() {
            let slot = command.clusterKey.map { ClusterSlot(key: $0) }
            if let slot, let last = units.last, last.slot == nil {
                units[units.count - 1].slot = slot
                units[units.count - 1].range = last.range.lowerBound..<index + 1
            } else if slot != nil || units.isEmpty {
                units.append(Unit(range: index..<index + 1, slot: slot))
            } else {
                units[units.count - 1].range = units[units.count - 1].range.lowerBound..<index + 1
            }
        }
        self.units = units
    }

    /// The replies of the pipeline in its order, from each unit's outcome (in ``units``' order).
    ///
    /// When the pipeline went to several nodes and only some failed, the commands sent to those come back as error
    /// replies in their place, like any command that failed, so one lost master does not fail the others' commands (a
    /// publisher's batch for many shards, for example); when nothing got through, the first failure is thrown, as
    /// for a single server.
    func replies(from results: [Result<[RedisValue], any Error>], spansNodes: Bool) throws -> [RedisValue] {
        let failures = results.compactMap { result -> (any Error)? in
            if case .failure(let error) = result { error } else { nil }
        }
        if let first = failures.first, !spansNodes || failures.count == results.count {
            throw first
        }
        return zip(results, units).flatMap { result, unit -> [RedisValue] in
            switch result {
            case .success(let replies):
                return replies
            case .failure(let error):
                let reason = RedisConnection.redisError(error)
                return Array(repeating: .error("CLUSTERDOWN this command's node failed: \(reason)"), count: unit.range.count)
            }
        }
    }
}
