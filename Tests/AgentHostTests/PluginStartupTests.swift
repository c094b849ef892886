@testable import AgentHost
import Testing

@Suite struct PluginStartupTests {
    @Test func waitersGoOnWhenTheStartupBuildsAreLoaded() async {
        let startup = PluginStartup()
        await startup.wait()  // never begun: nothing to wait for
        startup.begin()
        let waiter = Task { await startup.wait(); return startup.isLoading }
        startup.finish()
        #expect(await waiter.value == false)
    }

    @Test func aCancelledWaiterGoesOnWhileTheBuildsStillLoad() async {
        let startup = PluginStartup()
        startup.begin()
        let waiter = Task { await startup.wait(); return startup.isLoading }
        waiter.cancel()
        // Without cancellation support this would wait for a `finish()` that never comes.
        #expect(await waiter.value == true)
    }
}
