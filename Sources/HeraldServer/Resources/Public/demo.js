// Herald's demo page: one Socket.IO connection to the `demo` site, a `POST /send` form, and a log of what arrives.
// No build step and no inline handlers, so the page runs under the strict Content-Security-Policy in index.html.
"use strict";

(() => {
  const SITE = "demo";
  // The bundled sites.yml's public demo tokens; they protect nothing.
  const TOKENS = { alice: "demo-token-alice-0001", bob: "demo-token-bob-00001" };
  const MAX_LOG_ENTRIES = 200;

  const byId = (id) => document.getElementById(id);
  const ui = {
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

  /** The live connection, or null; handlers of a socket that is no longer this one are ignored. */
  let socket = null;

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
    ui.connectButton.textContent = socket ? "Disconnect" : "Connect";
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
    if (details.fromBatch) item.append(" ", badge("from _batch"));
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
    if (typeof io !== "function") {
      setError("The Socket.IO client (/assets/socket.io.min.js) did not load.");
      return;
    }
    setError("");
    ui.settings.textContent = "none yet";
    ui.settings.dataset.received = "false";

    const current = io(`/${SITE}`, {
      query: { token, deviceId },
      transports: ["polling", "websocket"],
      forceNew: true,
    });
    socket = current;
    setStatus("connecting", "connecting…");
    const isCurrent = () => socket === current;

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
        socket = null;
        setStatus("error", "refused by the server");
      }
    });
    current.on("disconnect", (reason) => {
      if (!isCurrent()) return;
      setTransport("");
      if (current.active) {
        setStatus("reconnecting", `disconnected (${reason}), reconnecting…`);
      } else {
        socket = null;
        setStatus("disconnected", `disconnected (${reason})`);
      }
    });
    current.on("_settings", (settings) => {
      if (!isCurrent()) return;
      ui.settings.textContent = JSON.stringify(settings);
      ui.settings.dataset.received = "true";
    });
    current.onAny((event, ...args) => {
      if (isCurrent()) handleAnyEvent(event, ...args);
    });
  }

  function disconnect() {
    const current = socket;
    socket = null;
    current.disconnect();
    setTransport("");
    setStatus("disconnected", "disconnected");
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
  ui.connectForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (socket) disconnect();
    else connect();
  });
  ui.sendForm.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  fillCredentials();
})();
