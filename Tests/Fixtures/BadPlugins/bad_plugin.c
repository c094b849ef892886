/*
 * One source, several broken plugins: each -D flag builds a .so that the
 * daemon must refuse at load time (tests in RefusalTests.swift).
 *
 *   -DNO_ENTRY        exports no agent_plugin_entry_v1
 *   -DINIT_FAILS      the entry function reports failure
 *   -DWRONG_MAJOR     fills the table with ABI major 2
 *   -DOTHER_TOOLCHAIN claims to be built by another Swift toolchain
 */
#include "agent_plugin.h"
#include <string.h>

#ifndef NO_ENTRY
static const char manifest[] =
#ifdef OTHER_TOOLCHAIN
    "{\"version\":\"1\",\"toolchain\":\"Swift 5.9 (some other toolchain)\",\"agents\":[{\"id\":\"bad\",\"tools\":[]}]}";
#else
    "{\"version\":\"1\",\"toolchain\":\"unused\",\"agents\":[{\"id\":\"bad\",\"tools\":[]}]}";
#endif

static agent_status start_turn(uint64_t turn_id, agent_str request) { (void)turn_id; (void)request; return AGENT_ERR_UNSUPPORTED; }
static void cancel_turn(uint64_t turn_id) { (void)turn_id; }
static agent_status call_tool(uint64_t turn_id, agent_str args, void *ctx, agent_tool_done_fn done) {
    (void)turn_id; (void)args; (void)ctx; (void)done; return AGENT_ERR_UNSUPPORTED;
}
static void shutdown_plugin(void *ctx, void (*done)(void *)) { done(ctx); }

agent_status agent_plugin_entry_v1(const agent_host_api *host, agent_plugin_api *out, size_t out_size) {
    (void)host;
#ifdef INIT_FAILS
    (void)out; (void)out_size;
    return AGENT_ERR_INTERNAL;
#else
    if (out_size < sizeof(agent_plugin_api)) return AGENT_ERR_UNSUPPORTED;
    memset(out, 0, sizeof(*out));
    out->struct_size = sizeof(agent_plugin_api);
#ifdef WRONG_MAJOR
    out->abi_major = 2;
#else
    out->abi_major = AGENT_ABI_MAJOR;
#endif
    out->abi_minor = AGENT_ABI_MINOR;
    out->manifest_json.ptr = manifest;
    out->manifest_json.len = sizeof(manifest) - 1;
    out->start_turn = start_turn;
    out->cancel_turn = cancel_turn;
    out->call_tool = call_tool;
    out->shutdown = shutdown_plugin;
    return AGENT_OK;
#endif
}
#else
int not_a_plugin(void) { return 42; }
#endif
