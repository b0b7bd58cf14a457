import Testing

/// Every broker suite runs inside this one, one test at a time: each test starts a broker with
/// its own slots, threads and sockets, and on two cores they would otherwise compete for the
/// machine (and for descriptors, see `DescriptorPressureTests`).
@Suite(.serialized) enum BrokerTests {}
