/// The room every socket with a device queue joins, so plain broadcasts can leave those sockets out: they get the
/// same message from their device queue, with an ack.
enum ReliableRoom {
    static let name = "#herald/reliable"
}
