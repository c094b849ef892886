/*
 * agent_plugin.h — the one and only boundary between the agent-host daemon and
 * an agent plugin (.so). Version 1.1.
 *
 * Rules (see DESIGN.md §4):
 *  - A plugin exports exactly one symbol, `agent_plugin_entry_v1`.
 *  - Every struct starts with struct_size, abi_major, abi_minor and only ever
 *    grows by appending members. A reader uses a member only when it lies fully
 *    inside struct_size (AGENT_HAS) and, for function pointers, is non-NULL.
 *  - Nothing Swift crosses: data is UTF-8 JSON as (ptr, len) pairs, borrowed for
 *    the duration of the call. Whatever is handed over owned carries a release.
 *  - Async work is "start + completion callback"; every completion is called
 *    exactly once, on any thread.
 *  - Turns and tool calls are named by 64-bit ids the host chooses, not by
 *    pointers, so a late or stale callback from a plugin is a lookup miss on the
 *    host side, never a use-after-free.
 *  - Requests and results are transport-neutral JSON so the same messages can
 *    later travel over a socket to an isolated worker process.
 *
 * JSON conventions (the Swift types in AgentWire are the reference):
 *  - The host writes compact JSON with sorted keys and leaves out members whose
 *    value is absent; a reader must ignore members it does not know.
 *  - A UIMessage is {"id":string, "role":"user"|"assistant"|"system",
 *    "parts":[object, ...], "metadata"?:any}, as the AI SDK's useChat holds it;
 *    a text part is {"type":"text","text":string}.
 *  - A finish reason is one of "stop", "length", "content-filter", "tool-calls",
 *    "error", "other"; the host reads any other string as "other".
 *  - `?` below marks a member that may be absent.
 */
#ifndef AGENT_PLUGIN_H
#define AGENT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AGENT_ABI_MAJOR 1u
#define AGENT_ABI_MINOR 1u

/** Borrowed UTF-8 bytes, not NUL-terminated, valid only during the call. */
typedef struct agent_str {
    const char *ptr;
    size_t len;
} agent_str;

typedef enum agent_status {
    AGENT_OK = 0,
    AGENT_ERR_INVALID = 1,      /* malformed request or JSON */
    AGENT_ERR_UNSUPPORTED = 2,  /* unknown agent, tool or service */
    AGENT_ERR_BUSY = 3,
    AGENT_ERR_INTERNAL = 4,     /* the agent's own code threw */
    AGENT_ERR_CANCELLED = 5     /* the host cancelled the turn */
} agent_status;

typedef enum agent_log_level {
    AGENT_LOG_DEBUG = 0,
    AGENT_LOG_INFO = 1,
    AGENT_LOG_WARNING = 2,
    AGENT_LOG_ERROR = 3
} agent_log_level;

/** Completion of an asynchronous host service call; `result` is borrowed. */
typedef void (*agent_service_done_fn)(void *callback_ctx, agent_status status, agent_str result);

/** Completion of a plugin tool call; `result` is borrowed (JSON, or an error message). */
typedef void (*agent_tool_done_fn)(void *callback_ctx, agent_status status, agent_str result);

/** Services the host offers a plugin. Passed in at entry; valid for the life of the process. */
typedef struct agent_host_api {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    /** Opaque host context; pass it back unchanged on every call below. */
    void *host_ctx;
    /** Log a line under the plugin's name. */
    void (*log)(void *host_ctx, agent_log_level level, agent_str message);
    /**
     * Write one custom data part into the turn's output stream. Plugins may emit
     * only data parts; every other chunk (text, tools, steps, finish) is the host's:
     *   {"type":"data-<name>", "data":any, "id"?:string, "transient"?:true}
     * A transient part reaches live clients but is not added to the message.
     * Since ABI 1.1 a tool that runs may also report progress for its own call,
     * a preliminary output the client shows until the final one replaces it
     * (the model never sees it):
     *   {"type":"tool-output-available", "toolCallId":string, "output":any, "preliminary":true}
     * Returns AGENT_ERR_INVALID for any other JSON, AGENT_ERR_UNSUPPORTED when
     * `turn_id` is not a running turn or `toolCallId` is not a call of it that
     * is running (its `done` not yet called).
     */
    agent_status (*emit)(void *host_ctx, uint64_t turn_id, agent_str chunk_json);
    /**
     * Start a host service for a turn and get its result through `done`.
     * A non-OK return (AGENT_ERR_UNSUPPORTED: `turn_id` is not a running turn, or
     * `done` is NULL) means `done` will not be called. Otherwise `done` gets
     * AGENT_OK and the result JSON; AGENT_ERR_CANCELLED when the turn was stopped
     * or moves to a new build; AGENT_ERR_INTERNAL and a message for the user
     * when the request is malformed, the service is unknown, or the model failed.
     *
     * "model.stream": run the host-owned step loop; its chunks stream to the client.
     *   request: {"model"?:"provider:model"|"default", "system"?:string,
     *             "maxSteps":int (>= 1), "messages"?:[UIMessage], "tools"?:[tool]}
     *            (tool as in the manifest). Leaving out "messages" uses this
     *            turn's conversation; leaving out "tools" offers the agent's
     *            manifest tools. Minimal: {"maxSteps":5}.
     *   result:  {"text":string, "finishReason":reason, "steps":int,
     *             "usage"?:{"inputTokens":int, "outputTokens":int, "cachedInputTokens"?:int}}
     * "state.save": replace the session's agent state (kept with this build's version).
     *   request: {"state":any}
     *   result:  {}
     * "conversation.messages": the turn's whole conversation, for a plugin whose
     *   manifest says "messagesOnRequest" and that needs to read the past.
     *   request: {}
     *   result:  {"messages":[UIMessage]}
     * "agent.call": run another agent (any loaded plugin's, by id) as a child
     *   session of this turn's session and wait for its answer. With
     *   "toolCallId" (a running tool call of this turn, e.g. from call_tool's
     *   request) the child's answer so far streams as that call's preliminary
     *   outputs and the child is keyed by the call; without it, "key" names
     *   the call within the turn. The same call made again (a resumed turn)
     *   finds the same child and its answer: a child answers a call once.
     *   An unknown agent, a failed or stopped child, and a call past the
     *   daemon's depth or fan-out limit give AGENT_ERR_INTERNAL and a message
     *   for the calling model.
     *   request: {"agent":string, "message":string, "toolCallId"?:string, "key"?:string}
     *   result:  {"chatId":string, "text":string, "message":UIMessage}
     * "context.inject": model-only context: the model reads "text" as a user
     *   message of its own at this turn's next step boundary, or before the
     *   next turn's first model request; never a chat message. Durable when
     *   answered (its log seq is its id, as `data-context-injected` names it).
     *   request: {"text":string}
     *   result:  {"seq":int}
     * "defer.start": work to run once this turn is over ("runDeferred" through
     *   `call_hook`, within "timeoutSeconds"); the text it returns is injected
     *   before the next turn, which waits for it. Cancelled when the session
     *   closes; after a crash, recorded as failed (never run again).
     *   request: {"id":string, "timeoutSeconds":number}
     *   result:  {}
     */
    agent_status (*call_service)(void *host_ctx, uint64_t turn_id, agent_str service, agent_str request_json,
                                 void *callback_ctx, agent_service_done_fn done);
    /**
     * The turn started with `start_turn` is over. Called exactly once per turn.
     * AGENT_OK: `result_json` is {"finishReason"?:reason} (absent or not JSON
     *   reads as "stop"); the host ends the response with that reason.
     * AGENT_ERR_CANCELLED: the turn was stopped; `result_json` is ignored.
     * Any other status: `result_json` is plain text, not JSON: the error
     *   message the host shows the user.
     */
    void (*finish_turn)(void *host_ctx, uint64_t turn_id, agent_status status, agent_str result_json);
    /* append only */
} agent_host_api;

/** What a plugin offers the host; filled in by the entry function. */
typedef struct agent_plugin_api {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    /**
     * Static JSON, valid for the life of the process:
     *   {"version":string, "toolchain":string, "language"?:"swift"|"c",
     *    "messagesOnRequest"?:bool,
     *    "agents":[{"id":string, "upgrade"?:"migrate"|"drain", "maxTurnSeconds"?:number,
     *               "tools":[tool, ...]}]}
     *   tool: {"name":string, "description":string, "inputSchema"?:JSON schema, "timeoutSeconds"?:number,
     *          "cFunction"?:{"symbol":string, "params":[{"name":string, "type":ctype}],
     *                        "returns":ctype|"void"|"char*", "free"?:string},
     *          "needsApproval"?:true|false|"when", "clientSide"?:bool, "modelOutput"?:bool}
     *   ctype: "int32", "int64", "double", "bool", "const char*".
     * "version" is a label for humans; "toolchain" is agent_toolchain_id() and must
     * match the host's unless "language" is "c" (then the image must contain no
     * Swift code). At least one agent; each id must be 1-128 characters and
     * distinct within the plugin. "upgrade" is what a running turn does when a new
     * build goes live ("migrate", the default, or "drain"). A tool needs
     * "inputSchema" unless it has "cFunction", from which the host derives one;
     * a "cFunction" tool is called by the host through libffi, never `call_tool`,
     * and a "char*" result needs "free", the plugin's `void free_fn(char *)`.
     * "messagesOnRequest": true lets `start_turn` carry only the newest message
     * (the rest on request, "conversation.messages"), so that a turn's cost does
     * not grow with the chat's length; absent or false: the whole conversation.
     * "maxTurnSeconds" (a turn) and "timeoutSeconds" (one tool call) are run
     * limits, positive numbers of seconds: a turn that has not finished by then
     * ends with an error, a tool call not done by then is answered to the model
     * as a timeout error (a late `done` is ignored). Absent: the daemon's
     * defaults; a larger value is capped by the daemon (`serve --max-turn-duration`,
     * `--tool-timeout`). A turn past its limit is cancelled; one that does not
     * end then may cost its worker process (README, "Run limits").
     * "needsApproval": true makes every call of the tool wait for a person's
     * approval (the turn ends with a "tool-approval-request", the tool runs when
     * the approval arrives, possibly on a newer build); "when" asks the plugin per
     * call, through `call_tool` with "approvalCheck" (below). "clientSide": true
     * declares a tool the client runs: the host never calls it, the turn ends and
     * the client's output continues it. Both are added in ABI 1.x without a new
     * entry: a plugin that declares neither never sees an approval check.
     * "hooks" (ABI 1.1) names the `call_hook` lifecycle events the agent listens
     * to; the host calls no other. Absent: every event, when the plugin has
     * `call_hook`. ("cancelTurn", not a hook, goes to every plugin with `call_hook`.)
     * "modelOutput": true (ABI 1.1) says a call's `done` result is
     * {"output":any, "modelOutput"?:any}: the client and the stored message get
     * "output", the model gets "modelOutput" (the compact form), in this turn and
     * whenever the conversation is sent to the model again.
     * "retryable": true says a call cut off by a crash (the daemon or the worker
     * died while it ran) may run again, with the same "toolCallId" (its
     * idempotency key); absent or false: it is not run again and ends with an
     * "interrupted" tool error the model reads (README, "Tools after a crash").
     */
    agent_str manifest_json;
    /**
     * Start one turn; its end is reported through finish_turn. `request_json`:
     *   {"turnId":int, "agent":string, "chatId":string, "messages":[UIMessage],
     *    "omittedMessages"?:int, "state"?:any, "stateVersion"?:string, "resumed"?:bool,
     *    "clientData"?:any, "reason"?:reason, "turnNumber"?:int, "messageId"?:string,
     *    "totalUsage"?:usage}
     * "messages" is the whole conversation, the new user message last; for a
     * plugin whose manifest says "messagesOnRequest" it is only the newest
     * message, and "omittedMessages" counts the earlier ones left out. "state" is
     * the session's agent state as last saved, "stateVersion" the version label of
     * the build that saved it (both absent when nothing was saved). "resumed" is
     * true when the turn continues after a crash or a move to a new build; the
     * answer so far is then the last message.
     * Added in ABI 1.1 (an older plugin ignores them):
     * "clientData" is the session's creation clientData with the input's
     * "metadata" merged over it (top-level object merge). "reason" says why
     * `run` runs: "submit" (a user message, also an edited one or an answer to
     * tool calls), "regenerate", "action", "resumed" (after a crash or a lost
     * worker) or "upgraded" (moved to a new build at a step boundary).
     * "turnNumber" counts the chat's turns from 1; "messageId" is the id of the
     * newest user message, the one the turn answers; "totalUsage" is the chat's
     * token usage before this turn, {"inputTokens":int, "outputTokens":int,
     * "cachedInputTokens"?:int}, absent while no model reported any.
     * Returns AGENT_OK, or AGENT_ERR_INVALID (bad JSON), AGENT_ERR_UNSUPPORTED
     * (unknown agent), AGENT_ERR_BUSY (turn id already running); on an error
     * return finish_turn is not called.
     */
    agent_status (*start_turn)(uint64_t turn_id, agent_str request_json);
    /**
     * Ask a running turn to stop, and its running tool calls with it (ABI 1.1);
     * the turn still ends with finish_turn. Unknown ids are ignored. A 1.1 host
     * that knows why first calls `call_hook` with a "cancelTurn" event for the
     * same turn, on the same thread, right before this call (see `call_hook`).
     */
    void (*cancel_turn)(uint64_t turn_id);
    /**
     * Run a tool the agent declared. `args_json`:
     *   {"agent":string, "tool":string, "input":any, "approvalCheck"?:true,
     *    "toolCallId"?:string, "chatId"?:string, "clientData"?:any, "state"?:any}
     * "input" is the model's arguments as it wrote them, not checked against
     * "inputSchema". Since ABI 1.1 the host also sends the model's id of the call
     * ("toolCallId", which the call's preliminary outputs name, see `emit`), the
     * session ("chatId"), the client's data for the turn ("clientData": the
     * session's creation clientData with the input's metadata merged over it)
     * and the session's agent state as last saved ("state"); the last two are
     * absent when there is none. `done` gets AGENT_OK and the output as JSON (any
     * value), or another status and a plain-text error the model sees as the
     * tool's error.
     * Calls of one model step may run concurrently (the host bounds how many);
     * their outputs reach the stream in call order whatever order they end in.
     * `cancel_turn(turn_id)` also cancels the turn's running tool calls: a tool
     * should stop soon after and still call `done` (any status; the host no
     * longer waits for it). It is called when the user stops the turn and when
     * the turn moves to a new build.
     * With "approvalCheck": true (only for a tool whose manifest says
     * "needsApproval":"when") the tool must NOT run: `done` gets AGENT_OK and
     * {"needsApproval":bool} for this input. Any other answer counts as true, so
     * a plugin that cannot decide asks the person rather than running the tool.
     * A non-OK return means `done` will not be called.
     */
    agent_status (*call_tool)(uint64_t turn_id, agent_str args_json, void *callback_ctx, agent_tool_done_fn done);
    /** Cancel every task the plugin runs and call `done` once all of them have ended. */
    void (*shutdown)(void *callback_ctx, void (*done)(void *callback_ctx));
    /**
     * ABI 1.1, may be NULL (or lie beyond struct_size): a plugin without it loads
     * and gets no hooks. One lifecycle event of an agent; `done` gets AGENT_OK
     * and a JSON result ({} for every hook but "onAction", see there), or
     * another status and a plain-text error.
     * A non-OK return means `done` will not be called; AGENT_ERR_UNSUPPORTED
     * reads as "no such hook here" and is not an error. `hook_json`:
     *   {"hook":name, "agent":string, "chatId":string, "clientData"?:any,
     *    "reason"?:reason, "turnNumber"?:int, "messageId"?:string,
     *    "responseMessage"?:UIMessage, "finishReason"?:reason, "stopped"?:bool,
     *    "error"?:string, "usage"?:usage, "totalUsage"?:usage, "cancelReason"?:string,
     *    "action"?:any, "messages"?:[UIMessage], "prompt"?:[message], "deferralId"?:string}
     * (members as in `start_turn`). `turn_id` is non-zero for the events that may
     * write into the response: during the call, `emit` with that id adds data
     * parts to it. Where each fires, in the order of the session log:
     *   "onChatStart"   once per chat: the chat's first turn, after its
     *                   `data-turn-start` and a `data-chat-start` record are
     *                   committed (that record is what keeps a crash, an
     *                   eviction or a redeploy from firing it again). turn_id set.
     *   "onTurnStart"   every turn, after `data-turn-start` and `start` are
     *                   committed, before `start_turn`; not again when a cut-off
     *                   turn resumes. turn_id set.
     *   "onBeforeTurnComplete" after the turn's `finish_turn` (or its stop or
     *                   error), before the host writes `finish`/`abort`/`error`:
     *                   data parts still join the response. turn_id set.
     *   "onTurnComplete" after that closing chunk is committed, before
     *                   `data-turn-complete`, for finished, stopped (`stopped`)
     *                   and failed (`error`, finishReason "error") turns alike.
     *                   "usage" is this turn's, "totalUsage" the chat's after it.
     *   "onChatClose"   the session was closed (after its running turn ended).
     *   "onSuspend"     the idle session left the daemon's memory.
     *   "onResume"      the session was rebuilt from storage (an eviction or a
     *                   restart before), before any turn of it runs.
     *   "onAction"      an action input ({"kind":"action","action":any} on
     *                   `/in`), in the session's turn slot (after the turns
     *                   queued before it): "action" is the client's payload,
     *                   "messages" the conversation as it stands, "clientData"
     *                   as for a turn. An action is not a turn: the result
     *                   {"respond"?:bool, "history"?:[edit]} says what follows.
     *                   Each edit is {"op":"rollback","messageId":id} (keep the
     *                   messages through id, drop the rest), {"op":"remove",
     *                   "messageId":id} (drop one message) or {"op":"replace",
     *                   "message":UIMessage} (the message with that id becomes
     *                   this one); ids the history does not hold change nothing.
     *                   The host commits the edits as one `data-history-changed`
     *                   record (which readers see, and which the history folds:
     *                   /messages, the model's context and a restart agree), and
     *                   with "respond": true the turn's opening records in the
     *                   same commit; that turn runs with reason "action". Without
     *                   "respond", `data-turn-complete` ends the action. A failed
     *                   hook (or a result that is not this shape) ends it with one
     *                   `error` chunk and `data-turn-complete`, changing nothing;
     *                   an agent that does not list "onAction" answers no action.
     *                   A crash while the hook runs calls it again after the
     *                   restart (its result is committed at most once). turn_id 0.
     *   "prepareMessages" before every model request of a turn, only for an
     *                   agent whose "hooks" list names it: "prompt" is the model
     *                   context, [{"role":"user"|"assistant"|"tool", "parts":[part]}],
     *                   part {"type":"text"|"file"|"reasoning"|"tool-call"|"tool-result",
     *                   "text"?, "mediaType"?, "filename"?, "url"?, "fileRef"?,
     *                   "toolCallId"?, "toolName"?, "input"?, "output"?, "isError"?,
     *                   "signature"?, "redactedData"?}; the result {"messages":[message]}
     *                   is what the model is sent (the history keeps the
     *                   originals). A failure ends the turn. turn_id 0.
     *   "runDeferred"   not a hook: run the work "deferralId" a turn registered
     *                   ("defer.start"), once the turn is over; the result is
     *                   {"text"?:string} (absent: nothing to inject). turn_id is
     *                   the work's own: `cancel_turn` with it cancels the work.
     *                   AGENT_ERR_UNSUPPORTED: this build does not hold it.
     *   "cancelTurn"    not a hook: the reason for the `cancel_turn` that
     *                   follows: "cancelReason" is "stop" (the user stopped it)
     *                   or a host reason, "close", "upgrade", "drain", "timeout".
     * A hook that fails (non-OK `done`) in a turn ends the turn with one `error`
     * chunk; one outside a turn is logged. The host waits for `done` at most the
     * daemon's tool timeout. Events run on the agent's active build.
     */
    agent_status (*call_hook)(uint64_t turn_id, agent_str hook_json, void *callback_ctx, agent_tool_done_fn done);
    /* append only */
} agent_plugin_api;

/**
 * The one exported symbol. `host` stays valid for the life of the process; the
 * plugin fills at most `out_size` bytes of `out` and sets out->struct_size.
 */
typedef agent_status (*agent_plugin_entry_v1_fn)(const agent_host_api *host, agent_plugin_api *out, size_t out_size);

#define AGENT_PLUGIN_ENTRY_SYMBOL "agent_plugin_entry_v1"

/** True when `member` lies inside the struct the other side filled and is set. */
#define AGENT_HAS(api, member) \
    (offsetof(__typeof__(*(api)), member) + sizeof((api)->member) <= (api)->struct_size && (api)->member)

/**
 * The compiler that built this translation unit. The host and the AgentKit SDK
 * both record it; a plugin built by another toolchain is refused (Swift has no
 * stable ABI on Linux).
 */
static inline const char *agent_toolchain_id(void) {
#ifdef __VERSION__
    return __VERSION__;
#else
    return "unknown";
#endif
}

#ifdef __cplusplus
}
#endif

#endif /* AGENT_PLUGIN_H */
