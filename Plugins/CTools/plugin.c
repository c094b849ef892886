/*
 * The `c-tools` agent, written in C against agent_plugin.h only.
 *
 * - The manifest says "language":"c" (no Swift toolchain check; the host checks
 *   the image holds no Swift code) and describes each tool's C signature, so the
 *   host calls the functions in tools.c through libffi: no JSON parsing here.
 * - A turn is one call of the host's "model.stream" service with a constant
 *   request: leaving out "messages" and "tools" tells the host to use this
 *   turn's conversation and the tools below. Its completion finishes the turn.
 *   Since the turn never reads the conversation, the manifest says
 *   "messagesOnRequest": start_turn then carries only the newest message.
 */
#include "agent_plugin.h"

#include <stdio.h>
#include <string.h>

/* Set once by the entry function, before the host can start any turn. */
static const agent_host_api *host;

/* Built once by the entry function; the ABI wants it valid for the process's life. */
static char manifest[4096];
static size_t manifest_length;

static const char manifest_head[] = "{\"version\":\"1.0.0\",\"language\":\"c\",\"messagesOnRequest\":true,\"toolchain\":\"";
static const char manifest_tail[] =
    "\",\"agents\":[{\"id\":\"c-tools\",\"tools\":["
    "{\"name\":\"add\",\"description\":\"Adds two numbers.\","
    "\"cFunction\":{\"symbol\":\"ctools_add\",\"params\":[{\"name\":\"a\",\"type\":\"double\"},"
    "{\"name\":\"b\",\"type\":\"double\"}],\"returns\":\"double\"}},"
    "{\"name\":\"word_count\",\"description\":\"Counts the whitespace-separated words of a text.\","
    "\"cFunction\":{\"symbol\":\"ctools_word_count\",\"params\":[{\"name\":\"text\",\"type\":\"const char*\"}],"
    "\"returns\":\"int64\"}},"
    "{\"name\":\"upper\",\"description\":\"Returns the text with ASCII letters in upper case.\","
    "\"cFunction\":{\"symbol\":\"ctools_upper\",\"params\":[{\"name\":\"text\",\"type\":\"const char*\"}],"
    "\"returns\":\"char*\",\"free\":\"ctools_free\"}}"
    "]}]}";

/* Appends `text` as the inside of a JSON string; returns 0 when it does not fit. */
static int append_json_chars(char *out, size_t size, size_t *used, const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char escaped[8];
        int n = (*p == '"' || *p == '\\') ? snprintf(escaped, sizeof escaped, "\\%c", *p)
              : (*p < 0x20)               ? snprintf(escaped, sizeof escaped, "\\u%04x", *p)
                                          : snprintf(escaped, sizeof escaped, "%c", *p);
        if (n < 0 || *used + (size_t)n >= size) return 0;
        memcpy(out + *used, escaped, (size_t)n);
        *used += (size_t)n;
    }
    return 1;
}

static int build_manifest(void) {
    size_t used = 0;
    memcpy(manifest, manifest_head, sizeof manifest_head - 1);
    used = sizeof manifest_head - 1;
    if (!append_json_chars(manifest, sizeof manifest, &used, agent_toolchain_id())) return 0;
    if (used + sizeof manifest_tail > sizeof manifest) return 0;
    memcpy(manifest + used, manifest_tail, sizeof manifest_tail); /* with its NUL */
    manifest_length = used + sizeof manifest_tail - 1;
    return 1;
}

static agent_str str(const char *text) {
    agent_str s = {text, strlen(text)};
    return s;
}

/*
 * The model call is over. Forwards its status; on success reports the
 * finishReason the host returned ({"finishReason":"stop",...}, keys sorted).
 */
static void model_stream_done(void *callback_ctx, agent_status status, agent_str result) {
    uint64_t turn_id = (uint64_t)(uintptr_t)callback_ctx;
    if (status != AGENT_OK) {
        host->finish_turn(host->host_ctx, turn_id, status, result);
        return;
    }
    static const char key[] = "\"finishReason\":\"";
    char reason[32] = "stop";
    for (size_t i = 0; result.ptr && i + sizeof key - 1 <= result.len; i++) {
        if (memcmp(result.ptr + i, key, sizeof key - 1) != 0) continue;
        size_t start = i + sizeof key - 1, n = 0;
        while (start + n < result.len && n + 1 < sizeof reason && result.ptr[start + n] != '"') n++;
        memcpy(reason, result.ptr + start, n);
        reason[n] = '\0';
        break;
    }
    char reply[64];
    snprintf(reply, sizeof reply, "{\"finishReason\":\"%s\"}", reason);
    host->finish_turn(host->host_ctx, turn_id, AGENT_OK, str(reply));
}

static agent_status start_turn(uint64_t turn_id, agent_str request_json) {
    (void)request_json; /* the host fills in this turn's conversation itself */
    if (!host) return AGENT_ERR_INTERNAL;
    return host->call_service(host->host_ctx, turn_id, str("model.stream"), str("{\"maxSteps\":5}"),
                              (void *)(uintptr_t)turn_id, model_stream_done);
}

/* Nothing runs here between callbacks: the host cancels the model call, and
 * its completion (AGENT_ERR_CANCELLED) finishes the turn. */
static void cancel_turn(uint64_t turn_id) {
    (void)turn_id;
}

/* Every tool is a C tool the host calls through libffi; none comes here. */
static agent_status call_tool(uint64_t turn_id, agent_str args_json, void *callback_ctx, agent_tool_done_fn done) {
    (void)turn_id; (void)args_json; (void)callback_ctx; (void)done;
    return AGENT_ERR_UNSUPPORTED;
}

/* The plugin owns no tasks or threads, so there is nothing to wait for. */
static void shutdown_plugin(void *callback_ctx, void (*done)(void *callback_ctx)) {
    if (done) done(callback_ctx);
}

agent_status agent_plugin_entry_v1(const agent_host_api *host_api, agent_plugin_api *out, size_t out_size) {
    if (!host_api || !out || out_size < sizeof(agent_plugin_api)) return AGENT_ERR_INVALID;
    if (host_api->abi_major != AGENT_ABI_MAJOR || !AGENT_HAS(host_api, call_service) ||
        !AGENT_HAS(host_api, finish_turn))
        return AGENT_ERR_UNSUPPORTED;
    if (!host) {
        if (!build_manifest()) return AGENT_ERR_INTERNAL;
        host = host_api;
    }
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
