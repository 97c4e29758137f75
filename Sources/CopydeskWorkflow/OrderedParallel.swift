import Dispatch
import Synchronization

/// Work on several threads, results in input order, bounded memory: the design of the file
/// runner (`LintRunner`), shared with records mode, whose jobs come from a stream.
///
/// Workers claim jobs in order (`next` runs under a lock, one call at a time, so it may read
/// from a stream) and hand outcomes over in the same order: the worker that finishes the oldest
/// pending job passes it (and every finished one after it) to `take`, under a lock, so `take`
/// runs on one thread at a time, in job order, and no thread has to be woken per job. A worker
/// runs at most `window` jobs ahead of the last one handed over, so at most `window` jobs and
/// outcomes are held at once, however many there are.
enum OrderedParallel {
    /// - Parameters:
    ///   - state: makes a worker's own state (match scratch, stats), on that worker's thread.
    ///   - work: runs a job with the worker's state, on worker threads.
    ///   - finish: each worker's state after its last job (on that worker's thread).
    ///   - take: each outcome, in job order, on one thread at a time.
    static func run<Job, Outcome, State>(workers: Int, window: Int,
                                         next: @escaping () -> Job?,
                                         state: @escaping () -> State,
                                         work: @escaping (Job, inout State) -> Outcome,
                                         finish: @escaping (inout State) -> Void = { _ in },
                                         take: (Outcome) -> Void) {
        if workers <= 1 {
            var s = state()
            while let job = next() { take(work(job, &s)) }
            finish(&s)
            return
        }
        withoutActuallyEscaping(take) { take in
            let shared = OrderedShared(window: window, next: next, state: state, work: work, finish: finish, take: take)
            let group = DispatchGroup()
            for _ in 0..<workers {
                DispatchQueue.global().async(group: group) {
                    var s = shared.state()
                    while true {
                        shared.space.wait()
                        guard let (i, job) = shared.claim() else { shared.space.signal(); break }
                        shared.hand(i, shared.work(job, &s))
                    }
                    shared.finish(&s)
                }
            }
            // Everything reaches `take` before the workers finish.
            group.wait()
        }
    }
}

/// What the workers share; every mutable field is used under its lock only.
private final class OrderedShared<Job, Outcome, State>: @unchecked Sendable {
    let claimLock = Mutex<Void>(())
    let orderLock = Mutex<Void>(())
    let space: DispatchSemaphore           // jobs that may be claimed
    let next: () -> Job?                   // under claimLock only
    let take: (Outcome) -> Void            // under orderLock only
    let state: () -> State
    let work: (Job, inout State) -> Outcome
    let finish: (inout State) -> Void
    var claimed = 0, exhausted = false     // under claimLock
    var slots: [Int: Outcome] = [:]        // under orderLock
    var taken = 0                          // under orderLock

    init(window: Int, next: @escaping () -> Job?, state: @escaping () -> State, work: @escaping (Job, inout State) -> Outcome,
         finish: @escaping (inout State) -> Void, take: @escaping (Outcome) -> Void) {
        space = DispatchSemaphore(value: max(1, window))
        self.next = next
        self.state = state
        self.work = work
        self.finish = finish
        self.take = take
    }

    func claim() -> (Int, Job)? {
        claimLock.withLock { _ in
            guard !exhausted else { return nil }
            guard let job = next() else { exhausted = true; return nil }
            claimed += 1
            return (claimed - 1, job)
        }
    }

    func hand(_ i: Int, _ outcome: Outcome) {
        orderLock.withLock { _ in
            slots[i] = outcome
            while let ready = slots.removeValue(forKey: taken) {
                take(ready)
                taken += 1
                space.signal()
            }
        }
    }
}
