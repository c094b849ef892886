// agent-chat.js: the browser SDK of agent-host, served by the daemon at /sdk/agent-chat.js.
//
// AgentChatTransport implements the AI SDK's ChatTransport (sendMessages, reconnectToStream),
// so useChat({ transport }) talks to a durable session over the realtime routes:
//   POST /realtime/v1/sessions/{chatId}/in    one input record, answered with its seq
//   GET  /realtime/v1/sessions/{chatId}/out   SSE, `id:` = seq; Last-Event-ID resumes after it
//   GET  /realtime/v1/sessions/{chatId}/turn  the running turn's input seq (for reconnects)
//   POST /realtime/v1/sessions/{chatId}/files an attachment's bytes, answered with its daemon URL
//   GET  /realtime/v1/sessions/{chatId}/files/{sha256}  the attachment back (read scope)
// It mirrors Trigger.dev's useTriggerChatTransport: the browser holds only a public token scoped
// to one chat; `startSession` (your server creates the session and returns its token) runs
// before the first message, `accessToken` (your server mints a fresh token) runs on 401/403.
//
// AgentSessionClient is the lower layer (send, stop, history, follow the whole session
// stream); the playground at / is built on it. No dependencies, no build step.

const DEFAULT_BASE_URL = (() => {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return "";
  }
})();

/** An error the daemon answered with (`{"error":{"code","message"}}`), or a lost stream. */
export class AgentChatError extends Error {
  constructor(message, { status = 0, code = "network" } = {}) {
    super(message);
    this.name = "AgentChatError";
    this.status = status;
    this.code = code;
  }

  static async fromResponse(response) {
    let code = `http_${response.status}`;
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && body.error) {
        code = body.error.code || code;
        message = body.error.message || message;
      }
    } catch {
      // Not our JSON error shape; keep the status line.
    }
    return new AgentChatError(message, { status: response.status, code });
  }

  /** Worth retrying: the network, a daemon restart, an overloaded proxy. */
  get isTransient() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/**
 * Reads a `text/event-stream` body. Yields `{ id, event, data }` per dispatched event; comment
 * lines (keep-alives) are skipped. Accepts `\n`, `\r\n` and `\r` line ends.
 */
export async function* readServerSentEvents(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const onAbort = () => reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  let buffer = "";
  let event = { id: undefined, event: undefined, data: [] };
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      // A trailing "\r" may be the first half of "\r\n": keep it for the next read.
      let end;
      while ((end = nextLineEnd(buffer)) !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(buffer[end] === "\r" && buffer[end + 1] === "\n" ? end + 2 : end + 1);
        if (line === "") {
          if (event.data.length > 0) yield { id: event.id, event: event.event, data: event.data.join("\n") };
          event = { id: event.id, event: undefined, data: [] };
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") event.data.push(value);
        else if (field === "id") event.id = value;
        else if (field === "event") event.event = value;
      }
    }
  } finally {
    // Also when the consumer stops early: cancelling closes the connection.
    signal?.removeEventListener("abort", onAbort);
    reader.cancel().catch(() => {});
  }
}

function nextLineEnd(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") return i;
    if (c === "\r") return i + 1 < text.length ? i : -1;
  }
  return -1;
}

function abortError(signal) {
  return signal?.reason ?? new DOMException("The operation was aborted.", "AbortError");
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** 250 ms, 500 ms, 1 s, 2 s, then 4 s between reconnects, with a little jitter. */
function backoff(failures) {
  return Math.min(4000, 250 * 2 ** Math.max(0, failures - 1)) + Math.random() * 100;
}

/** What `startSession` / `accessToken` callbacks may return: a token, or an object holding one. */
function tokenFrom(value) {
  if (typeof value === "string" && value) return value;
  const token = value?.publicAccessToken ?? value?.accessToken ?? value?.token;
  if (typeof token === "string" && token) return token;
  throw new AgentChatError("the token callback returned no token", { code: "no_token" });
}

/** clientData given as a value, or as a function of `{chatId}` (sync or async) read each time. */
async function resolveClientData(clientData, chatId) {
  return typeof clientData === "function" ? await clientData({ chatId }) : clientData;
}

/** Attachments up to this size travel inside the message as data URLs; larger ones are uploaded
 *  first (a message may be at most 1 MiB of JSON, and base64 adds a third). */
export const DEFAULT_UPLOAD_THRESHOLD = 256 * 1024;

/** The bytes of a `data:` URL as a Blob, or null for any other URL. */
export function blobFromDataURL(url) {
  const match = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(url ?? "");
  if (!match) return null;
  const mediaType = match[1] || "text/plain";
  if (!match[2]) return new Blob([decodeURIComponent(match[3])], { type: mediaType });
  const binary = atob(match[3]);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: mediaType });
}

/** A Blob as a base64 `data:` URL. */
export function dataURLFromBlob(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** Whether `url` is a file uploaded to a session of this daemon (`…/sessions/{chatId}/files/{sha256}`). */
export function isSessionFileURL(url) {
  return /^(https?:\/\/[^/]+)?\/realtime\/v1\/sessions\/[^/]+\/files\/[0-9a-f]{64}$/.test(url ?? "");
}

function randomId() {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Talks to one daemon on behalf of a browser: one public token per chat, refreshed through
 * `accessToken` when the daemon answers 401 or 403.
 */
export class AgentSessionClient {
  /**
   * @param {object} options
   * @param {string} [options.baseURL] the daemon, e.g. "http://127.0.0.1:8787" (default: where this module was loaded from)
   * @param {({chatId}) => Promise<string|{publicAccessToken}>} options.accessToken mints a fresh token for a chat
   * @param {({chatId, agent, clientData}) => Promise<string|{publicAccessToken}>} [options.startSession] creates the session
   * @param {string} [options.agent] passed to startSession
   * @param {unknown|(({chatId}) => unknown)} [options.clientData] passed to startSession (a function is called)
   * @param {Record<string,string>} [options.headers] extra headers on every request
   * @param {typeof fetch} [options.fetch]
   */
  constructor(options = {}) {
    this.baseURL = (options.baseURL ?? DEFAULT_BASE_URL).replace(/\/$/, "");
    this.accessToken = options.accessToken;
    this.startSession = options.startSession;
    this.agent = options.agent;
    this.clientData = options.clientData;
    this.headers = options.headers ?? {};
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.tokens = new Map();
    this.started = new Set();
  }

  /** Seeds a token you already hold (e.g. `publicAccessToken` from creating the session). */
  setToken(chatId, token) {
    this.tokens.set(chatId, token);
  }

  async token(chatId, { start = false } = {}) {
    const known = this.tokens.get(chatId);
    if (known) return known;
    if (start && this.startSession) return this.#start(chatId);
    return this.refresh(chatId);
  }

  async refresh(chatId) {
    if (!this.accessToken) {
      if (this.startSession) return this.#start(chatId);
      throw new AgentChatError(`no token for chat ${chatId} and no accessToken callback`, { code: "no_token" });
    }
    const token = tokenFrom(await this.accessToken({ chatId }));
    this.tokens.set(chatId, token);
    return token;
  }

  async #start(chatId) {
    const clientData = await resolveClientData(this.clientData, chatId);
    const token = tokenFrom(await this.startSession({ chatId, agent: this.agent, clientData }));
    this.started.add(chatId);
    this.tokens.set(chatId, token);
    return token;
  }

  /**
   * One authorised request for a chat. A 401/403 refreshes the token once; a 404 on the first
   * input of a chat nobody started calls `startSession` once. Non-2xx answers throw AgentChatError.
   */
  async request(chatId, path, init = {}, { start = false } = {}) {
    let refreshed = false;
    let restarted = false;
    while (true) {
      const token = await this.token(chatId, { start });
      let response;
      try {
        response = await this.fetch(this.baseURL + path, {
          ...init,
          headers: { ...this.headers, ...init.headers, Authorization: `Bearer ${token}` },
        });
      } catch (error) {
        if (init.signal?.aborted) throw abortError(init.signal);
        throw new AgentChatError(`cannot reach ${this.baseURL}: ${error.message}`, { code: "network" });
      }
      if ((response.status === 401 || response.status === 403) && !refreshed) {
        refreshed = true;
        this.tokens.delete(chatId);
        await this.refresh(chatId);
        continue;
      }
      if (response.status === 404 && start && this.startSession && !restarted && !this.started.has(chatId)) {
        restarted = true;
        await this.#start(chatId);
        continue;
      }
      if (!response.ok) throw await AgentChatError.fromResponse(response);
      return response;
    }
  }

  #path(chatId, leaf) {
    return `/realtime/v1/sessions/${encodeURIComponent(chatId)}/${leaf}`;
  }

  /**
   * Uploads one file to a chat: `{url, mediaType, size, sha256, filename?}`, where `url` is the
   * daemon URL a message's file part refers to. The daemon refuses a file over its size limit
   * (413) or of a media type it does not allow (415) and keeps nothing.
   */
  async upload(chatId, blob, { mediaType = blob.type, filename = blob.name, signal } = {}) {
    const query = filename ? `?filename=${encodeURIComponent(filename)}` : "";
    const response = await this.request(
      chatId,
      this.#path(chatId, "files") + query,
      { method: "POST", headers: { "Content-Type": mediaType || "application/octet-stream" }, body: blob, signal },
      { start: true },
    );
    return response.json();
  }

  /**
   * File parts for `files` (File or Blob objects): small ones inline as data URLs, those over
   * `threshold` bytes uploaded first and referred to by their daemon URL.
   */
  async fileParts(chatId, files, { threshold = DEFAULT_UPLOAD_THRESHOLD, signal } = {}) {
    const parts = [];
    for (const file of files) {
      const part = { type: "file", mediaType: file.type || "application/octet-stream" };
      if (file.name) part.filename = file.name;
      if (file.size > threshold) {
        part.url = (await this.upload(chatId, file, { mediaType: part.mediaType, filename: file.name, signal })).url;
      } else {
        part.url = await dataURLFromBlob(file);
      }
      parts.push(part);
    }
    return parts;
  }

  /**
   * A message ready to send: file parts whose bytes are in the browser (a `data:` URL over
   * `threshold` bytes, or a `blob:` URL) are uploaded and point at the daemon's copy instead.
   * Other parts, and https URLs (the model's provider fetches those), pass as they are.
   */
  async prepareMessage(chatId, message, { threshold = DEFAULT_UPLOAD_THRESHOLD, signal } = {}) {
    if (!message?.parts?.some((p) => p.type === "file")) return message;
    const parts = [];
    for (const part of message.parts) {
      if (part.type !== "file" || typeof part.url !== "string") {
        parts.push(part);
        continue;
      }
      let blob = null;
      if (part.url.startsWith("data:")) {
        // base64 holds 3 bytes in 4 characters: no need to decode one that is small anyway.
        if ((part.url.length - part.url.indexOf(",")) * 0.75 > threshold) blob = blobFromDataURL(part.url);
      } else if (part.url.startsWith("blob:")) {
        blob = await (await this.fetch(part.url)).blob();
      }
      if (!blob) {
        parts.push(part);
        continue;
      }
      const stored = await this.upload(chatId, blob, { mediaType: part.mediaType, filename: part.filename, signal });
      parts.push({ ...part, url: stored.url });
    }
    return { ...message, parts };
  }

  /** A file of a chat (a daemon file URL), fetched with the chat's token: a Blob. */
  async fetchFile(chatId, url, { signal } = {}) {
    const path = url.replace(/^https?:\/\/[^/]+/, "");
    const response = await this.request(chatId, path, { signal });
    return response.blob();
  }

  /** Sends one input record; resolves to its seq. Retries reuse the idempotency key. */
  async send(chatId, input, options = {}) {
    return (await this.submit(chatId, input, options)).seq;
  }

  /** As `send`, returning the whole reply: `{seq}`, plus `startsTurn: false` for an answer to tool
   *  calls that starts no turn (other calls still wait, or it was given before). */
  async submit(chatId, input, { signal, idempotencyKey = randomId() } = {}) {
    for (let failures = 0; ; failures++) {
      try {
        const response = await this.request(
          chatId,
          this.#path(chatId, "in"),
          {
            method: "POST",
            headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
            body: JSON.stringify(input),
            signal,
          },
          { start: true },
        );
        return await response.json();
      } catch (error) {
        if (!(error instanceof AgentChatError) || !error.isTransient || failures >= 4) throw error;
        await sleep(backoff(failures + 1), signal);
      }
    }
  }

  /** Asks the agent to stop the running turn. */
  stop(chatId) {
    return this.send(chatId, { kind: "stop" });
  }

  /** Drops every input waiting behind the running turn (which goes on); resolves to the seqs dropped. */
  async clearQueue(chatId) {
    return (await this.submit(chatId, { kind: "clear-queue" })).cleared ?? [];
  }

  /** The conversation as UIMessage[] plus the seq it is current through. */
  async history(chatId, { signal } = {}) {
    const response = await this.request(chatId, this.#path(chatId, "messages"), { signal });
    return response.json();
  }

  /**
   * `{chatId, turns}`: the latest turns as a timeline (`GET …/timeline`): per turn its steps
   * (model, build generation and version, tokens, duration, tool calls with durations), upgrades
   * and interruptions.
   */
  async timeline(chatId, { limit, signal } = {}) {
    const path = this.#path(chatId, "timeline") + (limit ? `?limit=${limit}` : "");
    const response = await this.request(chatId, path, { signal });
    return response.json();
  }

  /** `{status, inSeq?, lastSeq}`: the turn running (or queued next), if any. */
  async activeTurn(chatId, { signal } = {}) {
    const response = await this.request(chatId, this.#path(chatId, "turn"), { signal });
    return response.json();
  }

  /**
   * Follows the session's output stream after seq `after`, for as long as the caller iterates:
   * yields `{ seq, chunk }`. A dropped connection is resumed with `Last-Event-ID` (so nothing is
   * missed or repeated); `onConnection("live" | "reconnecting")` reports the state. Ends when
   * the session is closed; throws after `maxRetries` failed reconnects in a row.
   */
  async *follow(chatId, { after = 0, signal, onConnection, maxRetries = Infinity } = {}) {
    let last = after;
    let failures = 0;
    while (true) {
      let cleanEnd = false;
      try {
        const response = await this.request(chatId, this.#path(chatId, "out"), {
          headers: { "Last-Event-ID": String(last), Accept: "text/event-stream" },
          signal,
        });
        onConnection?.("live");
        for await (const event of readServerSentEvents(response.body, signal)) {
          failures = 0;
          const seq = event.id !== undefined ? Number(event.id) : undefined;
          if (seq !== undefined && Number.isFinite(seq)) last = seq;
          const chunk = JSON.parse(event.data);
          // In-band refresh: the daemon sends this reader a fresh token (no `id:`) before a
          // turn ends when its own nears expiry; later requests (and reconnects) use it.
          if (chunk?.type === "data-token" && typeof chunk.data?.token === "string") {
            this.tokens.set(chatId, chunk.data.token);
          }
          yield { seq, chunk };
        }
        cleanEnd = true;
      } catch (error) {
        if (signal?.aborted) throw abortError(signal);
        const transient = error instanceof AgentChatError ? error.isTransient : error instanceof TypeError;
        if (!transient) throw error;
      }
      if (signal?.aborted) throw abortError(signal);
      if (cleanEnd) {
        // The daemon ends the stream of a closed session; anything else is a cut to resume.
        const turn = await this.activeTurn(chatId, { signal }).catch(() => undefined);
        if (turn?.status === "closed") return;
      }
      failures += 1;
      if (failures > maxRetries) {
        throw new AgentChatError(`lost the stream of chat ${chatId} after ${maxRetries} reconnects`, { code: "stream_lost" });
      }
      onConnection?.("reconnecting");
      await sleep(backoff(failures), signal);
    }
  }

  /**
   * The UI message chunks of exactly one turn: the one answering input `inSeq`. Skips turns
   * queued before it, drops the host's `data-turn-*` framing, ends at its `data-turn-complete`.
   */
  async *turn(chatId, inSeq, { signal, maxRetries } = {}) {
    let started = false;
    // The last chunk before a start, when an `error`: a failed action handler's.
    let unframedError;
    for await (const { chunk } of this.follow(chatId, { after: inSeq, signal, maxRetries })) {
      const type = chunk?.type;
      if (type === "data-turn-start" || type === "data-turn-complete") {
        if (chunk.data?.inSeq !== inSeq) continue;
        if (type === "data-turn-start") {
          started = true;
          continue;
        }
        // Also without a start: an action that no turn answered ends here.
        if (!started && unframedError) yield unframedError;
        return;
      }
      // Taken by `follow`; not part of the answer.
      if (type === "data-token") continue;
      // An action's history edits precede its turn (if any): the reader reloads the messages.
      if (type === "data-history-changed" && chunk.data?.inSeq === inSeq) {
        yield chunk;
        continue;
      }
      if (started) yield chunk;
      else unframedError = type === "error" ? chunk : undefined;
    }
  }
}

/**
 * The AI SDK ChatTransport over a durable agent-host session.
 *
 *   const transport = new AgentChatTransport({
 *     baseURL: "http://127.0.0.1:8787",
 *     agent: "my-chat",
 *     accessToken: ({ chatId }) => mintChatAccessToken(chatId),
 *     startSession: ({ chatId, clientData }) => startChatSession({ chatId, clientData }),
 *   });
 *   const { messages, sendMessage, stop } = useChat({ transport, resume: true });
 *
 * sendMessages posts only the newest message (the session log holds the history) and returns
 * that turn's chunks; a newest assistant message is a person's answer to its tool calls
 * (`addToolApprovalResponse`, `addToolOutput`), and the stream continues that message; reconnectToStream replays the running turn from its `start`, or returns
 * null. stop() (the abort signal) also asks the agent to stop, unless `stopOnAbort: false`.
 *
 * `clientData` (a value, or a function of `{chatId}` returning one, read at every send) goes
 * with every input as its `metadata`, with the per-call `sendMessage(…, { metadata })` merged
 * over it (top-level keys); the agent reads it as `run.clientData`. It is also passed to
 * `startSession`. Regenerate (`regenerate({messageId})`) and edit (`sendMessage({…, messageId})`:
 * the message is replaced and what followed it answered again) work as in useChat.
 *
 * Attachments (`sendMessage({ text, files })`): a file part over `uploadThreshold` bytes (default
 * 256 KiB) is uploaded to the session first and sent as its daemon URL; smaller ones stay data URLs.
 */
export class AgentChatTransport {
  constructor(options = {}) {
    this.client = options.client ?? new AgentSessionClient(options);
    this.clientData = options.clientData ?? this.client.clientData;
    this.stopOnAbort = options.stopOnAbort ?? true;
    this.maxRetries = options.maxRetries ?? 8;
    this.uploadThreshold = options.uploadThreshold ?? DEFAULT_UPLOAD_THRESHOLD;
  }

  /** The input's metadata: the transport's clientData with the call's metadata over it. */
  async #metadata(chatId, metadata) {
    const base = await resolveClientData(this.clientData, chatId);
    if (metadata === undefined) return base;
    const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
    return isObject(base) && isObject(metadata) ? { ...base, ...metadata } : metadata;
  }

  /**
   * Sends a message while a turn runs without touching the open stream: `mode: "steer"` (the
   * default) injects it into the running turn at its next step boundary — the stream then carries
   * `data-pending-message-injected {inSeq, messageId, responseMessageId}` — and a turn that reaches
   * no boundary leaves it to be the next turn. Any `MessageConcurrency` name may be asked for.
   * Resolves to the input's seq.
   */
  async sendPendingMessage(chatId, message, { mode = "steer", metadata, signal } = {}) {
    const prepared = await this.client.prepareMessage(chatId, message, { threshold: this.uploadThreshold, signal });
    const input = { kind: "message", message: prepared, trigger: "submit-message", mode };
    const data = await this.#metadata(chatId, metadata);
    if (data !== undefined) input.metadata = data;
    return (await this.client.submit(chatId, input, { signal })).seq;
  }

  async sendMessages({ chatId, trigger, messages, messageId, metadata, abortSignal }) {
    let input;
    if (trigger === "regenerate-message") {
      input = { kind: "message", trigger: "regenerate-message" };
      if (messageId) input.messageId = messageId;
    } else {
      const newest = messages?.[messages.length - 1];
      if (!newest) throw new AgentChatError("sendMessages needs at least one message", { code: "bad_request" });
      const message = await this.client.prepareMessage(chatId, newest, { threshold: this.uploadThreshold, signal: abortSignal });
      input = { kind: "message", message, trigger: "submit-message" };
    }
    const data = await this.#metadata(chatId, metadata);
    if (data !== undefined) input.metadata = data;
    const accepted = await this.client.submit(chatId, input, { signal: abortSignal });
    if (accepted.startsTurn === false) {
      // An approval or client tool output that continues nothing yet: close the message, as
      // `/api/chat` does; the answer that completes the calls streams the continuation.
      const chunks = [{ type: "start", messageId: input.message.id }, { type: "finish", finishReason: "tool-calls" }];
      return new ReadableStream({ start(controller) { for (const chunk of chunks) controller.enqueue(chunk); controller.close(); } });
    }
    return this.#stream(chatId, accepted.seq, abortSignal, this.stopOnAbort);
  }

  async reconnectToStream({ chatId, abortSignal }) {
    let turn;
    try {
      turn = await this.client.activeTurn(chatId, { signal: abortSignal });
    } catch (error) {
      if (error instanceof AgentChatError && error.status === 404) return null;
      throw error;
    }
    if (turn.inSeq === undefined || turn.inSeq === null) return null;
    return this.#stream(chatId, turn.inSeq, abortSignal, false);
  }

  /** Stops the running turn of a chat without a useChat abort. */
  stop(chatId) {
    return this.client.stop(chatId);
  }

  /** Drops the messages queued behind the running turn; resolves to the seqs dropped. */
  clearQueue(chatId) {
    return this.client.clearQueue(chatId);
  }

  /**
   * Sends an action (`{kind: "action", action}`) with the transport's clientData as its metadata.
   * The agent's `onAction` handles it; it is not a turn unless the handler starts one. Resolves to
   * the action's chunks as a ReadableStream: `data-history-changed` when it changed the history
   * (reload it, e.g. `setMessages((await transport.client.history(chatId)).messages)`), the answer
   * when the handler started a turn, one `error` chunk when the handler failed; it closes at the
   * action's `data-turn-complete`.
   */
  async sendAction(chatId, action, { metadata, abortSignal } = {}) {
    const input = { kind: "action", action };
    const data = await this.#metadata(chatId, metadata);
    if (data !== undefined) input.metadata = data;
    const accepted = await this.client.submit(chatId, input, { signal: abortSignal });
    return this.#stream(chatId, accepted.seq, abortSignal, false);
  }

  #stream(chatId, inSeq, abortSignal, stopOnAbort) {
    const local = new AbortController();
    const onAbort = () => {
      if (stopOnAbort) this.client.stop(chatId).catch(() => {});
      local.abort(abortError(abortSignal));
    };
    if (abortSignal?.aborted) onAbort();
    else abortSignal?.addEventListener("abort", onAbort, { once: true });
    const chunks = this.client.turn(chatId, inSeq, { signal: local.signal, maxRetries: this.maxRetries });
    return new ReadableStream({
      async pull(controller) {
        try {
          const { value, done } = await chunks.next();
          if (done) {
            abortSignal?.removeEventListener("abort", onAbort);
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          abortSignal?.removeEventListener("abort", onAbort);
          controller.error(error);
        }
      },
      cancel(reason) {
        abortSignal?.removeEventListener("abort", onAbort);
        local.abort(reason);
        chunks.return?.();
      },
    });
  }
}

/** Same as `new AgentChatTransport(options)`. */
export function createAgentChatTransport(options) {
  return new AgentChatTransport(options);
}
