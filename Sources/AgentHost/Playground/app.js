// The agent-host playground: pick an agent, chat, stop, watch every session's status, reload
// mid-answer and carry on. Built on the browser SDK the daemon serves (/sdk/agent-chat.js).
//
// How a chat stays exactly-once across reloads: opening a chat reads the history
// (`…/messages`, which includes the part of an answer streamed so far, and the seq it is current
// through), then follows `…/out` after that seq. Nothing before it is sent again, nothing after it
// is missed; the rest of the answer lands on the message already on screen.

import { AgentChatError, AgentSessionClient } from "/sdk/agent-chat.js";
import { renderMarkdown } from "/playground/markdown.js";

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = "agent-host:secret-key";
const SESSION_POLL_MS = 2500;

const ui = {
  agentSelect: $("agent-select"),
  newChat: $("new-chat"),
  sessionList: $("session-list"),
  sessionCount: $("session-count"),
  accessMode: $("access-mode"),
  title: $("chat-title"),
  agentBadge: $("chat-agent"),
  chatId: $("chat-id"),
  connection: $("connection"),
  status: $("chat-status"),
  seq: $("chat-seq"),
  messages: $("messages"),
  empty: $("empty-state"),
  composer: $("composer"),
  input: $("composer-input"),
  send: $("send"),
  stop: $("stop"),
  queueHint: $("queue-hint"),
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
};

// ---------------------------------------------------------------------------------------------
// The playground's own routes (/playground/v1): agents, sessions, tokens. On the daemon's machine
// they need nothing; elsewhere they need the secret key, which the user pastes once per tab.

let keyPrompt = null;

async function playground(path, init = {}) {
  const headers = { ...(init.body ? { "Content-Type": "application/json" } : {}), ...init.headers };
  if (state.secretKey) headers.Authorization = `Bearer ${state.secretKey}`;
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401 || response.status === 403) {
    const error = await AgentChatError.fromResponse(response);
    await askForKey(state.secretKey ? "That key was refused. " + error.message : error.message);
    return playground(path, init);
  }
  if (!response.ok) throw await AgentChatError.fromResponse(response);
  return response.json();
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
  ui.accessMode.textContent = state.secretKey ? "secret key (this tab only)" : "local browser: no key needed";
}

const client = new AgentSessionClient({
  baseURL: location.origin,
  accessToken: async ({ chatId }) => {
    const issued = await playground("/playground/v1/tokens", { method: "POST", body: JSON.stringify({ chatId }) });
    return issued.publicAccessToken;
  },
});

// ---------------------------------------------------------------------------------------------
// One chat on screen: its messages as the AI SDK shapes them, updated chunk by chunk.

class ChatView {
  constructor(container) {
    this.container = container;
    this.messages = [];
    this.current = null; // the assistant message chunks go to
    this.open = new Map(); // "text:<id>" → part being streamed
    this.dirty = new Set();
    this.frame = 0;
    this.thinking = null;
  }

  reset(messages) {
    for (const message of this.messages) message.el.remove();
    this.messages = [];
    this.current = null;
    this.open.clear();
    this.setThinking(false);
    for (const message of messages) this.add(message, { fromHistory: true });
    this.syncEmpty();
  }

  syncEmpty() {
    ui.empty.hidden = this.messages.length > 0 || this.thinking !== null;
  }

  add(message, { pending = false, fromHistory = false } = {}) {
    const el = document.createElement("article");
    el.className = fromHistory ? "message" : "message fresh";
    el.dataset.role = message.role;
    el.dataset.messageId = message.id;
    const model = { id: message.id, role: message.role, parts: [], el, body: null };
    if (message.role === "user") {
      const bubble = document.createElement("div");
      bubble.className = "bubble";
      bubble.textContent = (message.parts ?? []).filter((p) => p.type === "text").map((p) => p.text).join("");
      el.append(bubble);
      if (pending) el.dataset.pending = "true";
    } else {
      const avatar = document.createElement("img");
      avatar.className = "avatar";
      avatar.src = "/playground/icon.svg";
      avatar.alt = "";
      model.body = document.createElement("div");
      model.body.className = "body";
      el.append(avatar, model.body);
      for (const part of message.parts ?? []) this.addPart(model, { ...part });
    }
    this.container.insertBefore(el, this.thinking);
    this.messages.push(model);
    this.syncEmpty();
    return model;
  }

  addPart(message, part) {
    if (part.type === "step-start") return null;
    if (part.type?.startsWith("data-") && part.transient) return null;
    part.el = document.createElement(part.type?.startsWith("tool-") || part.type === "dynamic-tool" ? "details" : "div");
    message.parts.push(part);
    message.body.append(part.el);
    this.renderPart(part);
    return part;
  }

  setThinking(on) {
    if (on && !this.thinking) {
      this.thinking = document.createElement("div");
      this.thinking.className = "message";
      this.thinking.dataset.role = "assistant";
      this.thinking.innerHTML = '<img class="avatar" src="/playground/icon.svg" alt=""><div class="body"><span class="thinking"><i></i><i></i><i></i></span></div>';
      this.container.append(this.thinking);
    } else if (!on && this.thinking) {
      this.thinking.remove();
      this.thinking = null;
    }
    this.syncEmpty();
  }

  confirm(messageId) {
    const message = this.messages.find((m) => m.id === messageId);
    if (message) delete message.el.dataset.pending;
  }

  setStreaming(message, on) {
    if (message) message.el.dataset.streaming = on ? "true" : "false";
  }

  /** After a reload mid-answer the answer is the last message; its chunks continue it. */
  resumeLast() {
    const last = this.messages[this.messages.length - 1];
    if (last?.role === "assistant") {
      this.current = last;
      this.setStreaming(last, true);
    }
  }

  ensureCurrent() {
    if (!this.current) {
      const last = this.messages[this.messages.length - 1];
      this.current = last?.role === "assistant" ? last : this.add({ id: `assistant-${Date.now()}`, role: "assistant", parts: [] });
      this.setStreaming(this.current, true);
    }
    return this.current;
  }

  /** The part a delta belongs to. After a resume its start is in the history, not on the wire:
   *  then it is the message's last part of that kind still streaming. */
  openPart(kind, id) {
    const key = `${kind}:${id}`;
    let part = this.open.get(key);
    if (!part) {
      const message = this.ensureCurrent();
      part = [...message.parts].reverse().find((p) => p.type === kind && p.state === "streaming");
      part ??= this.addPart(message, { type: kind, text: "", state: "streaming" });
      this.open.set(key, part);
    }
    return part;
  }

  toolPart(toolCallId, fallbackName) {
    const message = this.ensureCurrent();
    let part = message.parts.find((p) => p.toolCallId === toolCallId);
    part ??= this.addPart(message, { type: `tool-${fallbackName ?? "tool"}`, toolCallId, state: "input-streaming" });
    return part;
  }

  apply(chunk) {
    switch (chunk.type) {
      case "start": {
        this.setThinking(false);
        for (const message of this.messages) this.setStreaming(message, false);
        this.open.clear();
        this.current = this.add({ id: chunk.messageId ?? `assistant-${Date.now()}`, role: "assistant", parts: [] });
        this.setStreaming(this.current, true);
        break;
      }
      case "start-step":
      case "finish-step":
        this.ensureCurrent();
        break;
      case "text-start":
      case "reasoning-start": {
        const kind = chunk.type.split("-")[0];
        const part = this.addPart(this.ensureCurrent(), { type: kind, text: "", state: "streaming" });
        this.open.set(`${kind}:${chunk.id}`, part);
        break;
      }
      case "text-delta":
      case "reasoning-delta": {
        const part = this.openPart(chunk.type.split("-")[0], chunk.id);
        part.text += chunk.delta;
        this.markDirty(part);
        break;
      }
      case "text-end":
      case "reasoning-end": {
        const kind = chunk.type.split("-")[0];
        const part = this.openPart(kind, chunk.id);
        part.state = "done";
        this.open.delete(`${kind}:${chunk.id}`);
        this.markDirty(part);
        break;
      }
      case "tool-input-start": {
        this.addPart(this.ensureCurrent(), {
          type: `tool-${chunk.toolName}`, toolCallId: chunk.toolCallId, state: "input-streaming", inputText: "",
        });
        break;
      }
      case "tool-input-delta": {
        const part = this.toolPart(chunk.toolCallId);
        part.inputText = (part.inputText ?? "") + chunk.inputTextDelta;
        this.markDirty(part);
        break;
      }
      case "tool-input-available":
      case "tool-input-error": {
        const part = this.toolPart(chunk.toolCallId, chunk.toolName);
        part.input = chunk.input;
        part.state = chunk.type === "tool-input-error" ? "output-error" : "input-available";
        if (chunk.errorText) part.errorText = chunk.errorText;
        this.markDirty(part);
        break;
      }
      case "tool-approval-request":
        this.updateTool(chunk.toolCallId, { state: "approval-requested" });
        break;
      case "tool-output-available":
        this.updateTool(chunk.toolCallId, { state: "output-available", output: chunk.output });
        break;
      case "tool-output-error":
        this.updateTool(chunk.toolCallId, { state: "output-error", errorText: chunk.errorText });
        break;
      case "tool-output-denied":
        this.updateTool(chunk.toolCallId, { state: "output-denied" });
        break;
      case "error":
        this.notice("error", chunk.errorText || "The agent failed.");
        break;
      case "abort":
        this.notice("stopped", "Stopped");
        this.finish();
        break;
      case "finish":
        this.finish();
        break;
      default:
        if (chunk.type?.startsWith("data-")) this.data(chunk);
    }
  }

  updateTool(toolCallId, changes) {
    const part = this.toolPart(toolCallId);
    Object.assign(part, changes);
    this.markDirty(part);
  }

  data(chunk) {
    if (chunk.type === "data-upgraded") {
      this.notice("stopped", "Continued on a new build of the agent");
      return;
    }
    if (chunk.type === "data-interrupted") {
      this.notice("stopped", "Interrupted; resuming");
      return;
    }
    if (chunk.transient) return;
    const message = this.ensureCurrent();
    const existing = chunk.id && message.parts.find((p) => p.type === chunk.type && p.id === chunk.id);
    if (existing) {
      existing.data = chunk.data;
      this.markDirty(existing);
    } else {
      this.addPart(message, { type: chunk.type, id: chunk.id, data: chunk.data });
    }
  }

  notice(kind, text) {
    const message = this.ensureCurrent();
    const el = document.createElement("div");
    el.className = `notice notice-${kind}`;
    el.textContent = text;
    message.body.append(el);
  }

  finish() {
    this.setThinking(false);
    for (const part of this.open.values()) {
      part.state = "done";
      this.markDirty(part);
    }
    this.open.clear();
    this.setStreaming(this.current, false);
    this.current = null;
  }

  /** A turn ended (turn-complete): whatever still looks live is not. */
  endTurn() {
    if (this.current) this.finish();
    this.setThinking(false);
    for (const message of this.messages) if (message.el.dataset.streaming === "true") this.setStreaming(message, false);
  }

  markDirty(part) {
    this.dirty.add(part);
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      const pinned = isPinned();
      for (const dirty of this.dirty) this.renderPart(dirty);
      this.dirty.clear();
      if (pinned) scrollToBottom();
    });
  }

  renderPart(part) {
    const el = part.el;
    if (!el) return;
    if (part.type === "text") {
      el.className = "part-text";
      el.innerHTML = renderMarkdown(part.text ?? "");
      if (!el.firstChild) el.append(document.createElement("p"));
    } else if (part.type === "reasoning") {
      el.className = "part-reasoning";
      el.textContent = part.text ?? "";
    } else if (part.type?.startsWith("tool-") || part.type === "dynamic-tool") {
      renderTool(el, part);
    } else if (part.type?.startsWith("data-")) {
      el.className = "part-data";
      el.textContent = `${part.type.slice(5)} ${JSON.stringify(part.data)}`.slice(0, 200);
    } else {
      el.remove();
    }
  }
}

const TOOL_STATES = {
  "input-streaming": "preparing…",
  "input-available": "running…",
  "approval-requested": "waiting for approval",
  "approval-responded": "answered",
  "output-available": "done",
  "output-error": "failed",
  "output-denied": "denied",
};

function renderTool(el, part) {
  const name = part.type === "dynamic-tool" ? part.toolName : part.type.slice(5);
  el.className = "part-tool";
  el.dataset.state = part.state;
  const input = part.input !== undefined ? JSON.stringify(part.input, null, 2) : part.inputText ?? "";
  const rows = [`<div>input</div><pre>${escapeHTML(input || "{}")}</pre>`];
  if (part.state === "output-available") rows.push(`<div>output</div><pre>${escapeHTML(JSON.stringify(part.output, null, 2))}</pre>`);
  if (part.errorText) rows.push(`<div>error</div><pre>${escapeHTML(part.errorText)}</pre>`);
  const open = el.open;
  el.innerHTML =
    `<summary><span class="tool-icon">ƒ</span><span class="tool-name">${escapeHTML(name)}</span>` +
    `<span class="tool-state">${TOOL_STATES[part.state] ?? escapeHTML(part.state ?? "")}</span></summary>` +
    `<div class="tool-io">${rows.join("")}</div>`;
  el.open = open;
}

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function isPinned() {
  const m = ui.messages;
  return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
}

function scrollToBottom() {
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

const view = new ChatView(ui.messages);

// ---------------------------------------------------------------------------------------------
// The open chat: its history, then its live output stream.

function setStatus(status) {
  ui.status.dataset.status = status ?? "none";
  ui.status.textContent = status ?? "no chat";
  const running = status === "running";
  ui.stop.hidden = !running;
  ui.send.hidden = running && !ui.input.value.trim();
  ui.queueHint.textContent = running ? "Messages you send now are answered after this one." : "";
  if (state.chat) {
    state.chat.status = status;
    const row = state.sessions.find((s) => s.chatId === state.chat.chatId);
    if (row && row.status !== status) {
      row.status = status;
      renderSessions();
    }
  }
}

function setConnection(connection) {
  ui.connection.dataset.state = connection;
  ui.connection.title = connection === "live" ? "Output stream connected" : "Reconnecting…";
}

function showSeq(seq) {
  ui.seq.textContent = seq ? `seq ${seq}` : "";
}

function showChatHeader(chat) {
  ui.agentBadge.hidden = !chat.agent;
  ui.agentBadge.textContent = chat.agent ?? "";
  ui.chatId.hidden = false;
  ui.chatId.textContent = chat.chatId;
  const firstUser = view.messages.find((m) => m.role === "user");
  ui.title.textContent = firstUser ? firstUser.el.textContent.slice(0, 80) : "New chat";
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
  showChatHeader(chat);
  try {
    await loadHistory(chat);
    if (state.chat !== chat) return;
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
  scrollToBottom();
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
    scrollToBottom();
    return;
  }
  if (chunk.type === "data-turn-complete") {
    view.endTurn();
    const turn = await client.activeTurn(chat.chatId).catch(() => ({ status: "idle" }));
    if (state.chat === chat) setStatus(turn.status);
    refreshSessions();
    return;
  }
  view.apply(chunk);
}

async function send(text) {
  if (!text.trim()) return;
  if (!state.chat) {
    const created = await newChat();
    if (!created) return;
  }
  const chat = state.chat;
  const message = { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] };
  view.add(message, { pending: true });
  showChatHeader(chat);
  scrollToBottom();
  const sending = client.send(chat.chatId, { kind: "message", message, trigger: "submit-message" });
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
// Agents and the session list (polled while the tab is visible; the open chat updates live).

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
    renderSessions();
  } catch (error) {
    console.warn("session list", error);
  }
}

function renderSessions() {
  ui.sessionCount.textContent = state.sessions.length ? String(state.sessions.length) : "";
  if (state.sessions.length === 0) {
    const empty = document.createElement("li");
    empty.className = "session-empty";
    empty.textContent = "No sessions yet. Start one above.";
    ui.sessionList.replaceChildren(empty);
    return;
  }
  ui.sessionList.replaceChildren(
    ...state.sessions.map((session) => {
      const item = document.createElement("li");
      item.className = "session";
      item.dataset.chatId = session.chatId;
      item.setAttribute("aria-current", String(session.chatId === state.chat?.chatId));
      const status = session.chatId === state.chat?.chatId && state.chat.status ? state.chat.status : session.status;
      item.innerHTML =
        `<span class="session-name"></span><span class="status-pill" data-status="${escapeHTML(status)}">${escapeHTML(status)}</span>` +
        `<span class="session-sub"></span>`;
      item.querySelector(".session-name").textContent = session.chatId;
      item.querySelector(".session-sub").textContent = `${session.agent} · ${relativeTime(session.updatedAt)}`;
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
  if (!text.trim()) return;
  ui.input.value = "";
  autosize();
  send(text);
}

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
  setInterval(() => {
    if (document.visibilityState === "visible") refreshSessions();
  }, SESSION_POLL_MS);
  setInterval(() => {
    if (document.visibilityState === "visible") loadAgents().catch(() => {});
  }, SESSION_POLL_MS * 4);
}

start();
