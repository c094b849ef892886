import Testing
@testable import AgentHost

/// The rules that turn a catalog's record into "which build serves here" and
/// "what a rollback restores", without any database.
@Suite struct BuildDecisionsTests {
    private let decisions = BuildDecisions(order: ["chat": ["c", "b", "a"], "other": ["x"]], unrecorded: ["new"])

    @Test func theDecidedBuildIsTheMostRecentlyActivatedOne() {
        #expect(decisions.decided("chat") == "c")
        #expect(decisions.decided("other") == "x")
        #expect(decisions.decided("missing") == nil)
    }

    @Test func theTargetIsTheDecidedBuildWhenLoadedElseTheMostRecentOneThatIs() {
        #expect(decisions.target(for: "chat", loaded: ["a", "b", "c"]) == "c")
        // The decided build is missing or refused here: the newest one that loaded serves.
        #expect(decisions.target(for: "chat", loaded: ["a", "b"]) == "b")
        #expect(decisions.target(for: "chat", loaded: ["a"]) == "a")
        // A build loaded here but never recorded is no target.
        #expect(decisions.target(for: "chat", loaded: ["z"]) == nil)
        #expect(decisions.target(for: "missing", loaded: ["a"]) == nil)
    }

    @Test func aDaemonWantsEveryDecidedBuildAndEveryUnrecordedOneItLacks() {
        #expect(decisions.wanted(excluding: []) == ["c", "x", "new"])
        #expect(decisions.wanted(excluding: ["c", "new"]) == ["x"])
        // Only decided builds are fetched: older ones are fetched when a rollback decides them.
        #expect(!decisions.wanted(excluding: []).contains("b"))
        #expect(BuildDecisions(order: ["a": ["s"], "b": ["s"]], unrecorded: ["s"]).wanted(excluding: []) == ["s"])
    }

    @Test func aRollbackRestoresTheBuildActivatedBeforeTheCurrentOne() {
        #expect(decisions.rollback(agent: "chat", among: nil) == .restored(agent: "chat", sha256: "b", superseded: "c"))
        #expect(decisions.rollback(agent: "other", among: nil) == .noEarlierBuild)
        #expect(decisions.rollback(agent: "missing", among: nil) == .unknownAgent)
    }

    @Test func aRollbackAmongTheLoadedBuildsSkipsTheOnesThisDaemonLacks() {
        // "b" is missing: the one before it is restored.
        #expect(decisions.rollback(agent: "chat", among: ["a", "c"]) == .restored(agent: "chat", sha256: "a", superseded: "c"))
        // The decided "c" is missing and "b" serves: the rollback goes back from what serves.
        #expect(decisions.rollback(agent: "chat", among: ["a", "b"]) == .restored(agent: "chat", sha256: "a", superseded: "b"))
        #expect(decisions.rollback(agent: "chat", among: ["c"]) == .noEarlierBuild)
    }
}
