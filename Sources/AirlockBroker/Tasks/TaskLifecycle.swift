import AirlockCore

/// The life of one task as a value: each event returns the action the registry must perform.
/// No clock, no I/O, so tests drive it event by event.
///
/// ```
///            suspend              end
///   active ──────────▶ suspended ─────▶ ended
///      ▲   ◀──────────             ▲
///      │      resume               │
///      └───────────── end ─────────┘
/// ```
/// `ended` is final. Calls start only while `active` and below the task's concurrency cap.
public struct TaskLifecycle: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case active, suspended, ended
    }

    public enum Event: Sendable, Hashable {
        case suspend
        case resume
        case end
        /// A call passed authorization and wants to run.
        case callRequested(concurrencyCap: Int)
        /// A call that started has finished (or was given up before it ran).
        case callFinished
    }

    public enum Action: Sendable, Hashable {
        /// Nothing to do (including an event that repeats the current state).
        case none
        case startCall
        case denyCall(CallDenial.Code)
        /// The task already runs as many calls as it may.
        case rejectBusy
        /// The event is impossible in this state (the task has ended).
        case refuse(String)
        /// Revoke the task's token; kill its running calls when `killRunning`.
        case endTask(killRunning: Bool)
    }

    public private(set) var state: State = .active
    public private(set) var running = 0

    public init() {}

    public mutating func handle(_ event: Event) -> Action {
        switch (event, state) {
        case (.suspend, .active):
            state = .suspended
            return .none
        case (.resume, .suspended):
            state = .active
            return .none
        case (.suspend, .suspended), (.resume, .active), (.end, .ended):
            return .none
        case (.suspend, .ended), (.resume, .ended):
            return .refuse("the task has ended; it cannot be suspended or resumed")
        case (.end, _):
            state = .ended
            return .endTask(killRunning: running > 0)
        case (.callRequested(let cap), .active):
            guard running < cap else { return .rejectBusy }
            running += 1
            return .startCall
        case (.callRequested, .suspended):
            return .denyCall(.taskSuspended)
        case (.callRequested, .ended):
            return .denyCall(.taskEnded)
        case (.callFinished, _):
            precondition(running > 0, "a call finished that never started")
            running -= 1
            return .none
        }
    }
}
