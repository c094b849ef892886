import AgentWire
import CAgentABI
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The worker process (`agent-host worker`): loads one plugin build from the
/// daemon's store and runs its turns and tools for the daemon, over the socket
/// on fd 3. It checks nothing the daemon did not check already, keeps no
/// durable state, and dies with the daemon.
public enum PluginWorker {
    /// The descriptor the daemon hands the worker its end of the socket on.
    public static let socketDescriptor: Int32 = 3

    /// Runs until the daemon closes the socket or asks it to shut down.
    /// - Parameters:
    ///   - storePath: The store copy the daemon verified (`store/<agent>/<sha256>.so`).
    ///   - name: The plugin's name (the dropped file's, without `lib` and `.so`).
    ///   - sha256: The build's content hash, as the daemon computed it.
    ///   - logger: Where the worker and the plugin's `log` write (the daemon's stderr).
    /// - Returns: The process exit status.
    public static func run(storePath: String, name: String, sha256: String, logger: Logger) -> Int32 {
        watchParent()
        let connection = WorkerConnection(fd: socketDescriptor)
        let callbacks = WorkerTurnCallbacks(connection: connection)
        let plugin: LoadedPlugin
        do {
            guard let data = FileManager.default.contents(atPath: storePath) else {
                throw PluginRefusal(file: name, reason: "the worker cannot read \(storePath)", sha256: sha256)
            }
            let file = VerifiedPluginFile(name: name, sourcePath: storePath, bytes: [UInt8](data), sha256: sha256)
            plugin = try PluginLoader(logger: logger, turns: callbacks).load(storePath: storePath, file: file)
        } catch let refusal as PluginRefusal {
            connection.send(WorkerFrame(.refused, text: refusal.reason))
            return 1
        } catch {
            connection.send(WorkerFrame(.refused, text: "\(error)"))
            return 1
        }
        guard let manifest = try? WireCoding.encodeString(plugin.manifest) else {
            connection.send(WorkerFrame(.refused, text: "the worker cannot encode the manifest"))
            return 1
        }
        connection.send(WorkerFrame(.hello, status: plugin.hasHooks ? WorkerFrame.helloHasHooks : 0, text: manifest))

        let served = WorkerRequests(plugin: plugin, callbacks: callbacks, connection: connection)
        _ = connection.readLoop { frame in served.handle(frame) }
        // The daemon closed the socket: it stopped, died or gave up on this
        // worker. Returning exits the process, whatever plugin threads still run:
        // a worker never outlives the daemon that owns its turns.
        return 0
    }

    /// Ends the worker when the daemon is gone, even while plugin code holds
    /// every other thread (an entry function that blocks never lets the
    /// socket's end-of-file be read). A thread of its own checks the parent
    /// once a second; `PR_SET_PDEATHSIG` would not do, since it fires when the
    /// daemon *thread* that started the worker ends, and pool threads come and go.
    private static func watchParent() {
        let parent = getppid()
        let watcher = Thread {
            while getppid() == parent { sleep(1) }
            _exit(0)
        }
        watcher.name = "parent-watch"
        watcher.start()
    }
}

/// What a worker does with each frame from the daemon.
private struct WorkerRequests: Sendable {
    let plugin: LoadedPlugin
    let callbacks: WorkerTurnCallbacks
    let connection: WorkerConnection

    func handle(_ frame: WorkerFrame) {
        switch frame.kind {
        case .startTurn:
            let turnId = frame.turnId
            let json = frame.text
            // Registered before the call: the plugin may write into the turn
            // before `start_turn` returns.
            callbacks.begin(turnId: turnId)
            PluginCalls.detach { [plugin, callbacks, connection] in
                let status = plugin.startTurn(turnId: turnId, json: json)
                if status != AGENT_OK { callbacks.end(turnId: turnId) }
                connection.send(WorkerFrame(.turnStarted, status: status.rawValue, turnId: turnId))
            }
        case .cancelTurn:
            // The reason on this reader thread, before the next frame (the
            // cancelled model call's answer) is read; `cancel_turn` as ever.
            if !frame.payload.isEmpty { plugin.tellCancelReason(frame.turnId, json: frame.text) }
            plugin.cancelTurnDetached(frame.turnId)
        case .callHook:
            let turnId = frame.turnId
            // A hook that may write into the turn: its id is live while it runs.
            let opened = turnId != 0 && callbacks.begin(turnId: turnId)
            Task { [plugin, callbacks, connection] in
                let reply = await plugin.callHook(turnId: turnId, json: frame.text)
                if opened { callbacks.end(turnId: turnId) }
                connection.send(WorkerFrame(.hookDone, status: reply.0.rawValue, callId: frame.callId, text: reply.1))
            }
        case .callTool:
            Task { [plugin, connection] in
                let reply: (agent_status, String)
                if let request = try? WireCoding.decode(ToolCallRequest.self, from: frame.text) {
                    reply = await plugin.callTool(turnId: frame.turnId, request)
                } else {
                    reply = (AGENT_ERR_INVALID, "malformed tool call")
                }
                connection.send(WorkerFrame(.toolDone, status: reply.0.rawValue, callId: frame.callId, text: reply.1))
            }
        case .serviceDone:
            callbacks.serviceDone(callId: frame.callId, status: agent_status(rawValue: frame.status), result: frame.text)
        case .shutdown:
            Task { [plugin, connection] in
                // The daemon enforces its own deadline and kills a worker that overruns it.
                await plugin.retire(deadline: .seconds(3600))
                connection.send(WorkerFrame(.shutdownDone))
                exit(0)
            }
        case .hello, .refused, .turnStarted, .emit, .callService, .finishTurn, .toolDone, .shutdownDone, .hookDone:
            // Frames only a worker sends; a daemon never does.
            break
        }
    }
}
