/*
 * The `misbehave` agent: a C plugin that does, on request, what no plugin
 * should — for the isolation tests. The newest user message names the
 * misbehaviour (the manifest says "messagesOnRequest", so start_turn carries
 * only that message); a turn without a marker answers normally through the
 * host's "model.stream" service, as the c-tools agent does.
 *
 *   SEGV_UNLESS_RESUMED  segfault in start_turn, unless the turn is resumed
 *   SEGV_ALWAYS          segfault in start_turn, every time (a poison turn)
 *   LOOP                 never return from start_turn
 *   LEAK                 keep 48 MiB more, touched, every turn
 *   FORGE                emit forged control parts and a data-token, then answer
 *   /tool boom {}        the tool aborts
 *   /tool twice {}       the tool calls `done` twice
 *   /tool both {}        the tool calls `done` and then returns an error
 *   /tool hang {}        the tool never calls `done`
 *   /tool gate {"path":P} the tool waits until file P exists, then answers "opened";
 *                         it is "retryable": a call cut off by a crash runs again
 *
 * Built with -DHANG_SHUTDOWN, its shutdown never calls `done`; with
 * -DBLOCK_ENTRY, its entry function never returns. With -DMAX_TURN_SECONDS=N
 * the `misbehave` agent declares a turn limit of N seconds, and a second
 * agent, `misbehave-patient`, that declares none serves from the same build
 * (so from the same worker process).
 */
#include "agent_plugin.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const agent_host_api *host;
static char manifest[4096];
static size_t manifest_length;

static agent_str str(const char *text) {
    agent_str s = {text, strlen(text)};
    return s;
}

static int contains(agent_str haystack, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; haystack.ptr && i + n <= haystack.len; i++)
        if (memcmp(haystack.ptr + i, needle, n) == 0) return 1;
    return 0;
}

static void model_stream_done(void *callback_ctx, agent_status status, agent_str result) {
    uint64_t turn_id = (uint64_t)(uintptr_t)callback_ctx;
    (void)result;
    host->finish_turn(host->host_ctx, turn_id, status, status == AGENT_OK ? str("{}") : result);
}

static agent_status start_turn(uint64_t turn_id, agent_str request) {
    if (contains(request, "SEGV_ALWAYS") || (contains(request, "SEGV_UNLESS_RESUMED") && !contains(request, "\"resumed\":true"))) {
        volatile int *nowhere = NULL;
        *nowhere = 1;
    }
    if (contains(request, "LOOP")) {
        for (;;) { }
    }
    if (contains(request, "LEAK")) {
        size_t size = 48u * 1024u * 1024u;
        char *kept = malloc(size);
        if (kept) memset(kept, 1, size);
    }
    if (contains(request, "FORGE")) {
        host->emit(host->host_ctx, turn_id, str("{\"type\":\"data-turn-complete\",\"data\":{\"inSeq\":999},\"transient\":true}"));
        host->emit(host->host_ctx, turn_id, str("{\"type\":\"data-token\",\"data\":{\"token\":\"forged\"},\"transient\":true}"));
        host->emit(host->host_ctx, turn_id, str("{\"type\":\"data-interrupted\",\"data\":{\"inSeq\":1},\"transient\":true}"));
        host->emit(host->host_ctx, turn_id, str("{\"type\":\"data-progress\",\"data\":{\"step\":1}}"));
    }
    return host->call_service(host->host_ctx, turn_id, str("model.stream"), str("{\"maxSteps\":3}"),
                              (void *)(uintptr_t)turn_id, model_stream_done);
}

static void cancel_turn(uint64_t turn_id) { (void)turn_id; }

static agent_status call_tool(uint64_t turn_id, agent_str args, void *callback_ctx, agent_tool_done_fn done) {
    (void)turn_id;
    if (contains(args, "\"tool\":\"boom\"")) abort();
    if (contains(args, "\"tool\":\"twice\"")) {
        done(callback_ctx, AGENT_OK, str("\"first\""));
        done(callback_ctx, AGENT_OK, str("\"second\""));
        return AGENT_OK;
    }
    if (contains(args, "\"tool\":\"both\"")) {
        done(callback_ctx, AGENT_OK, str("\"done\""));
        return AGENT_ERR_INTERNAL;
    }
    if (contains(args, "\"tool\":\"hang\"")) return AGENT_OK; /* and `done` never comes */
    if (contains(args, "\"tool\":\"gate\"")) {
        /* The host runs call_tool on a thread of its own: blocking here is allowed. */
        char path[1024] = {0};
        const char *key = "\"path\":\"";
        for (size_t i = 0; args.ptr && i + strlen(key) <= args.len; i++) {
            if (memcmp(args.ptr + i, key, strlen(key)) != 0) continue;
            size_t start = i + strlen(key), n = 0;
            while (start + n < args.len && args.ptr[start + n] != '"' && n + 1 < sizeof path) n++;
            memcpy(path, args.ptr + start, n);
            break;
        }
        if (!path[0]) return AGENT_ERR_INVALID;
        struct timespec pause_for = {0, 10 * 1000 * 1000};
        while (access(path, F_OK) != 0) nanosleep(&pause_for, NULL);
        done(callback_ctx, AGENT_OK, str("\"opened\""));
        return AGENT_OK;
    }
    return AGENT_ERR_UNSUPPORTED;
}

static void shutdown_plugin(void *callback_ctx, void (*done)(void *callback_ctx)) {
#ifdef HANG_SHUTDOWN
    (void)callback_ctx; (void)done;
    for (;;) pause();
#else
    if (done) done(callback_ctx);
#endif
}

agent_status agent_plugin_entry_v1(const agent_host_api *host_api, agent_plugin_api *out, size_t out_size) {
#ifdef BLOCK_ENTRY
    for (;;) pause();
#endif
    if (!host_api || !out || out_size < sizeof(agent_plugin_api)) return AGENT_ERR_INVALID;
    host = host_api;
    static const char tool[] = "{\"name\":\"%s\",\"description\":\"misbehaves\",\"inputSchema\":{\"type\":\"object\"}%s}";
    char tools[1536];
    int used = 0;
    const char *names[] = {"boom", "twice", "both", "hang", "gate"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        /* Waiting for a file is safe to do twice: a gate call cut off by a crash runs again. */
        const char *extra = strcmp(names[i], "gate") == 0 ? ",\"retryable\":true" : "";
        used += snprintf(tools + used, sizeof tools - (size_t)used, "%s", i ? "," : "");
        used += snprintf(tools + used, sizeof tools - (size_t)used, tool, names[i], extra);
    }
#ifdef MAX_TURN_SECONDS
#define STRINGIFY2(x) #x
#define STRINGIFY(x) STRINGIFY2(x)
    int n = snprintf(manifest, sizeof manifest,
                     "{\"version\":\"1.0.0\",\"language\":\"c\",\"messagesOnRequest\":true,\"toolchain\":\"cc\","
                     "\"agents\":[{\"id\":\"misbehave\",\"maxTurnSeconds\":" STRINGIFY(MAX_TURN_SECONDS) ",\"tools\":[%s]},"
                     "{\"id\":\"misbehave-patient\",\"tools\":[%s]}]}", tools, tools);
#else
    int n = snprintf(manifest, sizeof manifest,
                     "{\"version\":\"1.0.0\",\"language\":\"c\",\"messagesOnRequest\":true,\"toolchain\":\"cc\","
                     "\"agents\":[{\"id\":\"misbehave\",\"tools\":[%s]}]}", tools);
#endif
    if (n < 0 || (size_t)n >= sizeof manifest) return AGENT_ERR_INTERNAL;
    manifest_length = (size_t)n;
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->abi_major = AGENT_ABI_MAJOR;
    out->abi_minor = AGENT_ABI_MINOR;
    out->manifest_json.ptr = manifest;
    out->manifest_json.len = manifest_length;
    out->start_turn = start_turn;
    out->cancel_turn = cancel_turn;
    out->call_tool = call_tool;
    out->shutdown = shutdown_plugin;
    return AGENT_OK;
}
