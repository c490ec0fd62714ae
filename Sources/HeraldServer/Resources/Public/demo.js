// Herald's demo page: one connection to the `demo` site — Socket.IO, plain WebSocket JSON or EventSource, as the
// client tabs choose — a `POST /send` form, and a log of what arrives. No build step and no inline handlers, so the
// page runs under the strict Content-Security-Policy in index.html.
"use strict";

(() => {
  const SITE = "demo";
  // The bundled sites.yml's public demo tokens; they protect nothing.
  const TOKENS = { alice: "demo-token-alice-0001", bob: "demo-token-bob-00001" };
  const MAX_LOG_ENTRIES = 200;
  const CLIENT_HINTS = {
    socketio: "The stock Socket.IO client: long-polling first, then a WebSocket; stored messages are acked per emit.",
    "websocket-json":
      "A plain WebSocket at /ws/demo: the token goes in the first message, messages are JSON, the page acks each ID.",
    sse: "An EventSource on /sse/demo: one-way; the browser's Last-Event-ID acknowledges what it got when it reconnects.",
  };

  const byId = (id) => document.getElementById(id);
  const ui = {
    tabs: Array.from(document.querySelectorAll('[role="tab"][data-client]')),
    clientHint: byId("client-hint"),
    connectForm: byId("connect-form"),
    user: byId("user"),
    token: byId("token"),
    deviceId: byId("device-id"),
    connectButton: byId("connect-button"),
    status: byId("status"),
    transport: byId("transport"),
    connectError: byId("connect-error"),
    settings: byId("settings"),
    sendForm: byId("send-form"),
    room: byId("room"),
    event: byId("event"),
    text: byId("text"),
    apiKey: byId("api-key"),
    sendResult: byId("send-result"),
    events: byId("events"),
    eventsEmpty: byId("events-empty"),
  };

  /** The live connection (`{ close() }`), or null; handlers of a connection that is no longer this one are ignored. */
  let connection = null;
  /** The client the tabs chose: `socketio`, `websocket-json` or `sse`. */
  let client = "socketio";

  function randomSuffix() {
    const bytes = new Uint8Array(6);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** One device ID per user and per tab, kept across reloads so Herald sees the same device come back. */
  function deviceIdFor(user) {
    const key = `herald-demo-device-${user}`;
    try {
      const stored = sessionStorage.getItem(key);
      if (stored) return stored;
      const fresh = `browser-${user}-${randomSuffix()}`;
      sessionStorage.setItem(key, fresh);
      return fresh;
    } catch {
      return `browser-${user}-${randomSuffix()}`;
    }
  }

  function fillCredentials() {
    const user = ui.user.value;
    ui.token.value = TOKENS[user] ?? "";
    ui.deviceId.value = deviceIdFor(user);
  }

  function setStatus(state, text) {
    ui.status.dataset.state = state;
    ui.status.textContent = text;
    ui.connectButton.textContent = connection ? "Disconnect" : "Connect";
  }

  function setError(message) {
    ui.connectError.textContent = message;
  }

  function setTransport(name) {
    ui.transport.textContent = name || "—";
    delete ui.transport.dataset.upgradeError;
  }

  /** The client stays on long-polling when its WebSocket probe fails; say so, with the reason. */
  function showUpgradeError(error) {
    ui.transport.textContent = `polling (WebSocket upgrade failed: ${error.message})`;
    ui.transport.dataset.upgradeError = error.message;
    console.warn("WebSocket upgrade failed, staying on long-polling:", error);
  }

  /** Binary arguments have no JSON form; show their size instead of an empty object. */
  function jsonReplacer(_key, value) {
    if (value instanceof ArrayBuffer) return `<${value.byteLength} bytes>`;
    if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
    return value;
  }

  function logEvent(event, args, details) {
    const item = document.createElement("li");
    item.className = "received";
    item.dataset.event = event;
    if (details.fromBatch) item.dataset.batch = "true";

    const time = document.createElement("time");
    const now = new Date();
    time.dateTime = now.toISOString();
    time.textContent = now.toLocaleTimeString();

    const name = document.createElement("code");
    name.className = "event-name";
    name.textContent = event;

    const body = document.createElement("pre");
    body.className = "event-args";
    body.textContent = JSON.stringify(args, jsonReplacer);

    item.append(time, " ", name);
    if (details.fromBatch) item.append(" ", badge(details.batchLabel ?? "from _batch"));
    if (details.acked) item.append(" ", badge("acked"));
    item.append(body);

    ui.events.prepend(item);
    while (ui.events.children.length > MAX_LOG_ENTRIES) ui.events.lastElementChild.remove();
    ui.eventsEmpty.hidden = true;
  }

  function badge(text) {
    const span = document.createElement("span");
    span.className = "badge";
    span.textContent = text;
    return span;
  }

  /**
   * Logs every event the server emits. Herald asks for an ack on stored (per-user) messages and removes them from
   * the device's queue when it arrives, so the page acks each one after showing it. `_batch` carries the messages
   * stored while the device was away, as `[[event, ...args], ...]`; each is shown as its own entry.
   */
  function handleAnyEvent(event, ...args) {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (event === "_batch" && Array.isArray(args[0])) {
      for (const entry of args[0]) {
        if (Array.isArray(entry) && entry.length > 0) {
          logEvent(String(entry[0]), entry.slice(1), { fromBatch: true, acked: ack !== null });
        }
      }
    } else {
      logEvent(event, args, { fromBatch: false, acked: ack !== null });
    }
    if (ack) ack();
  }

  function connect() {
    const token = ui.token.value.trim();
    const deviceId = ui.deviceId.value.trim();
    if (!token || !deviceId) {
      setError("A token and a device ID are required.");
      return;
    }
    setError("");
    ui.settings.textContent = "none yet";
    ui.settings.dataset.received = "false";
    if (client === "websocket-json") connectPlainWebSocket(token, deviceId);
    else if (client === "sse") connectEventSource(token, deviceId);
    else connectSocketIO(token, deviceId);
  }

  function showSettings(settings) {
    ui.settings.textContent = JSON.stringify(settings);
    ui.settings.dataset.received = "true";
  }

  function connectSocketIO(token, deviceId) {
    if (typeof io !== "function") {
      setError("The Socket.IO client (/assets/socket.io.min.js) did not load.");
      return;
    }
    const current = io(`/${SITE}`, {
      query: { token, deviceId },
      transports: ["polling", "websocket"],
      forceNew: true,
    });
    connection = { close: () => current.disconnect() };
    const mine = connection;
    setStatus("connecting", "connecting…");
    const isCurrent = () => connection === mine;

    current.io.on("open", () => {
      const engine = current.io.engine;
      engine.on("upgrade", (transport) => {
        if (isCurrent()) setTransport(transport.name);
      });
      engine.on("upgradeError", (error) => {
        if (isCurrent()) showUpgradeError(error);
      });
    });
    current.on("connect", () => {
      if (!isCurrent()) return;
      setError("");
      setTransport(current.io.engine?.transport?.name);
      setStatus("connected", "connected");
    });
    current.on("connect_error", (error) => {
      if (!isCurrent()) return;
      setError(error.message);
      setTransport("");
      if (current.active) {
        setStatus("reconnecting", "connection failed, retrying…");
      } else {
        connection = null;
        setStatus("error", "refused by the server");
      }
    });
    current.on("disconnect", (reason) => {
      if (!isCurrent()) return;
      setTransport("");
      if (current.active) {
        setStatus("reconnecting", `disconnected (${reason}), reconnecting…`);
      } else {
        connection = null;
        setStatus("disconnected", `disconnected (${reason})`);
      }
    });
    current.on("_settings", (settings) => {
      if (isCurrent()) showSettings(settings);
    });
    current.onAny((event, ...args) => {
      if (isCurrent()) handleAnyEvent(event, ...args);
    });
  }

  /**
   * Plain WebSocket JSON (docs/protocols.md): the token travels in the first message rather than the URL, each kept
   * message carries its ID and is acked by it, and a batch is acked with all of its IDs.
   */
  function connectPlainWebSocket(token, deviceId) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws/${SITE}?deviceId=${encodeURIComponent(deviceId)}`);
    const mine = { close: () => ws.close(1000) };
    connection = mine;
    const isCurrent = () => connection === mine;
    let refusal = null;
    setStatus("connecting", "connecting…");

    ws.addEventListener("open", () => {
      if (isCurrent()) ws.send(JSON.stringify({ type: "auth", token }));
    });
    ws.addEventListener("message", ({ data }) => {
      if (!isCurrent()) return;
      let message;
      try {
        message = JSON.parse(data);
      } catch {
        return;
      }
      switch (message.type) {
        case "settings": {
          const { type: _type, ...settings } = message;
          showSettings(settings);
          setTransport("websocket-json");
          setStatus("connected", "connected");
          break;
        }
        case "event":
          logEvent(String(message.event), message.args ?? [], { fromBatch: false, acked: Boolean(message.id) });
          if (message.id) ws.send(JSON.stringify({ type: "ack", id: message.id }));
          break;
        case "batch": {
          const entries = Array.isArray(message.messages) ? message.messages : [];
          for (const entry of entries) {
            logEvent(String(entry.event), entry.args ?? [], { fromBatch: true, batchLabel: "from batch", acked: true });
          }
          ws.send(JSON.stringify({ type: "ack", ids: entries.map((entry) => entry.id) }));
          break;
        }
        case "resync":
          logEvent("resync", message.event ? [message.event] : [], { fromBatch: false, acked: false });
          break;
        case "error":
          refusal = message;
          setError(message.message);
          break;
      }
    });
    ws.addEventListener("close", (event) => {
      if (!isCurrent()) return;
      connection = null;
      setTransport("");
      if (refusal) setStatus("error", `refused by the server (${refusal.code}, close code ${event.code})`);
      else setStatus("disconnected", `disconnected (close code ${event.code})`);
    });
  }

  /**
   * An EventSource: named events need a listener each, so the page listens for `message` and for every event name
   * it sends. A stream the server refused is closed by the browser without its answer, so the page fetches the URL
   * once to show why.
   */
  function connectEventSource(token, deviceId) {
    const url = `/sse/${SITE}?token=${encodeURIComponent(token)}&deviceId=${encodeURIComponent(deviceId)}`;
    const source = new EventSource(url);
    const listened = new Set();
    const mine = {
      close: () => source.close(),
      listen(name) {
        if (!name || listened.has(name)) return;
        listened.add(name);
        source.addEventListener(name, (event) => {
          if (!isCurrent()) return;
          let args;
          try {
            args = JSON.parse(event.data);
          } catch {
            args = event.data;
          }
          logEvent(name, Array.isArray(args) ? args : [args], { fromBatch: false, acked: false });
        });
      },
    };
    connection = mine;
    const isCurrent = () => connection === mine;
    setStatus("connecting", "connecting…");

    source.addEventListener("settings", (event) => {
      if (!isCurrent()) return;
      let settings;
      try {
        settings = JSON.parse(event.data);
      } catch {
        settings = event.data;
      }
      showSettings(Array.isArray(settings) && settings.length === 1 ? settings[0] : settings);
      setError("");
      setTransport("sse");
      setStatus("connected", "connected");
    });
    source.addEventListener("resync", () => {
      if (isCurrent()) logEvent("resync", [], { fromBatch: false, acked: false });
    });
    source.addEventListener("error", async () => {
      if (!isCurrent()) return;
      setTransport("");
      if (source.readyState !== EventSource.CLOSED) {
        setStatus("reconnecting", "stream interrupted, reconnecting…");
        return;
      }
      connection = null;
      setStatus("error", "refused by the server");
      try {
        const answer = await fetch(url);
        const body = await answer.json();
        setError(body.message ?? `${answer.status}`);
      } catch (error) {
        setError(`the stream closed: ${error.message}`);
      }
    });
    mine.listen("message");
    mine.listen(ui.event.value.trim());
  }

  function disconnect() {
    const current = connection;
    connection = null;
    current.close();
    setTransport("");
    setStatus("disconnected", "disconnected");
  }

  function selectClient(name) {
    if (name === client) return;
    if (connection) disconnect();
    client = name;
    for (const tab of ui.tabs) {
      const selected = tab.dataset.client === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    ui.clientHint.textContent = CLIENT_HINTS[name];
  }

  function setSendResult(status, text) {
    ui.sendResult.dataset.status = status;
    ui.sendResult.textContent = text;
  }

  /** Plays the site's backend: `POST /send?site=demo` with the API key as a Bearer token and a JSON body. */
  async function send() {
    const rooms = ui.room.value
      .split(",")
      .map((room) => room.trim())
      .filter((room) => room.length > 0);
    const body = { rooms, event: ui.event.value.trim(), args: [{ text: ui.text.value }] };
    connection?.listen?.(body.event);
    setSendResult("pending", "sending…");
    try {
      const response = await fetch(`/send?site=${encodeURIComponent(SITE)}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${ui.apiKey.value.trim()}` },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      setSendResult(String(response.status), `${response.status} ${text}`);
    } catch (error) {
      setSendResult("failed", `request failed: ${error.message}`);
    }
  }

  ui.user.addEventListener("change", fillCredentials);
  for (const tab of ui.tabs) {
    tab.addEventListener("click", () => selectClient(tab.dataset.client));
  }
  ui.clientHint.textContent = CLIENT_HINTS[client];
  ui.connectForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (connection) disconnect();
    else connect();
  });
  ui.sendForm.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  fillCredentials();
})();
