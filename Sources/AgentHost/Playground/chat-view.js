// The playground's chat pane: one chat's messages as the AI SDK shapes them (UIMessage parts),
// built from the history and then updated chunk by chunk from the output stream. Text is
// re-rendered at most once per animation frame, however fast the deltas come.

import { renderMarkdown } from "/playground/markdown.js";

export class ChatView {
  constructor(container, emptyState) {
    this.container = container;
    this.emptyState = emptyState;
    this.messages = [];
    this.current = null; // the assistant message chunks go to
    this.open = new Map(); // "text:<id>" → part being streamed
    this.dirty = new Set();
    this.frame = 0;
    this.thinking = null;
    // Turns a file part's URL into one an <img> can show: a daemon file URL needs the chat's
    // token, so the page fetches it (app.js sets this); data and https URLs show as they are.
    this.fileSource = async (url) => url;
    // The sub-agent session a tool call created, by toolCallId, or null (set by the page,
    // which knows the session list).
    this.childSession = () => null;
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
    this.emptyState.hidden = this.messages.length > 0 || this.thinking !== null;
  }

  add(message, { pending = false, fromHistory = false } = {}) {
    const el = document.createElement("article");
    el.className = fromHistory ? "message" : "message fresh";
    el.dataset.role = message.role;
    el.dataset.messageId = message.id;
    const model = { id: message.id, role: message.role, parts: [], el, body: null };
    if (message.role === "user") {
      const files = (message.parts ?? []).filter((p) => p.type === "file");
      if (files.length > 0) {
        const strip = document.createElement("div");
        strip.className = "message-files";
        for (const file of files) strip.append(this.attachment(file));
        el.append(strip);
      }
      const text = (message.parts ?? []).filter((p) => p.type === "text").map((p) => p.text).join("");
      if (text || files.length === 0) {
        const bubble = document.createElement("div");
        bubble.className = "bubble";
        bubble.textContent = text;
        el.append(bubble);
      }
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

  /** One attached file of a user message: the image itself, or a chip with its name and type. */
  attachment(file) {
    const name = file.filename || file.mediaType || "file";
    if (file.mediaType?.startsWith("image/")) {
      const img = document.createElement("img");
      img.className = "attachment-image";
      img.alt = name;
      img.title = name;
      img.dataset.filename = name;
      this.fileSource(file.url).then((src) => { img.src = src; }, () => { img.alt = `${name} (cannot load)`; });
      return img;
    }
    return fileChip(name, file.mediaType, null);
  }

  addPart(message, part) {
    if (part.type === "step-start") return null;
    if (part.type?.startsWith("data-") && part.transient) return null;
    part.el = document.createElement(part.type?.startsWith("tool-") || part.type === "dynamic-tool" ? "details" : "div");
    part.messageId = message.id;
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
        // An answer to tool approvals continues the message that asked (same messageId).
        const continued = chunk.messageId && this.messages.find((m) => m.id === chunk.messageId && m.role === "assistant");
        this.current = continued || this.add({ id: chunk.messageId ?? `assistant-${Date.now()}`, role: "assistant", parts: [] });
        this.finishReason = null;
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
        this.updateTool(chunk.toolCallId, { state: "approval-requested", approval: { id: chunk.approvalId } });
        break;
      case "tool-output-available": {
        const changes = { state: "output-available", output: chunk.output, preliminary: chunk.preliminary === true };
        // A sub-agent's progress arrives as snapshots of its answer; keep the last one to show
        // inside the card even after the final output (which the agent may shape to plain text).
        if (isMessageSnapshot(chunk.output)) changes.subAgent = chunk.output;
        this.updateTool(chunk.toolCallId, changes);
        break;
      }
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
        this.finishReason = chunk.finishReason ?? null;
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
    this.lastAnswer = this.current;
    this.current = null;
  }

  /** A turn ended (turn-complete): whatever still looks live is not. */
  endTurn() {
    if (this.current) this.finish();
    this.setThinking(false);
    for (const message of this.messages) if (message.el.dataset.streaming === "true") this.setStreaming(message, false);
  }

  /** Whether the reader is at the bottom, so new text should keep it there. */
  isPinned() {
    const m = this.container;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
  }

  scrollToBottom() {
    this.container.scrollTop = this.container.scrollHeight;
  }

  markDirty(part) {
    this.dirty.add(part);
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      const pinned = this.isPinned();
      for (const dirty of this.dirty) this.renderPart(dirty);
      this.dirty.clear();
      if (pinned) this.scrollToBottom();
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
      // Live, the snapshots name their session; after a reload the page's session list does.
      const child = part.subAgent?.metadata?.subAgent?.chatId ?? this.childSession(part.toolCallId);
      part.childLinked = Boolean(child);
      renderTool(el, part, child);
      if (part.state === "approval-requested" && this.onToolAnswer) this.addApprovalButtons(part);
    } else if (part.type?.startsWith("data-")) {
      el.className = "part-data";
      el.textContent = `${part.type.slice(5)} ${JSON.stringify(part.data)}`.slice(0, 200);
    } else {
      el.remove();
    }
  }
}

/** Renders again the tool cards whose sub-agent session the page has learnt of since. */
ChatView.prototype.refreshChildLinks = function () {
  for (const message of this.messages) {
    for (const part of message.parts) {
      if (part.toolCallId && !part.childLinked && this.childSession(part.toolCallId)) this.markDirty(part);
    }
  }
};

/** Approve / Deny for a call waiting for approval; the answer goes to `onToolAnswer`. */
ChatView.prototype.addApprovalButtons = function (part) {
  const actions = document.createElement("div");
  actions.className = "tool-actions";
  for (const [label, approved] of [["Approve", true], ["Deny", false]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.className = approved ? "approve" : "deny";
    button.addEventListener("click", () => {
      part.state = "approval-responded";
      part.approval = { ...part.approval, approved };
      this.markDirty(part);
      this.onToolAnswer(part, { state: "approval-responded", approval: part.approval });
    });
    actions.append(button);
  }
  part.el.open = true;
  part.el.append(actions);
};

/** Calls of the answer that just ended which wait for the page (client-side tools). */
ChatView.prototype.waitingClientCalls = function (names) {
  if (this.finishReason !== "tool-calls" || !this.lastAnswer) return [];
  return this.lastAnswer.parts.filter((p) => p.state === "input-available" && names.includes(toolName(p)));
};

function toolName(part) {
  return part.type === "dynamic-tool" ? part.toolName : part.type.slice(5);
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

/** Whether a tool output is a UIMessage snapshot: what a sub-agent call streams as its progress. */
function isMessageSnapshot(output) {
  return output !== null && typeof output === "object" && output.role === "assistant" && Array.isArray(output.parts);
}

/** A sub-agent's answer so far, small, inside its parent's tool card. */
function subAgentTranscript(snapshot) {
  const lines = snapshot.parts.map((p) => {
    if (p.type === "text") return `<div class="sub-text">${renderMarkdown(p.text ?? "")}</div>`;
    if (p.type?.startsWith("tool-") || p.type === "dynamic-tool") {
      return `<div class="sub-tool">ƒ ${escapeHTML(toolName(p))} · ${escapeHTML(TOOL_STATES[p.state] ?? p.state ?? "")}</div>`;
    }
    return "";
  });
  return `<div class="sub-agent">${lines.join("") || "<div class=\"sub-text\">…</div>"}</div>`;
}

/**
 * A tool call as a collapsible card.
 * @param childChatId the sub-agent session the call created, linked from the card; null for none.
 */
function renderTool(el, part, childChatId) {
  const name = toolName(part);
  el.className = "part-tool";
  el.dataset.state = part.state;
  el.dataset.preliminary = String(part.preliminary === true);
  const input = part.input !== undefined ? JSON.stringify(part.input, null, 2) : part.inputText ?? "";
  const rows = [`<div>input</div><pre>${escapeHTML(input || "{}")}</pre>`];
  if (part.subAgent) rows.push(`<div>sub-agent</div>${subAgentTranscript(part.subAgent)}`);
  if (part.state === "output-available" && !part.preliminary) {
    rows.push(`<div>output</div><pre>${escapeHTML(JSON.stringify(part.output, null, 2))}</pre>`);
  }
  if (part.errorText) rows.push(`<div>error</div><pre>${escapeHTML(part.errorText)}</pre>`);
  if (childChatId) {
    rows.push(`<a class="child-link" href="#chat=${encodeURIComponent(childChatId)}">open the sub-agent's session ${escapeHTML(childChatId)} ↗</a>`);
  }
  // A sub-agent at work opens its card once, so a person sees it think; after that the
  // person decides whether it stays open.
  const open = el.open || (part.subAgent && !el.dataset.openedForSubAgent);
  if (part.subAgent) el.dataset.openedForSubAgent = "true";
  const state = part.preliminary ? "working…" : TOOL_STATES[part.state] ?? escapeHTML(part.state ?? "");
  el.innerHTML =
    `<summary><span class="tool-icon">ƒ</span><span class="tool-name">${escapeHTML(name)}</span>` +
    `<span class="tool-state">${state}</span></summary>` +
    `<div class="tool-io">${rows.join("")}</div>`;
  el.open = open;
}

/** A file chip: a small type badge (or thumbnail), the name and a line of detail. */
export function fileChip(name, mediaType, detail) {
  const chip = document.createElement("span");
  chip.className = "attachment";
  chip.dataset.filename = name;
  const icon = document.createElement("span");
  icon.className = "file-icon";
  icon.textContent = (name.includes(".") ? name.split(".").pop() : (mediaType ?? "file").split("/").pop()).slice(0, 4);
  const text = document.createElement("span");
  text.className = "attachment-text";
  const title = document.createElement("span");
  title.className = "attachment-name";
  title.textContent = name;
  const meta = document.createElement("span");
  meta.className = "attachment-meta";
  meta.textContent = detail ?? mediaType ?? "";
  text.append(title, meta);
  chip.append(icon, text);
  return chip;
}

export function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
