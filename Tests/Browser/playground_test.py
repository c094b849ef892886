#!/usr/bin/env python3
"""Drives the agent-host playground in headless Chromium (Selenium), as a person would.

Usage: playground_test.py [--approvals | --attachments | --subagents] BASE_URL SCREENSHOT_DIR [KEYED_BASE_URL SECRET_KEY]
(--approvals: the human-in-the-loop run against a daemon serving tools-demo;
 --attachments: attach files with the picker and by drag-and-drop, send, reload;
 --subagents: an orchestrator delegating to its researcher, watched inside the tool card)

Run by BrowserPlaygroundTests (Tests/IntegrationTests) against a real daemon started with
AGENT_HOST_SCRIPTED_DELAY_MS≈50, so `/slow 40` streams for about two seconds. Exits non-zero
with a message on the first broken expectation; exits 2 when Chromium, chromedriver or Selenium
is missing (never skips quietly).
"""

import json
import os
import shutil
import sys
import time
import urllib.parse
import urllib.request

EXPECTED_SLOW = " ".join(str(n) for n in range(1, 41))


def fail(message, code=1):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(code)


try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as error:
    fail(f"Selenium is not installed ({error}); .ci/run installs it with `pip install selenium`", 2)


def find_binary(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def make_driver():
    chromium = find_binary("chromium", "chromium-browser", "google-chrome")
    driver_path = find_binary("chromedriver")
    if not chromium or not driver_path:
        fail("headless Chromium is missing: install Debian's `chromium` and `chromium-driver` "
             "(.ci/run does: apt-get install -y chromium chromium-driver)", 2)
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1366,860", "--force-device-scale-factor=1", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit chromedriver path: Selenium must not try to download one.
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


class Playground:
    def __init__(self, driver, url, shots):
        """`url` is the daemon's base URL, or the playground link of its banner (`…/#pass=pp_…`)."""
        self.driver = driver
        base_url, _, fragment = url.partition("#")
        self.base_url = base_url.rstrip("/")
        self.playground_pass = fragment[len("pass="):] if fragment.startswith("pass=") else None
        self.shots = shots

    def open_pass_link(self):
        """Opens the banner's link once, as the person who started the daemon would: the page keeps
        the pass in this tab (sessionStorage), so later loads of the bare address work too."""
        if self.playground_pass:
            self.driver.get(f"{self.base_url}/#pass={self.playground_pass}")
            self.wait(lambda: self.snapshot()["ready"], "the playground to load from its pass link")
            if "pass=" in self.snapshot()["hash"]:
                fail("the page should take the pass out of the address bar")

    def wait(self, condition, what, timeout=30):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda d: condition())
        except TimeoutException:
            self.screenshot("failure")
            fail(f"timed out waiting for {what}; page state: {json.dumps(self.snapshot())}")

    def click(self, selector, what):
        """Clicks the element `selector` names, finding it again if a re-render replaced it.

        The session list is rebuilt whenever a session's status changes; an element found a
        moment earlier may be gone by the time of the click."""
        def clicked():
            try:
                self.driver.find_element(By.CSS_SELECTOR, selector).click()
                return True
            except StaleElementReferenceException:
                return False
        self.wait(clicked, what)

    def screenshot(self, name):
        path = os.path.join(self.shots, f"playground-{name}.png")
        self.driver.save_screenshot(path)
        print(f"screenshot: {path}")
        return path

    def snapshot(self):
        """Everything the checks look at, read in one go so it is consistent."""
        return self.driver.execute_script(
            """
            const messages = [...document.querySelectorAll('#messages article.message')].map(m => ({
              role: m.dataset.role,
              id: m.dataset.messageId,
              text: m.dataset.role === 'user'
                ? (m.querySelector('.bubble')?.textContent ?? '')
                : [...m.querySelectorAll('.part-text')].map(p => p.textContent).join(''),
              streaming: m.dataset.streaming === 'true',
              notices: [...m.querySelectorAll('.notice')].map(n => n.textContent),
            }));
            const sessions = [...document.querySelectorAll('#session-list .session')].map(s => ({
              chatId: s.dataset.chatId,
              status: s.querySelector('.status-pill').dataset.status,
              current: s.getAttribute('aria-current') === 'true',
              preview: s.querySelector('.session-preview')?.textContent ?? '',
            }));
            return {
              ready: document.body.dataset.ready === 'true',
              status: document.getElementById('chat-status').dataset.status,
              hash: location.hash,
              stopVisible: !document.getElementById('stop').hidden,
              agents: [...document.querySelectorAll('#agent-select option')].map(o => o.value),
              messages, sessions,
            };
            """
        )

    def assistants(self):
        return [m for m in self.snapshot()["messages"] if m["role"] == "assistant"]

    def send(self, text):
        box = self.driver.find_element(By.ID, "composer-input")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def chat_id(self):
        hash_ = self.snapshot()["hash"]
        return hash_.split("=", 1)[1] if hash_.startswith("#chat=") else None

    def loopback_api(self, path, body=None):
        """The playground's own route, called the way the page does (with the pass it holds)."""
        headers = {"Content-Type": "application/json"}
        if self.playground_pass:
            headers["Authorization"] = f"Bearer {self.playground_pass}"
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            method="POST" if body is not None else "GET",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


def main():
    approvals = len(sys.argv) == 4 and sys.argv[1] == "--approvals"
    attachments = len(sys.argv) == 4 and sys.argv[1] == "--attachments"
    subagents = len(sys.argv) == 4 and sys.argv[1] == "--subagents"
    if not approvals and not attachments and not subagents and len(sys.argv) not in (3, 5):
        fail("usage: playground_test.py [--approvals | --attachments | --subagents] BASE_URL SCREENSHOT_DIR [KEYED_BASE_URL SECRET_KEY]", 2)
    args = sys.argv[2:] if approvals or attachments or subagents else sys.argv[1:]
    base_url, shots = args[0], args[1]
    os.makedirs(shots, exist_ok=True)
    driver = make_driver()
    page = Playground(driver, base_url, shots)
    try:
        page.open_pass_link()
        if approvals:
            run_approvals(page)
        elif attachments:
            run_attachments(page)
        elif subagents:
            run_subagents(page)
        else:
            run(page)
            if len(args) == 4:
                run_with_key(Playground(driver, args[2], shots), args[3])
    finally:
        for entry in driver.get_log("browser"):
            if entry.get("level") in ("SEVERE", "WARNING"):
                print(f"browser console: {entry.get('message')}")
        driver.quit()
    if approvals:
        print("PASS: playground approvals: approve, deny, client-side tool, awaiting-input live")
    elif attachments:
        print("PASS: playground attachments: picker, drag-and-drop, upload, thumbnail and chips, reload")
    elif subagents:
        print("PASS: playground sub-agents: live progress in the tool card, final output, link to the child session")
    else:
        print("PASS: playground chat, streaming, reload mid-answer, stop, live session list")


def run(page):
    driver = page.driver
    driver.get(page.base_url + "/")
    page.wait(lambda: page.snapshot()["ready"], "the playground to load")
    state = page.snapshot()
    if "my-chat" not in state["agents"]:
        fail(f"agent picker does not offer my-chat: {state['agents']}")

    mode = driver.find_element(By.ID, "access-mode").text
    if "playground pass" not in mode:
        fail(f"the footer should say the tab holds the playground pass from the banner's link: {mode!r}")

    # 1. A first message: a new session is made (with the pass from the banner's link),
    #    and the reply streams in.
    page.send("hello world")
    page.wait(lambda: any(m["text"] == "You said: hello world" and not m["streaming"] for m in page.assistants()),
              "the streamed reply to `hello world`")
    chat_id = page.chat_id()
    if not chat_id:
        fail("the open chat is not in the address (#chat=…)")
    page.wait(lambda: any(s["chatId"] == chat_id and s["current"] and s["status"] == "idle"
                          for s in page.snapshot()["sessions"]),
              "the new session in the session list, idle")
    page.screenshot("reply")

    # 2. A long answer, then a reload in the middle of it.
    page.send("/slow 40")

    def partial_answer():
        state = page.snapshot()
        answers = [m for m in state["messages"] if m["role"] == "assistant"]
        if len(answers) >= 2 and len(answers[1]["text"].split()) >= 3:
            return state
        return None

    mid = page.wait(partial_answer, "the `/slow 40` answer to start streaming")
    answer = [m for m in mid["messages"] if m["role"] == "assistant"][1]["text"]
    if answer == EXPECTED_SLOW:
        fail("the answer finished before the reload; it must be reloaded mid-stream")
    if not EXPECTED_SLOW.startswith(answer):
        fail(f"partial answer is not a prefix of the full one: {answer!r}")
    if mid["status"] != "running" or not mid["stopVisible"]:
        fail(f"while answering, the chat should show `running` and a Stop button: {mid['status']}, {mid['stopVisible']}")
    if not any(s["chatId"] == chat_id and s["status"] == "running" for s in mid["sessions"]):
        fail(f"the session list should show {chat_id} running: {mid['sessions']}")

    driver.refresh()
    page.wait(lambda: page.snapshot()["ready"], "the playground to load again")
    after_reload = page.snapshot()
    resumed = [m for m in after_reload["messages"] if m["role"] == "assistant"]
    words = len(resumed[1]["text"].split()) if len(resumed) > 1 else 0
    print(f"after reload: {words} of 40 words on screen, status {after_reload['status']}")
    if after_reload["status"] != "running" or words >= 40:
        fail("the reload did not land mid-answer (the answer was complete when the page came back); "
             f"status {after_reload['status']}, {words} words")
    page.screenshot("streaming")
    page.wait(lambda: len(page.assistants()) == 2 and page.assistants()[1]["text"] == EXPECTED_SLOW
              and not page.assistants()[1]["streaming"],
              "the resumed answer to complete")
    final = page.snapshot()
    roles = [m["role"] for m in final["messages"]]
    if roles != ["user", "assistant", "user", "assistant"]:
        fail(f"after the reload the chat should hold each message once: {roles}")
    texts = [m["text"] for m in final["messages"]]
    if texts != ["hello world", "You said: hello world", "/slow 40", EXPECTED_SLOW]:
        fail(f"messages after the reload: {texts}")
    page.wait(lambda: page.snapshot()["status"] == "idle", "the chat to be idle after the answer")

    # 3. Stop: a long answer, stopped from the Stop button, keeps what was streamed.
    page.send("/slow 400")
    page.wait(lambda: len(page.assistants()) == 3 and len(page.assistants()[2]["text"].split()) >= 2,
              "the `/slow 400` answer to start")
    driver.find_element(By.ID, "stop").click()
    page.wait(lambda: any("Stopped" in n for n in page.assistants()[2]["notices"]), "the answer to show it was stopped")
    page.wait(lambda: page.snapshot()["status"] == "idle", "the chat to be idle after stopping")
    stopped = page.assistants()[2]["text"]
    full = " ".join(str(n) for n in range(1, 401))
    if not full.startswith(stopped) or stopped == full:
        fail(f"a stopped answer should be a strict prefix of the full one: {stopped[:80]!r}…")

    # 4. Live status of other sessions, pushed by the daemon's session change feed (no polling, no
    #    reload): one created and started elsewhere shows up running with its message, then idle
    #    with the answer, while the page asks for the session list not once more.
    list_requests = lambda: driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(e => new URL(e.name).pathname === '/playground/v1/sessions' && e.initiatorType === 'fetch').length")
    lists_before = list_requests()
    other = page.loopback_api("/playground/v1/sessions", {"agent": "my-chat", "chatId": "elsewhere"})
    page.wait(lambda: any(s["chatId"] == "elsewhere" for s in page.snapshot()["sessions"]),
              "the session created elsewhere to appear in the list")
    message = {"kind": "message", "message": {"id": "m-elsewhere", "role": "user",
                                              "parts": [{"type": "text", "text": "/slow 120"}]}}
    request = urllib.request.Request(
        page.base_url + "/realtime/v1/sessions/elsewhere/in", data=json.dumps(message).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {other['publicAccessToken']}"},
        method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    page.wait(lambda: any(s["chatId"] == "elsewhere" and s["status"] == "running" and s["preview"] == "You: /slow 120"
                          for s in page.snapshot()["sessions"]),
              "the other session to appear as running in the list, with its message")
    page.screenshot("sessions")
    expected_other = "Agent: " + " ".join(str(n) for n in range(1, 121))
    page.wait(lambda: any(s["chatId"] == "elsewhere" and s["status"] == "idle" and expected_other.startswith(s["preview"].rstrip("…"))
                          and len(s["preview"]) > 20 for s in page.snapshot()["sessions"]),
              "the other session to turn idle in the list, with the start of its answer")
    if list_requests() != lists_before:
        fail(f"the page listed the sessions again ({lists_before} → {list_requests()}): the list must be pushed, not polled")
    if page.snapshot()["sessions"][0]["chatId"] != "elsewhere":
        fail(f"the most recently active session should lead the list: {page.snapshot()['sessions']}")

    # 5. The SDK's AI SDK transport, in this browser.
    check_transport(page)

    # 6. The final look of the page, for people.
    page.click(f'#session-list .session[data-chat-id="{chat_id}"]', "the first chat in the session list")
    page.wait(lambda: len(page.assistants()) == 3, "the first chat to reopen")
    page.send("hello again")
    page.wait(lambda: any(m["text"] == "You said: hello again" and not m["streaming"] for m in page.assistants()),
              "the reply to `hello again`")
    time.sleep(0.3)  # let the last frame paint before the picture (not an assertion)
    page.screenshot("final")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    time.sleep(0.3)
    page.screenshot("final-dark")


def run_with_key(page, secret_key):
    """A daemon whose playground routes need the secret key (as for a browser on another machine):
    the page asks for it, keeps it in the tab, and then works as usual."""
    driver = page.driver
    driver.get(page.base_url + "/")
    page.wait(lambda: driver.find_element(By.ID, "key-dialog").get_attribute("open") is not None,
              "the page to ask for the secret key")
    reason = driver.find_element(By.ID, "key-reason").text
    if "secret key" not in reason:
        fail(f"the key dialog should say why it asks: {reason!r}")
    page.screenshot("key-dialog")
    driver.find_element(By.ID, "key-input").send_keys(secret_key)
    driver.find_element(By.CSS_SELECTOR, "#key-form button[type=submit]").click()
    page.wait(lambda: page.snapshot()["ready"] and "my-chat" in page.snapshot()["agents"], "the agents after the key")
    page.send("hello with a key")
    page.wait(lambda: any(m["text"] == "You said: hello with a key" for m in page.assistants()),
              "the reply on the keyed daemon")
    mode = driver.find_element(By.ID, "access-mode").text
    if "secret key" not in mode:
        fail(f"the footer should say the tab holds the secret key: {mode!r}")


# What both transport scripts start with: the SDK module and a stand-in for your backend.
TRANSPORT_PRELUDE = """
const done = arguments[arguments.length - 1];
(async () => {
  const { AgentChatTransport } = await import('/sdk/agent-chat.js');
  // The stand-in for your backend: the playground's routes, with the pass this tab holds.
  const pass = sessionStorage.getItem('agent-host:secret-key');
  const post = async (path, body) => (await fetch(path, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...(pass ? { Authorization: 'Bearer ' + pass } : {}) },
    body: JSON.stringify(body) })).json();
"""

TRANSPORT_SCRIPT = TRANSPORT_PRELUDE + """  const calls = { accessToken: 0, startSession: 0 };
  const options = () => ({
    agent: 'my-chat',
    accessToken: async ({ chatId }) => { calls.accessToken++; return (await post('/playground/v1/tokens', { chatId })).publicAccessToken; },
    startSession: async ({ chatId, agent }) => { calls.startSession++; return post('/playground/v1/sessions', { chatId, agent }); },
  });
  const user = (text) => [{ id: 'u-' + Math.random(), role: 'user', parts: [{ type: 'text', text }] }];
  const send = (transport, chatId, text, abortSignal) => transport.sendMessages(
    { chatId, trigger: 'submit-message', messageId: undefined, messages: user(text), abortSignal });
  const drain = async (reader, into = []) => { for (;;) { const { value, done } = await reader.read(); if (done) return into; into.push(value); } };
  const text = (chunks) => chunks.filter(c => c.type === 'text-delta').map(c => c.delta).join('');
  const types = (chunks) => chunks.map(c => c.type);
  const chatId = 'sdk-' + Date.now();
  const result = { calls };

  const transport = new AgentChatTransport(options());
  const first = await drain((await send(transport, chatId, 'hello sdk')).getReader());
  result.first = { text: text(first), types: types(first) };

  // Two turns sent back to back: each stream holds only its own turn.
  const slow = (await send(transport, chatId, '/slow 30')).getReader();
  const queued = (await send(transport, chatId, 'queued')).getReader();
  const slowHead = [(await slow.read()).value, (await slow.read()).value];
  // A reloaded page: a new transport with no tokens and no memory reconnects to the running turn.
  const fresh = new AgentChatTransport(options());
  const resumedStream = await fresh.reconnectToStream({ chatId });
  const resumed = resumedStream ? await drain(resumedStream.getReader()) : null;
  const slowAll = await drain(slow, slowHead);
  const queuedAll = await drain(queued);
  result.slow = text(slowAll);
  result.queued = text(queuedAll);
  result.resumed = resumed && { text: text(resumed), first: resumed[0].type, messageId: resumed[0].messageId };
  result.slowMessageId = slowAll[0].messageId;
  result.afterAll = await fresh.reconnectToStream({ chatId });

  // An expired or foreign token is refreshed through accessToken, once, and the send goes through.
  const refreshing = new AgentChatTransport(options());
  refreshing.client.setToken(chatId, 'not-a-token');
  const before = calls.accessToken;
  result.refreshed = text(await drain((await send(refreshing, chatId, 'after refresh')).getReader()));
  result.refreshCalls = calls.accessToken - before;

  // useChat's stop(): the abort signal ends the stream and stops the agent.
  const controller = new AbortController();
  const stopping = (await send(transport, chatId, '/slow 400', controller.signal)).getReader();
  await stopping.read(); await stopping.read();
  controller.abort();
  try { await drain(stopping); result.abort = 'no error'; } catch (error) { result.abort = error.name; }
  let status = 'running';
  for (let i = 0; i < 200 && status !== 'idle'; i++) {
    await new Promise(r => setTimeout(r, 50));
    status = (await (await fetch('/realtime/v1/sessions/' + chatId + '/turn', {
      headers: { Authorization: 'Bearer ' + transport.client.tokens.get(chatId) } })).json()).status;
  }
  result.statusAfterStop = status;
  done(result);
})().catch(error => done({ error: String(error && error.stack || error) }));
"""


def run_in_page(page, script, label, timeout):
    """Runs an async script in the page and returns what it hands to `done`; fails on its error."""
    page.driver.set_script_timeout(timeout)
    result = page.driver.execute_async_script(script)
    print(f"{label}: {json.dumps(result)[:600]}")
    if "error" in result:
        fail(f"the {label} threw: {result['error']}")
    return result


def check_transport(page):
    result = run_in_page(page, TRANSPORT_SCRIPT, "transport", 90)
    expect = {
        "first text": (result["first"]["text"], "You said: hello sdk"),
        "first framing": (result["first"]["types"][0], "start"),
        "first ends with finish": (result["first"]["types"][-1], "finish"),
        "no host framing": (any(t.startswith("data-turn-") for t in result["first"]["types"]), False),
        "slow turn": (result["slow"], " ".join(str(n) for n in range(1, 31))),
        "queued turn only": (result["queued"], "You said: queued"),
        "reconnect replays the running turn from its start": (
            result["resumed"] and result["resumed"]["text"], " ".join(str(n) for n in range(1, 31))),
        "reconnect starts with `start`": (result["resumed"] and result["resumed"]["first"], "start"),
        "same message id on reconnect": (result["resumed"] and result["resumed"]["messageId"], result["slowMessageId"]),
        "nothing to reconnect to afterwards": (result["afterAll"], None),
        "send after token refresh": (result["refreshed"], "You said: after refresh"),
        "one refresh": (result["refreshCalls"], 1),
        "startSession ran for the new chat": (result["calls"]["startSession"] >= 1, True),
        "abort rejects the stream": (result["abort"], "AbortError"),
        "abort stops the agent": (result["statusAfterStop"], "idle"),
    }
    for what, (actual, wanted) in expect.items():
        if actual != wanted:
            fail(f"transport: {what}: got {actual!r}, want {wanted!r}")


def noisy_png(width, height):
    """A PNG of a colour gradient with grain: the grain keeps it from compressing, so it is large
    enough (> 256 KiB) that the playground uploads it instead of sending a data URL."""
    import random
    import struct
    import zlib
    rng = random.Random(17)
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows += bytes((min(255, 40 + x * 180 // width + rng.randrange(60)),
                           min(255, 60 + y * 150 // height + rng.randrange(60)),
                           min(255, 200 - x * 120 // width + rng.randrange(50))))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")


def run_attachments(page):
    import tempfile
    driver = page.driver
    folder = tempfile.mkdtemp(prefix="attach-")
    png = noisy_png(420, 300)
    if len(png) <= 256 * 1024:
        fail(f"the test image is only {len(png)} bytes; it must be over the 256 KiB upload threshold")
    csv = b"city,temp\nParis,21\nOslo,9\n"
    paths = {"sunset.png": png, "table.csv": csv}
    for name, data in paths.items():
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)

    driver.get(page.base_url + "/")
    page.wait(lambda: page.snapshot()["ready"], "the playground to load")
    driver.find_element(By.ID, "new-chat").click()
    page.wait(lambda: page.chat_id(), "a new chat")
    chat_id = page.chat_id()

    # The picker: two files at once (Selenium types their paths into the file input).
    picker = driver.find_element(By.ID, "file-input")
    driver.execute_script("arguments[0].hidden = false", picker)
    picker.send_keys("\n".join(os.path.join(folder, name) for name in paths))
    driver.execute_script("arguments[0].hidden = true", picker)
    # Drag-and-drop: a file dropped anywhere on the page.
    driver.execute_script(
        """
        const transfer = new DataTransfer();
        transfer.items.add(new File(["remember the milk\\n"], "notes.txt", { type: "text/plain" }));
        for (const type of ["dragenter", "dragover", "drop"]) {
          document.getElementById("messages").dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
        """
    )
    chips = lambda: driver.execute_script(
        "return [...document.querySelectorAll('#attachments .attachment')].map(c => c.dataset.filename)")
    page.wait(lambda: chips() == ["sunset.png", "table.csv", "notes.txt"], "three attachment chips above the composer")
    page.screenshot("attachments-composer")

    page.send("what are these?")
    kb = round(len(png) / 1024)
    expected = (f"You sent: sunset.png (image/png, {kb} KB), table.csv (text/csv, {len(csv)} bytes), "
                "notes.txt (text/plain, 18 bytes). You said: what are these?")
    page.wait(lambda: any(m["text"] == expected and not m["streaming"] for m in page.assistants()),
              f"the scripted model's description: {expected}")
    if chips():
        fail(f"the composer still holds attachments after sending: {chips()}")

    def shown():
        return driver.execute_script(
            """
            const user = document.querySelector('#messages article.message[data-role="user"]');
            if (!user) return null;
            const image = user.querySelector('img.attachment-image');
            return {
              image: image && { name: image.dataset.filename, width: image.naturalWidth, src: image.src.slice(0, 5) },
              chips: [...user.querySelectorAll('.attachment')].map(c => c.dataset.filename),
              text: user.querySelector('.bubble')?.textContent,
            };
            """
        )

    def check_message(when):
        state = page.wait(lambda: (lambda s: s if s and s["image"] and s["image"]["width"] == 420 else None)(shown()),
                          f"the attached image shown in the message ({when})")
        if state["chips"] != ["table.csv", "notes.txt"] or state["text"] != "what are these?":
            fail(f"the message shows {state} ({when})")
        title = driver.find_element(By.ID, "chat-title").text
        if title != "what are these?":
            fail(f"the chat's title is {title!r}, not the message's text ({when})")
        return state

    check_message("as sent")
    page.screenshot("attachments-sent")

    # The image went up as an upload (over the threshold), the others inline: the history says so.
    history = page.loopback_api("/playground/v1/tokens", {"chatId": chat_id})
    request = urllib.request.Request(f"{page.base_url}/realtime/v1/sessions/{chat_id}/messages",
                                     headers={"Authorization": f"Bearer {history['publicAccessToken']}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        messages = json.loads(response.read())["messages"]
    files = [p for p in messages[0]["parts"] if p["type"] == "file"]
    urls = {p["filename"]: p["url"].split(",")[0] if p["url"].startswith("data:") else p["url"] for p in files}
    if not urls.get("sunset.png", "").startswith(f"/realtime/v1/sessions/{chat_id}/files/"):
        fail(f"the large image was not uploaded: {urls}")
    if urls.get("table.csv") != "data:text/csv;base64" or urls.get("notes.txt") != "data:text/plain;base64":
        fail(f"the small files did not travel as data URLs: {urls}")
    # Without the session's token the upload is not served.
    try:
        urllib.request.urlopen(page.base_url + urls["sunset.png"], timeout=10)
        fail("an uploaded file was served without a token")
    except urllib.error.HTTPError as error:
        if error.code != 401:
            fail(f"an uploaded file without a token answered {error.code}, not 401")

    # After a reload the message still shows the image (fetched with the chat's token) and chips.
    driver.refresh()
    page.wait(lambda: page.snapshot()["ready"], "the playground to load again")
    state = check_message("after a reload")
    if state["image"]["src"] != "blob:":
        fail(f"the uploaded image is not shown from the bytes fetched with the token: {state}")
    page.screenshot("attachments-reloaded")


def run_subagents(page):
    """The orchestrator delegates `/slow 30` to its researcher; the card shows the researcher's
    answer growing, then the final output and a link that opens the child session."""
    from selenium.webdriver.support.ui import Select
    driver = page.driver
    driver.get(page.base_url + "/")
    page.wait(lambda: page.snapshot()["ready"] and "orchestrator" in page.snapshot()["agents"], "the playground with orchestrator")
    Select(driver.find_element(By.ID, "agent-select")).select_by_value("orchestrator")
    page.send('/tool research {"message":"/slow 30"}')

    def sub_agent_text():
        cards = driver.find_elements(By.CSS_SELECTOR, ".part-tool .sub-agent")
        return cards[-1].text if cards else ""

    # Progress: the card opens by itself and shows a partial answer while the tool still works.
    partial = page.wait(lambda: driver.execute_script(
        "const c = document.querySelector('.part-tool[data-preliminary=\"true\"]');"
        "const text = c && c.open ? c.querySelector('.sub-agent').textContent.trim() : '';"
        "return /^[0-9]/.test(text) ? text : null;"),
        "the researcher's partial answer inside the open tool card")
    full = " ".join(str(n) for n in range(1, 31))
    if partial == full or not full.startswith(partial):
        fail(f"while the tool works the card should show a strict prefix of the answer, got {partial!r}")
    page.screenshot("subagent-working")
    page.wait(lambda: any(m["text"] == f'research returned "{full}"' and not m["streaming"] for m in page.assistants()),
              "the orchestrator's answer with the research result")
    if sub_agent_text().strip() != full:
        fail(f"the card should end with the researcher's whole answer, got {sub_agent_text()!r}")
    state = driver.find_element(By.CSS_SELECTOR, ".part-tool .tool-state").text
    if state != "done":
        fail(f"the finished card should say done, says {state!r}")
    page.screenshot("subagent-done")

    # The link opens the child's own session, whose history is the researcher's turn.
    parent = page.chat_id()
    link = driver.find_element(By.CSS_SELECTOR, ".part-tool .child-link")
    child = urllib.parse.unquote(link.get_attribute("href").split("#chat=", 1)[1])
    if not child.startswith(parent + "~"):
        fail(f"the link should name a child of {parent}, names {child!r}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", link)
    link.click()
    page.wait(lambda: page.chat_id() == child and any(m["text"] == full for m in page.assistants()),
              "the child session to open with the researcher's answer")
    page.screenshot("subagent-child")
    back = page.wait(lambda: next((a for a in driver.find_elements(By.ID, "chat-parent") if a.is_displayed()), None),
                     "the child's link back to its parent")
    back.click()
    page.wait(lambda: page.chat_id() == parent and any(m["text"] == f'research returned "{full}"' for m in page.assistants()),
              "the parent chat to open again from the child's link")


def run_approvals(page):
    from selenium.webdriver.support.ui import Select
    driver = page.driver
    driver.get(page.base_url + "/")
    page.wait(lambda: page.snapshot()["ready"] and "tools-demo" in page.snapshot()["agents"], "the playground with tools-demo")
    Select(driver.find_element(By.ID, "agent-select")).select_by_value("tools-demo")

    def buttons(kind):
        return [b for b in driver.find_elements(By.CSS_SELECTOR, f".tool-actions button.{kind}") if b.is_displayed()]

    def click(button):
        # The newest message may sit under the composer; the list scrolls smoothly, so jump instead.
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
        button.click()

    # 1. A transfer above the threshold asks; the chat and the session list show awaiting-input.
    page.send('/tool transfer {"amount":500,"to":"Alice"}')
    page.wait(lambda: buttons("approve"), "the Approve button of the transfer")
    chat_id = page.chat_id()
    page.wait(lambda: page.snapshot()["status"] == "awaiting-input", "the chat to show awaiting-input")
    # The answer has ended: the part is no longer re-rendered under the pointer.
    page.wait(lambda: any(s["chatId"] == chat_id and s["status"] == "awaiting-input" for s in page.snapshot()["sessions"]),
              "the session list to show awaiting-input")
    page.screenshot("approval-requested")
    click(buttons("approve")[0])
    expected = 'transfer returned {"reference":"tx-alice-500","to":"Alice","transferred":500}'
    page.wait(lambda: any(m["text"] == expected and not m["streaming"] for m in page.assistants()),
              "the approved transfer's answer, in the same message")
    if len(page.assistants()) != 1:
        fail(f"the answer should continue the message that asked: {page.assistants()}")
    page.wait(lambda: page.snapshot()["status"] == "idle", "the chat to be idle after the approval")
    page.screenshot("approved")

    # 2. Deny: the tool does not run and the model is told.
    page.send('/tool transfer {"amount":300}')
    page.wait(lambda: buttons("deny") and page.snapshot()["status"] == "awaiting-input", "the Deny button of the second transfer")
    click(buttons("deny")[0])
    page.wait(lambda: len(page.assistants()) == 2 and "denied" in page.assistants()[1]["text"]
              and not page.assistants()[1]["streaming"], "the denied transfer's answer")

    # 3. A client-side tool runs in the page; its output continues the answer.
    page.send("/tool getLocation {}")
    page.wait(lambda: len(page.assistants()) == 3 and page.assistants()[2]["text"].startswith("getLocation returned")
              and not page.assistants()[2]["streaming"], "the answer after the page ran getLocation")
    page.wait(lambda: page.snapshot()["status"] == "idle", "the chat to be idle at the end")
    check_approval_transport(page)
    states = driver.execute_script("return [...document.querySelectorAll('.part-tool')].map(p => p.dataset.state)")
    if states != ["output-available", "output-denied", "output-available"]:
        fail(f"tool parts should show done, denied, done: {states}")
    page.screenshot("approvals-final")
    check_timeline(page)


def check_timeline(page):
    """The turn timeline: a tool turn shows its two steps, the model and build of each, tokens, and the
    tool call with its duration; it grows by itself when the next turn ends."""
    driver = page.driver
    driver.find_element(By.ID, "timeline-toggle").click()
    page.wait(lambda: driver.execute_script("return document.querySelectorAll('#timeline .turn').length") >= 4,
              "the timeline of the chat's turns")
    page.send('/tool calculator {"expression":"2+3"}')
    page.wait(lambda: len(page.assistants()) == 4 and page.assistants()[3]["text"] == "calculator returned 5"
              and not page.assistants()[3]["streaming"], "the calculator's answer")

    def newest_turn():
        return driver.execute_script(
            """
            const turn = document.querySelector('#timeline .turn');
            if (!turn) return null;
            return {
              steps: Number(turn.dataset.steps),
              outcome: turn.dataset.outcome,
              models: [...turn.querySelectorAll('.step-model')].map(e => e.textContent),
              builds: [...turn.querySelectorAll('.step-build')].map(e => e.textContent),
              tokens: [...turn.querySelectorAll('.step-tokens')].map(e => e.textContent),
              tools: [...turn.querySelectorAll('.step-tool')].map(t => ({
                name: t.dataset.toolName, state: t.dataset.state, duration: t.querySelector('.tool-duration').textContent })),
            };
            """)

    turn = page.wait(lambda: (lambda t: t if t and t["steps"] == 2 and [x["name"] for x in t["tools"]] == ["calculator"] else None)(newest_turn()),
                     "the calculator turn at the top of the timeline, without a reload")
    import re
    if turn["outcome"] != "finished" or [t["name"] for t in turn["tools"]] != ["calculator"]:
        fail(f"the timeline's newest turn: {turn}")
    if turn["tools"][0]["state"] != "output-available" or not re.fullmatch(r"[0-9.]+ (ms|s)", turn["tools"][0]["duration"]):
        fail(f"the tool call should show its state and duration: {turn['tools']}")
    if not all(m.startswith("scripted") for m in turn["models"]) or not all(re.match(r"gen [0-9]+ · v1\.0\.0", b) for b in turn["builds"]):
        fail(f"each step should name its model and build: {turn}")
    if not all("in /" in t and "tokens" in t for t in turn["tokens"]):
        fail(f"each step should show its tokens: {turn['tokens']}")
    driver.execute_script("document.querySelector('#timeline .turn').scrollIntoView({block: 'start'})")
    time.sleep(0.3)  # let the last frame paint before the picture (not an assertion)
    page.screenshot("timeline")


APPROVAL_TRANSPORT_SCRIPT = TRANSPORT_PRELUDE + """  const transport = new AgentChatTransport({
    agent: 'tools-demo',
    accessToken: async ({ chatId }) => (await post('/playground/v1/tokens', { chatId })).publicAccessToken,
    startSession: async ({ chatId, agent }) => post('/playground/v1/sessions', { chatId, agent }),
  });
  const drain = async (stream, into = []) => { const r = stream.getReader(); for (;;) { const { value, done } = await r.read(); if (done) return into; into.push(value); } };
  const chatId = 'sdk-approve-' + Date.now();
  const user = { id: 'u1', role: 'user', parts: [{ type: 'text', text: '/tool transfer {"amount":500}' }] };
  const send = (messages) => transport.sendMessages({ chatId, trigger: 'submit-message', messages });
  const asking = await drain(await send([user]));
  const request = asking.find(c => c.type === 'tool-approval-request');
  const messageId = asking[0].messageId;
  // What useChat sends after addToolApprovalResponse: the assistant message, answered.
  const assistant = { id: messageId, role: 'assistant', parts: [{ type: 'tool-transfer', toolCallId: request.toolCallId,
    state: 'approval-responded', input: { amount: 500 }, approval: { id: request.approvalId, approved: true } }] };
  const continued = await drain(await send([user, assistant]));
  const again = await drain(await send([user, assistant]));
  done({ asking: asking.map(c => c.type), continued: continued.map(c => c.type), sameMessage: continued[0].messageId === messageId,
         output: continued.find(c => c.type === 'tool-output-available')?.output, again: again.map(c => c.type) });
})().catch(error => done({ error: String(error && error.stack || error) }));
"""


def check_approval_transport(page):
    """`AgentChatTransport` (the SDK for `useChat`) carries an approval and its continuation."""
    result = run_in_page(page, APPROVAL_TRANSPORT_SCRIPT, "approval transport", 60)
    if result["asking"][-2:] != ["finish-step", "finish"] or "tool-approval-request" not in result["asking"]:
        fail(f"transport: the asking turn: {result['asking']}")
    if result["continued"][:2] != ["start", "tool-output-available"] or not result["sameMessage"]:
        fail(f"transport: the continuation should open with the tool's output in the same message: {result}")
    if (result["output"] or {}).get("reference") != "tx-savings-500":
        fail(f"transport: the approved transfer's output: {result['output']}")
    if result["again"] != ["start", "finish"]:
        fail(f"transport: the same answer again should only close the message: {result['again']}")


if __name__ == "__main__":
    main()
