import AirlockBroker
import AirlockCore
import Testing

extension BrokerTests {
@Suite("Task lifecycle state machine")
struct TaskLifecycleTests {
    @Test func suspendedTaskDeniesCallsUntilResumed() {
        var task = TaskLifecycle()
        #expect(task.handle(.suspend) == .none)
        #expect(task.handle(.callRequested(concurrencyCap: 4)) == .denyCall(.taskSuspended))
        #expect(task.handle(.resume) == .none)
        #expect(task.handle(.callRequested(concurrencyCap: 4)) == .startCall)
        #expect(task.running == 1)
    }

    @Test func concurrencyCapRejectsOneCallMore() {
        var task = TaskLifecycle()
        #expect(task.handle(.callRequested(concurrencyCap: 2)) == .startCall)
        #expect(task.handle(.callRequested(concurrencyCap: 2)) == .startCall)
        #expect(task.handle(.callRequested(concurrencyCap: 2)) == .rejectBusy)
        #expect(task.handle(.callFinished) == .none)
        #expect(task.handle(.callRequested(concurrencyCap: 2)) == .startCall)
    }

    @Test func endingKillsRunningCallsOnlyWhenThereAreSome() {
        var idle = TaskLifecycle()
        #expect(idle.handle(.end) == .endTask(killRunning: false))
        var busy = TaskLifecycle()
        _ = busy.handle(.callRequested(concurrencyCap: 1))
        #expect(busy.handle(.end) == .endTask(killRunning: true))
        #expect(busy.state == .ended)
    }

    @Test func endedIsFinal() {
        var task = TaskLifecycle()
        _ = task.handle(.end)
        #expect(task.handle(.end) == .none)
        guard case .refuse = task.handle(.resume) else { Issue.record("resume after end was not refused"); return }
        guard case .refuse = task.handle(.suspend) else { Issue.record("suspend after end was not refused"); return }
        #expect(task.handle(.callRequested(concurrencyCap: 1)) == .denyCall(.taskEnded))
        #expect(task.state == .ended)
    }

    @Test func repeatingAStateIsHarmless() {
        var task = TaskLifecycle()
        #expect(task.handle(.resume) == .none)
        #expect(task.state == .active)
        _ = task.handle(.suspend)
        #expect(task.handle(.suspend) == .none)
        #expect(task.state == .suspended)
    }
}
}
