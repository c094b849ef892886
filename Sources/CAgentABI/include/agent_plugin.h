/*
 * agent_plugin.h — the one and only boundary between the agent-host daemon and
 * an agent plugin (.so). Version 1.
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
 */
#ifndef AGENT_PLUGIN_H
#define AGENT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AGENT_ABI_MAJOR 1u
#define AGENT_ABI_MINOR 0u

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
    /** Emit one UI message chunk (JSON object) into the turn's output stream. */
    agent_status (*emit)(void *host_ctx, uint64_t turn_id, agent_str chunk_json);
    /**
     * Start a host service for a turn and get its result through `done`.
     * Services: "model.stream" (the host-owned step loop), "state.save".
     * A non-OK return means `done` will not be called.
     */
    agent_status (*call_service)(void *host_ctx, uint64_t turn_id, agent_str service, agent_str request_json,
                                 void *callback_ctx, agent_service_done_fn done);
    /** The turn started with `start_turn` is over. Called exactly once per turn. */
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
     * {"name":..., "version":..., "toolchain":..., "agents":[{"id":..., "tools":[...]}]}
     */
    agent_str manifest_json;
    /** Start one turn. `request_json`: {"turnId","agent","chatId","messages","state"}. */
    agent_status (*start_turn)(uint64_t turn_id, agent_str request_json);
    /** Ask a running turn to stop; it still ends with finish_turn. Unknown ids are ignored. */
    void (*cancel_turn)(uint64_t turn_id);
    /** Run a tool the agent declared. `args_json`: {"agent","tool","input"}. */
    agent_status (*call_tool)(uint64_t turn_id, agent_str args_json, void *callback_ctx, agent_tool_done_fn done);
    /** Cancel every task the plugin runs and call `done` once all of them have ended. */
    void (*shutdown)(void *callback_ctx, void (*done)(void *callback_ctx));
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
