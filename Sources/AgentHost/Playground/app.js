// The agent-host playground: pick an agent, chat, stop, watch every session's status live (the
// daemon's session change feed), see each turn's timeline, reload mid-answer and carry on. Built on
// the browser SDK the daemon serves (/sdk/agent-chat.js).
//
// How a chat stays exactly-once across reloads: opening a chat reads the history
// (`…/messages`, which includes the part of an answer streamed so far, and the seq it is current
// through), then follows `…/out` after that seq. Nothing before it is sent again, nothing after it
// is missed; the rest of the answer lands on the message already on screen.

import { AgentChatError, AgentSessionClient, isSessionFileURL, readServerSentEvents } from "/sdk/agent-chat.js";
import { ChatView, escapeHTML, fileChip } from "/playground/chat-view.js";

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = "agent-host:secret-key";

// The daemon's start-up link carries this run's playground pass (`#pass=…`): keep it for this tab
// like a pasted key, and take it out of the address bar (and so out of the history and bookmarks).
{
  const pass = new URLSearchParams(location.hash.slice(1)).get("pass");
  if (pass) {
    sessionStorage.setItem(KEY_STORAGE, pass);
    history.replaceState(null, "", location.pathname + location.search);
  }
}
const AGENT_POLL_MS = 10000;
/** The list shows this many sessions, most recently active first (as `/playground/v1/sessions`). */
const LISTED_SESSIONS = 100;

const ui = {
  agentSelect: $("agent-select"),
  newChat: $("new-chat"),
  sessionList: $("session-list"),
  sessionCount: $("session-count"),
  accessMode: $("access-mode"),
  title: $("chat-title"),
  agentBadge: $("chat-agent"),
  chatId: $("chat-id"),
  chatParent: $("chat-parent"),
  connection: $("connection"),
  status: $("chat-status"),
  seq: $("chat-seq"),
  timelineToggle: $("timeline-toggle"),
  timeline: $("timeline"),
  timelineTurns: $("timeline-turns"),
  messages: $("messages"),
  empty: $("empty-state"),
  composer: $("composer"),
  input: $("composer-input"),
  send: $("send"),
  stop: $("stop"),
  queueHint: $("queue-hint"),
  steer: $("steer"),
  steerToggle: $("steer-toggle"),
  attach: $("attach"),
  fileInput: $("file-input"),
  attachments: $("attachments"),
  dropOverlay: $("drop-overlay"),
  keyDialog: $("key-dialog"),
  keyForm: $("key-form"),
  keyInput: $("key-input"),
  keyReason: $("key-reason"),
  toast: $("toast"),
};

const state = {
  agents: [],
  sessions: [],
  chat: null,
  secretKey: sessionStorage.getItem(KEY_STORAGE),
  attachments: [], // File objects the next message carries
};

// ---------------------------------------------------------------------------------------------
// The playground's own routes (/playground/v1): agents, sessions, tokens. They need this run's
// playground pass (from the link the daemon printed) or the secret key, kept per tab; under
// `agent-host dev` a browser on the daemon's machine needs neither.

let keyPrompt = null;

async function playground(path, init = {}) {
  return (await playgroundResponse(path, init)).json();
}

/** A playground route's response, with the pass or key this tab holds; asks for one when refused. */
async function playgroundResponse(path, init = {}) {
  const headers = { ...(init.body ? { "Content-Type": "application/json" } : {}), ...init.headers };
  if (state.secretKey) headers.Authorization = `Bearer ${state.secretKey}`;
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401 || response.status === 403) {
    const error = await AgentChatError.fromResponse(response);
    await askForKey(state.secretKey ? "That key was refused. " + error.message : error.message);
    return playgroundResponse(path, init);
  }
  if (!response.ok) throw await AgentChatError.fromResponse(response);
  return response;
}

function askForKey(reason) {
  keyPrompt ??= new Promise((resolve) => {
    ui.keyReason.textContent = reason;
    ui.keyInput.value = "";
    ui.keyDialog.showModal();
    ui.keyForm.addEventListener(
      "submit",
      () => {
        state.secretKey = ui.keyInput.value.trim();
        sessionStorage.setItem(KEY_STORAGE, state.secretKey);
        keyPrompt = null;
        showAccessMode();
        resolve();
      },
      { once: true },
    );
  });
  return keyPrompt;
}

function showAccessMode() {
  ui.accessMode.dataset.mode = state.secretKey ? "key" : "local";
  const held = state.secretKey?.startsWith("pp_") ? "playground pass" : "secret key";
  ui.accessMode.textContent = state.secretKey ? `${held} (this tab only)` : "local browser: no key needed";
}

const client = new AgentSessionClient({
  baseURL: location.origin,
  accessToken: async ({ chatId }) => {
    const issued = await playground("/playground/v1/tokens", { method: "POST", body: JSON.stringify({ chatId }) });
    return issued.publicAccessToken;
  },
});

const view = new ChatView(ui.messages, ui.empty);
view.childSession = (toolCallId) =>
  state.sessions.find((s) => s.parentChatId === state.chat?.chatId && s.toolCallId === toolCallId)?.chatId ?? null;
view.onToolAnswer = (part, answer) => answerTool(part, answer);
// Uploaded attachments are served to holders of the chat's token only: fetch them with it and
// show the bytes from an object URL (one per file, kept while the page lives).
const fileURLs = new Map();
view.fileSource = async (url) => {
  if (!isSessionFileURL(url) || !state.chat) return url;
  if (!fileURLs.has(url)) {
    fileURLs.set(url, client.fetchFile(state.chat.chatId, url).then((blob) => URL.createObjectURL(blob)));
  }
  return fileURLs.get(url);
};

// Client-side tools the page runs when the agent calls them (the demo's `getLocation`): the page
// has no GPS, so it answers with what the browser knows about where it is.
const CLIENT_TOOLS = {
  getLocation: async () => ({
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    language: navigator.language,
  }),
};

// ---------------------------------------------------------------------------------------------
// The open chat: its history, then its live output stream.

function setStatus(status) {
  ui.status.dataset.status = status ?? "none";
  ui.status.textContent = status ?? "no chat";
  const running = status === "running";
  ui.stop.hidden = !running;
  ui.send.hidden = running && !ui.input.value.trim();
  ui.steerToggle.hidden = !running;
  ui.queueHint.textContent = !running
    ? ""
    : ui.steer.checked
      ? "Messages you send now steer this answer at its next step."
      : "Messages you send now are answered after this one.";
  if (state.chat) {
    state.chat.status = status;
    const row = state.sessions.find((s) => s.chatId === state.chat.chatId);
    if (row) row.status = status;
    // Also when the row has this status already: the feed may have brought it while the list still
    // showed the open chat's previous status. An unchanged list is left alone (`renderSessions`).
    renderSessions();
  }
}

function setConnection(connection) {
  ui.connection.dataset.state = connection;
  ui.connection.title = connection === "live" ? "Output stream connected" : "Reconnecting…";
}

function showSeq(seq) {
  ui.seq.textContent = seq ? `seq ${seq}` : "";
}

/** A sub-agent's session links back to the chat whose tool call it answers (once the list knows it). */
function showParentLink(chat) {
  const parent = state.sessions.find((s) => s.chatId === chat.chatId)?.parentChatId;
  ui.chatParent.hidden = !parent;
  if (parent) {
    ui.chatParent.href = `#chat=${encodeURIComponent(parent)}`;
    ui.chatParent.textContent = `↩ sub-agent of ${parent}`;
  }
}

function showChatHeader(chat) {
  ui.agentBadge.hidden = !chat.agent;
  ui.agentBadge.textContent = chat.agent ?? "";
  ui.chatId.hidden = false;
  ui.chatId.textContent = chat.chatId;
  showParentLink(chat);
  const firstUser = view.messages.find((m) => m.role === "user");
  // The first message's text, else the names of the files it carries.
  const firstText = firstUser?.el.querySelector(".bubble")?.textContent
    || [...(firstUser?.el.querySelectorAll("[data-filename]") ?? [])].map((el) => el.dataset.filename).join(", ");
  ui.title.textContent = firstUser ? firstText.slice(0, 80) : "New chat";
  document.title = `${ui.title.textContent} · agent-host`;
  ui.input.placeholder = `Message ${chat.agent ?? "the agent"}…`;
}

async function openChat(chatId, agent) {
  state.chat?.abort.abort();
  const chat = { chatId, agent, lastSeq: 0, sent: new Map(), sending: Promise.resolve(), abort: new AbortController(), status: null };
  state.chat = chat;
  if (location.hash !== `#chat=${encodeURIComponent(chatId)}`) history.replaceState(null, "", `#chat=${encodeURIComponent(chatId)}`);
  renderSessions();
  setConnection("none");
  setStatus(null);
  showSeq(0);
  view.reset([]);
  ui.timelineTurns.replaceChildren();
  showChatHeader(chat);
  try {
    await loadHistory(chat);
    if (state.chat !== chat) return;
    loadTimeline(chat);
    follow(chat);
  } catch (error) {
    if (state.chat === chat) toast(`Cannot open ${chatId}: ${error.message}`, "error");
  }
}

/** Renders the history and remembers the seq it is current through. */
async function loadHistory(chat) {
  const [history, turn] = await Promise.all([
    client.history(chat.chatId, { signal: chat.abort.signal }),
    client.activeTurn(chat.chatId, { signal: chat.abort.signal }),
  ]);
  if (state.chat !== chat) return;
  view.reset(history.messages ?? []);
  chat.lastSeq = Math.max(chat.lastSeq, history.lastSeq ?? 0);
  showSeq(chat.lastSeq);
  setStatus(turn.status);
  if (turn.status === "running") view.resumeLast();
  showChatHeader(chat);
  view.scrollToBottom();
}

async function follow(chat) {
  const { signal } = chat.abort;
  try {
    const stream = client.follow(chat.chatId, { after: chat.lastSeq, signal, onConnection: setConnection });
    for await (const { seq, chunk } of stream) {
      if (seq !== undefined && seq <= chat.lastSeq) continue; // already on screen (history reload)
      await handle(chat, chunk);
      if (seq !== undefined) {
        chat.lastSeq = Math.max(chat.lastSeq, seq);
        showSeq(chat.lastSeq);
      }
    }
    setConnection("none");
    setStatus("closed");
  } catch (error) {
    if (!signal.aborted) {
      setConnection("none");
      toast(error.message, "error");
    }
  }
}

async function handle(chat, chunk) {
  if (chunk.type === "data-turn-start") {
    const inSeq = chunk.data?.inSeq;
    setStatus("running");
    if (!chat.sent.has(inSeq)) await chat.sending; // our own POST may not have answered yet
    if (!chat.sent.has(inSeq)) {
      // Someone else (another tab, `agent-host chat`, curl) sent this: their message is in the history.
      await loadHistory(chat);
    } else {
      view.confirm(chat.sent.get(inSeq));
    }
    view.setThinking(true);
    view.scrollToBottom();
    return;
  }
  if (chunk.type === "data-pending-message-injected") {
    // A steered message entered the running answer: the history shows it where the model read it,
    // with the answer going on after it.
    if (!chat.sent.has(chunk.data?.inSeq)) await chat.sending;
    await loadHistory(chat);
    view.setThinking(true);
    return;
  }
  if (chunk.type === "data-turn-complete") {
    view.endTurn();
    runClientTools();
    const turn = await client.activeTurn(chat.chatId).catch(() => ({ status: "idle" }));
    if (state.chat === chat) setStatus(turn.status);
    loadTimeline(chat);
    return;
  }
  if (chunk.type === "data-upgraded" || chunk.type === "data-interrupted") loadTimeline(chat);
  view.apply(chunk);
}

async function send(text, files = []) {
  if (!text.trim() && files.length === 0) return;
  if (!state.chat) {
    const created = await newChat();
    if (!created) return;
  }
  const chat = state.chat;
  // Small files travel inside the message as data URLs; larger ones are uploaded first.
  let fileParts;
  try {
    fileParts = await client.fileParts(chat.chatId, files);
  } catch (error) {
    toast(`Not sent: ${error.message}`, "error");
    return;
  }
  const parts = [...fileParts, ...(text.trim() ? [{ type: "text", text }] : [])];
  const message = { id: crypto.randomUUID(), role: "user", parts };
  view.add(message, { pending: true });
  showChatHeader(chat);
  view.scrollToBottom();
  const input = { kind: "message", message, trigger: "submit-message" };
  // While an answer runs, the toggle sends the message into it (`mode: "steer"`).
  if (chat.status === "running" && ui.steer.checked) input.mode = "steer";
  const sending = client.send(chat.chatId, input);
  chat.sending = sending.then(
    (seq) => chat.sent.set(seq, message.id),
    () => {},
  );
  try {
    await sending;
  } catch (error) {
    toast(`Not sent: ${error.message}`, "error");
    view.messages.find((m) => m.id === message.id)?.el.remove();
    view.messages = view.messages.filter((m) => m.id !== message.id);
    view.syncEmpty();
  }
}

/** Sends a person's answer to a tool call (Approve / Deny, or a client tool's output): the slim
 *  assistant message `addToolApprovalResponse` / `addToolOutput` send. Once every waiting call
 *  is answered the agent continues the same message. */
async function answerTool(part, answer) {
  const chat = state.chat;
  if (!chat) return;
  // The page shows its own answer at once; the agent does not send a client's output back.
  Object.assign(part, answer);
  view.markDirty(part);
  const message = {
    id: part.messageId, role: "assistant",
    parts: [{ type: part.type, toolCallId: part.toolCallId, ...(part.toolName ? { toolName: part.toolName } : {}), ...answer }],
  };
  const sending = client.send(chat.chatId, { kind: "message", message });
  chat.sending = sending.then((seq) => chat.sent.set(seq, part.messageId), () => {});
  try {
    await sending;
  } catch (error) {
    toast(`Answer not sent: ${error.message}`, "error");
  }
}

function runClientTools() {
  for (const part of view.waitingClientCalls(Object.keys(CLIENT_TOOLS))) {
    const name = part.type === "dynamic-tool" ? part.toolName : part.type.slice(5);
    CLIENT_TOOLS[name](part.input ?? {})
      .then((output) => answerTool(part, { state: "output-available", output }))
      .catch((error) => answerTool(part, { state: "output-error", errorText: String(error?.message ?? error) }));
  }
}

async function stop() {
  if (!state.chat) return;
  ui.stop.disabled = true;
  try {
    await client.stop(state.chat.chatId);
  } catch (error) {
    toast(`Stop failed: ${error.message}`, "error");
  } finally {
    ui.stop.disabled = false;
  }
}

async function newChat() {
  const agent = ui.agentSelect.value;
  if (!agent) {
    toast("No agent is loaded. Drop a plugin .so into the daemon's plugins directory.", "error");
    return false;
  }
  try {
    const created = await playground("/playground/v1/sessions", { method: "POST", body: JSON.stringify({ agent }) });
    client.setToken(created.chatId, created.publicAccessToken);
    state.sessions.unshift({ chatId: created.chatId, agent, status: created.status, updatedAt: new Date().toISOString() });
    await openChat(created.chatId, agent);
    ui.input.focus();
    return true;
  } catch (error) {
    toast(`Cannot start a chat: ${error.message}`, "error");
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Agents (polled while the tab is visible) and the session list, kept live by the daemon's session
// change feed (`/playground/v1/session-events`): every event carries one session as the list shows
// it, and the page upserts it. A `reset` (the first event, or after a reconnect the daemon cannot
// resume) means: list again; the events after it are applied to that list, so nothing is missed.

async function loadAgents() {
  const { agents } = await playground("/playground/v1/agents");
  state.agents = agents;
  const previous = ui.agentSelect.value;
  ui.agentSelect.replaceChildren(
    ...agents.map((agent) => {
      const option = document.createElement("option");
      option.value = agent.id;
      option.textContent = agent.version ? `${agent.id}  ·  v${agent.version}` : agent.id;
      return option;
    }),
  );
  if (agents.length === 0) {
    const option = document.createElement("option");
    option.value = "";
    option.textContent = "no agents loaded";
    ui.agentSelect.append(option);
  }
  if (agents.some((a) => a.id === previous)) ui.agentSelect.value = previous;
  ui.newChat.disabled = agents.length === 0;
}

async function refreshSessions() {
  try {
    const { data } = await playground("/playground/v1/sessions");
    state.sessions = data;
    sessionsChanged();
  } catch (error) {
    console.warn("session list", error);
  }
}

function sessionsChanged() {
  renderSessions();
  view.refreshChildLinks();
  if (state.chat) showParentLink(state.chat);
}

/** When a session last did something: its last status change or its latest message. */
function lastActivity(session) {
  const times = [session.updatedAt, session.lastMessage?.at].filter(Boolean).map((t) => new Date(t).getTime());
  return Math.max(0, ...times);
}

/** Puts a session from the feed into the list (replacing the one with its chat id), newest first. */
function upsertSession(session) {
  state.sessions = [session, ...state.sessions.filter((s) => s.chatId !== session.chatId)]
    .sort((a, b) => lastActivity(b) - lastActivity(a))
    .slice(0, LISTED_SESSIONS);
  sessionsChanged();
}

/** Follows the session change feed for as long as the page lives, reconnecting after a cut. */
async function followSessions() {
  let cursor = null;
  let failures = 0;
  for (;;) {
    try {
      const headers = { Accept: "text/event-stream", ...(cursor ? { "Last-Event-ID": cursor } : {}) };
      const response = await playgroundResponse("/playground/v1/session-events", { headers });
      for await (const event of readServerSentEvents(response.body)) {
        failures = 0;
        const change = JSON.parse(event.data);
        // Applied before the cursor moves past it: a list after a reset is part of that event.
        if (change.type === "reset") await refreshSessions();
        else if (change.type === "session") upsertSession(change.session);
        if (event.id) cursor = event.id;
      }
    } catch (error) {
      console.warn("session feed", error);
    }
    failures += 1;
    await new Promise((resolve) => setTimeout(resolve, Math.min(4000, 250 * 2 ** Math.min(failures, 4))));
  }
}

/** What the session list shows now, so a poll that changes nothing leaves the DOM alone. */
let renderedSessionsSignature = null;

function renderSessions() {
  ui.sessionCount.textContent = state.sessions.length ? String(state.sessions.length) : "";
  if (state.sessions.length === 0) {
    const empty = document.createElement("li");
    empty.className = "session-empty";
    empty.textContent = "No sessions yet. Start one above.";
    ui.sessionList.replaceChildren(empty);
    renderedSessionsSignature = null;
    return;
  }
  // The list is re-rendered on every feed event; rebuilding unchanged rows would swap the element under a person's
  // pointer mid-click (and under a test's), so only a changed list is rendered again.
  const rows = state.sessions.map((session) => ({
    session,
    status: session.chatId === state.chat?.chatId && state.chat.status ? state.chat.status : session.status,
    current: session.chatId === state.chat?.chatId,
    when: relativeTime(new Date(lastActivity(session)).toISOString()),
    preview: session.lastMessage ? `${session.lastMessage.role === "user" ? "You" : "Agent"}: ${session.lastMessage.text}` : "",
  }));
  const signature = JSON.stringify(rows.map((r) => [r.session.chatId, r.session.agent, r.status, r.current, r.when, r.preview]));
  if (signature === renderedSessionsSignature) return;
  renderedSessionsSignature = signature;
  ui.sessionList.replaceChildren(
    ...rows.map(({ session, status, current, when, preview }) => {
      const item = document.createElement("li");
      item.className = "session";
      item.dataset.chatId = session.chatId;
      item.setAttribute("aria-current", String(current));
      item.innerHTML =
        `<span class="session-name"></span><span class="status-pill" data-status="${escapeHTML(status)}">${escapeHTML(status)}</span>` +
        `<span class="session-sub"></span><span class="session-preview"></span>`;
      item.querySelector(".session-name").textContent = session.chatId;
      item.querySelector(".session-sub").textContent = `${session.agent} · ${when}`;
      item.querySelector(".session-preview").textContent = preview;
      item.querySelector(".session-preview").hidden = !preview;
      item.addEventListener("click", () => openChat(session.chatId, session.agent));
      return item;
    }),
  );
}

function relativeTime(iso) {
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

// ---------------------------------------------------------------------------------------------
// The turn timeline (`…/timeline`): per turn its steps — model, the build (generation, version)
// that served each, tokens, duration, tool calls with durations — upgrades and interruptions.

const TIMELINE_KEY = "agent-host:timeline";

function showTimeline(shown) {
  ui.timeline.hidden = !shown;
  ui.timelineToggle.setAttribute("aria-pressed", String(shown));
  localStorage.setItem(TIMELINE_KEY, shown ? "shown" : "hidden");
  if (shown && state.chat) loadTimeline(state.chat);
}

async function loadTimeline(chat) {
  if (ui.timeline.hidden) return;
  try {
    const { turns } = await client.timeline(chat.chatId, { signal: chat.abort.signal });
    if (state.chat === chat) renderTimeline(turns);
  } catch (error) {
    if (!chat.abort.signal.aborted) console.warn("timeline", error);
  }
}

function formatMs(ms) {
  if (ms == null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderTimeline(turns) {
  if (turns.length === 0) {
    ui.timelineTurns.replaceChildren(element("p", "timeline-empty", "No turns yet."));
    return;
  }
  ui.timelineTurns.replaceChildren(
    ...[...turns].reverse().map((turn) => {
      const card = element("section", "turn");
      card.dataset.inSeq = turn.inSeq;
      card.dataset.outcome = turn.outcome;
      card.dataset.steps = turn.steps.length;
      const head = element("header", "turn-head");
      head.append(
        element("span", "turn-title", `Turn · input ${turn.inSeq}`),
        element("span", "turn-outcome", turn.finishReason && turn.outcome === "finished" ? turn.finishReason : turn.outcome),
        element("span", "turn-duration", formatMs(turn.durationMs)),
      );
      const tokens = turn.steps.reduce((sum, s) => [sum[0] + s.inputTokens, sum[1] + s.outputTokens], [0, 0]);
      const summary = element("div", "turn-summary",
        `${turn.steps.length} step${turn.steps.length === 1 ? "" : "s"} · ${turn.steps.reduce((n, s) => n + s.tools.length, 0)} tool calls · ${tokens[0]} in / ${tokens[1]} out tokens`);
      card.append(head, summary);
      const events = [];
      for (let i = 0; i < turn.interruptions; i++) events.push(element("div", "turn-event interrupted", "⚡ interrupted: the daemon stopped; resumed from the last step"));
      if (turn.errorText) events.push(element("div", "turn-event error", `error: ${turn.errorText}`));
      const steps = element("ol", "turn-steps");
      turn.steps.forEach((step, index) => {
        for (const upgrade of turn.upgrades.filter((u) => u.afterStep === index && index > 0)) {
          steps.append(element("li", "turn-event upgraded", `⤴ upgraded: gen ${upgrade.fromGeneration} → gen ${upgrade.toGeneration} (v${upgrade.version})`));
        }
        const item = element("li", "step");
        item.dataset.step = step.step;
        const line = element("div", "step-line");
        line.append(
          element("span", "step-number", `step ${step.step}`),
          element("span", "step-model", step.model),
          element("span", "step-build", `gen ${step.generation} · v${step.version}`),
          element("span", "step-duration", formatMs(step.durationMs)),
        );
        const tokensLine = element("div", "step-tokens",
          `${step.inputTokens} in / ${step.outputTokens} out tokens${step.tokensReported ? "" : " (estimated)"} · ${step.finishReason}`);
        item.append(line, tokensLine);
        for (const tool of step.tools) {
          const row = element("div", "step-tool");
          row.dataset.toolName = tool.toolName;
          row.dataset.state = tool.state;
          row.append(element("span", "tool-icon", "ƒ"), element("span", "tool-name", tool.toolName),
            element("span", "tool-call-state", tool.state), element("span", "tool-duration", formatMs(tool.durationMs)));
          item.append(row);
        }
        steps.append(item);
      });
      for (const upgrade of turn.upgrades.filter((u) => u.afterStep >= turn.steps.length || u.afterStep === 0)) {
        steps.append(element("li", "turn-event upgraded", `⤴ upgraded: gen ${upgrade.fromGeneration} → gen ${upgrade.toGeneration} (v${upgrade.version})`));
      }
      card.append(...events, steps);
      return card;
    }),
  );
}

ui.timelineToggle.addEventListener("click", () => showTimeline(ui.timeline.hidden));
showTimeline(localStorage.getItem(TIMELINE_KEY) === "shown");

// ---------------------------------------------------------------------------------------------
// Small things: toast, composer behaviour, keyboard shortcuts.

let toastTimer = 0;
function toast(text, kind = "info") {
  ui.toast.textContent = text;
  ui.toast.dataset.kind = kind;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (ui.toast.hidden = true), 5000);
}

function autosize() {
  ui.input.style.height = "auto";
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 220)}px`;
  if (state.chat?.status === "running") ui.send.hidden = !ui.input.value.trim();
}

function submitComposer() {
  const text = ui.input.value;
  const files = state.attachments;
  if (!text.trim() && files.length === 0) return;
  ui.input.value = "";
  state.attachments = [];
  renderAttachments();
  autosize();
  send(text, files);
}

// ---------------------------------------------------------------------------------------------
// Attachments: the picker, drag-and-drop anywhere on the page, and the chips above the composer.

function attach(files) {
  state.attachments.push(...files);
  renderAttachments();
  ui.input.focus();
}

function renderAttachments() {
  ui.attachments.hidden = state.attachments.length === 0;
  ui.attachments.replaceChildren(
    ...state.attachments.map((file, index) => {
      const chip = fileChip(file.name, file.type, `${file.type || "unknown type"} · ${formatBytes(file.size)}`);
      if (file.type.startsWith("image/")) {
        const thumb = document.createElement("img");
        thumb.src = URL.createObjectURL(file);
        thumb.alt = "";
        chip.querySelector(".file-icon").replaceWith(thumb);
      }
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "attachment-remove";
      remove.title = `Remove ${file.name}`;
      remove.textContent = "×";
      remove.addEventListener("click", () => {
        state.attachments.splice(index, 1);
        renderAttachments();
      });
      chip.append(remove);
      return chip;
    }),
  );
}

function formatBytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${Math.round(size / 1024)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

ui.attach.addEventListener("click", () => ui.fileInput.click());
ui.fileInput.addEventListener("change", () => {
  attach([...ui.fileInput.files]);
  ui.fileInput.value = "";
});
let dragDepth = 0;
document.addEventListener("dragenter", (event) => {
  if (!event.dataTransfer?.types.includes("Files")) return;
  dragDepth += 1;
  ui.dropOverlay.hidden = false;
});
document.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) ui.dropOverlay.hidden = true;
});
document.addEventListener("dragover", (event) => event.preventDefault());
document.addEventListener("drop", (event) => {
  event.preventDefault();
  dragDepth = 0;
  ui.dropOverlay.hidden = true;
  if (event.dataTransfer?.files?.length) attach([...event.dataTransfer.files]);
});

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  submitComposer();
});
ui.input.addEventListener("input", autosize);
ui.input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submitComposer();
  }
});
ui.stop.addEventListener("click", stop);
ui.newChat.addEventListener("click", newChat);
ui.chatId.addEventListener("click", async () => {
  await navigator.clipboard?.writeText(ui.chatId.textContent).catch(() => {});
  toast("Chat id copied");
});
for (const button of document.querySelectorAll(".suggestion")) {
  button.addEventListener("click", () => send(button.dataset.text));
}
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.chat?.status === "running" && !ui.keyDialog.open) stop();
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
    event.preventDefault();
    newChat();
  }
});
window.addEventListener("hashchange", () => {
  const chatId = chatIdFromHash();
  if (chatId && chatId !== state.chat?.chatId) {
    openChat(chatId, state.sessions.find((s) => s.chatId === chatId)?.agent);
  }
});

function chatIdFromHash() {
  const match = location.hash.match(/^#chat=(.+)$/);
  return match ? decodeURIComponent(match[1]) : null;
}

async function start() {
  try {
    await loadAgents();
    showAccessMode();
    // Listed once here so a chat opened from the address knows its agent; the feed keeps it live.
    await refreshSessions();
  } catch (error) {
    toast(error.message, "error");
  }
  const chatId = chatIdFromHash();
  if (chatId) {
    await openChat(chatId, state.sessions.find((s) => s.chatId === chatId)?.agent);
  } else {
    renderSessions();
  }
  document.body.dataset.ready = "true";
  ui.input.focus();
  followSessions();
  setInterval(() => {
    if (document.visibilityState === "visible") loadAgents().catch(() => {});
  }, AGENT_POLL_MS);
}

start();
