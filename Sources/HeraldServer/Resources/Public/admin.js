// Herald's live admin page: polls GET /admin/api/sites with the admin key as a Bearer token and draws per-site
// connections and messages/s on <canvas>. No build step, no inline handlers, so it runs under the page's strict
// Content-Security-Policy. Every number is also shown as text, in cells marked data-site / data-field.
"use strict";

(function () {
  const storageKey = "heraldAdminKey";
  const historyLength = 60;
  const palette = ["#2f6fde", "#1f8a4c", "#b26a00", "#c0392b", "#7e57c2", "#00838f", "#ad1457", "#5d4037"];
  const params = new URLSearchParams(window.location.search);
  const intervalSeconds = Math.max(0.5, Number(params.get("interval")) || 2);

  const form = document.getElementById("login");
  const keyInput = document.getElementById("admin-key");
  const logoutButton = document.getElementById("logout-button");
  const status = document.getElementById("status");
  const dashboard = document.getElementById("dashboard");
  const rows = document.getElementById("site-rows");
  const updated = document.getElementById("updated");
  const legend = document.getElementById("legend");
  document.getElementById("interval").textContent = String(intervalSeconds);

  // site name -> { connections: [], rates: [], lastEmitted, lastTime, color }
  const series = new Map();
  let timer = null;

  function setStatus(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "muted";
  }

  function cell(row, field, numeric) {
    const td = document.createElement("td");
    td.dataset.field = field;
    if (numeric) td.className = "number";
    row.appendChild(td);
    return td;
  }

  function rowFor(site) {
    let row = rows.querySelector('tr[data-site="' + CSS.escape(site) + '"]');
    if (row) return row;
    row = document.createElement("tr");
    row.dataset.site = site;
    const name = document.createElement("th");
    name.scope = "row";
    const open = document.createElement("button");
    open.type = "button";
    open.className = "link";
    open.textContent = site;
    open.addEventListener("click", function () {
      showRooms(site);
    });
    name.appendChild(open);
    row.appendChild(name);
    cell(row, "connections", true);
    cell(row, "polling", true);
    cell(row, "websocket", true);
    cell(row, "websocket-json", true);
    cell(row, "sse", true);
    cell(row, "rate", true);
    cell(row, "emitted", true);
    rows.appendChild(row);
    return row;
  }

  function record(site, now) {
    let entry = series.get(site.name);
    if (!entry) {
      entry = { connections: [], rates: [], lastEmitted: site.messagesEmitted, lastTime: now, color: palette[series.size % palette.length] };
      series.set(site.name, entry);
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = entry.color;
      item.append(swatch, document.createTextNode(site.name));
      legend.appendChild(item);
    }
    const seconds = (now - entry.lastTime) / 1000;
    const rate = seconds > 0 ? Math.max(0, site.messagesEmitted - entry.lastEmitted) / seconds : 0;
    entry.lastEmitted = site.messagesEmitted;
    entry.lastTime = now;
    entry.connections.push(site.connections);
    entry.rates.push(rate);
    if (entry.connections.length > historyLength) entry.connections.shift();
    if (entry.rates.length > historyLength) entry.rates.shift();
    return rate;
  }

  function show(sites) {
    const now = performance.now();
    for (const site of sites) {
      const rate = record(site, now);
      const row = rowFor(site.name);
      row.querySelector('[data-field="connections"]').textContent = String(site.connections);
      row.querySelector('[data-field="polling"]').textContent = String(site.transports.polling || 0);
      row.querySelector('[data-field="websocket"]').textContent = String(site.transports.websocket || 0);
      row.querySelector('[data-field="websocket-json"]').textContent = String(site.transports["websocket-json"] || 0);
      row.querySelector('[data-field="sse"]').textContent = String(site.transports.sse || 0);
      row.querySelector('[data-field="rate"]').textContent = rate.toFixed(1);
      row.querySelector('[data-field="emitted"]').textContent = String(site.messagesEmitted);
    }
    updated.textContent = new Date().toLocaleTimeString();
    draw(document.getElementById("chart-connections"), "connections");
    draw(document.getElementById("chart-rate"), "rates");
  }

  function draw(canvas, field) {
    const context = canvas.getContext("2d");
    const width = canvas.width;
    const height = canvas.height;
    const pad = 28;
    context.clearRect(0, 0, width, height);
    let max = 1;
    for (const entry of series.values()) {
      for (const value of entry[field]) max = Math.max(max, value);
    }
    context.strokeStyle = "#d0d5dd";
    context.fillStyle = "#6b7280";
    context.font = "11px system-ui, sans-serif";
    context.beginPath();
    context.moveTo(pad, 4);
    context.lineTo(pad, height - pad);
    context.lineTo(width - 4, height - pad);
    context.stroke();
    context.fillText(max.toFixed(field === "rates" ? 1 : 0), 2, 12);
    context.fillText("0", 2, height - pad);
    context.fillText("last " + Math.round(historyLength * intervalSeconds) + " s", width - 70, height - 8);
    const step = (width - pad - 8) / (historyLength - 1);
    for (const entry of series.values()) {
      const values = entry[field];
      context.strokeStyle = entry.color;
      context.lineWidth = 2;
      context.beginPath();
      const offset = historyLength - values.length;
      values.forEach(function (value, index) {
        const x = pad + (offset + index) * step;
        const y = height - pad - (value / max) * (height - pad - 8);
        if (index === 0) context.moveTo(x, y);
        else context.lineTo(x, y);
      });
      context.stroke();
    }
  }

  async function api(method, path) {
    const key = sessionStorage.getItem(storageKey);
    const response = await fetch(path, { method: method, headers: { Authorization: "Bearer " + key }, cache: "no-store" });
    if (!response.ok) throw new Error(method + " " + path + " answered " + response.status);
    return response.json();
  }

  function segment(text) {
    return encodeURIComponent(text);
  }

  function replaceRows(body, rowsOfCells) {
    body.replaceChildren();
    for (const cells of rowsOfCells) {
      const row = document.createElement("tr");
      for (const content of cells) {
        const td = document.createElement("td");
        if (content instanceof Node) td.appendChild(content);
        else td.textContent = String(content);
        row.appendChild(td);
      }
      body.appendChild(row);
    }
  }

  function button(label, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    element.addEventListener("click", action);
    return element;
  }

  async function showRooms(site) {
    try {
      const body = await api("GET", "/admin/api/sites/" + segment(site) + "/rooms");
      document.getElementById("detail-site").textContent = site;
      document.getElementById("site-detail").hidden = false;
      document.getElementById("room-detail").hidden = true;
      replaceRows(
        document.getElementById("room-rows"),
        body.rooms.map(function (room) {
          const open = button(room.name, function () {
            showSockets(site, room.name);
          });
          open.className = "link";
          open.dataset.room = room.name;
          return [open, room.members];
        })
      );
    } catch (error) {
      setStatus(error.message, true);
    }
  }

  async function showSockets(site, room) {
    try {
      const body = await api("GET", "/admin/api/sites/" + segment(site) + "/rooms/" + segment(room) + "/sockets");
      document.getElementById("detail-room").textContent = room;
      document.getElementById("room-detail").hidden = false;
      replaceRows(
        document.getElementById("socket-rows"),
        body.sockets.map(function (socket) {
          const disconnect = button("Disconnect", async function () {
            try {
              await api("DELETE", "/admin/api/sites/" + segment(site) + "/sockets/" + segment(socket.id));
              showSockets(site, room);
            } catch (error) {
              setStatus(error.message, true);
            }
          });
          return [socket.id, socket.instance, socket.deviceId || "", socket.transport, new Date(socket.connectedSince).toLocaleString(), disconnect];
        })
      );
    } catch (error) {
      setStatus(error.message, true);
    }
  }

  async function poll() {
    const key = sessionStorage.getItem(storageKey);
    if (!key) return;
    let response;
    try {
      response = await fetch("/admin/api/sites", { headers: { Authorization: "Bearer " + key }, cache: "no-store" });
    } catch (error) {
      setStatus("Herald is unreachable: " + error.message, true);
      return;
    }
    if (response.status === 401) {
      stop();
      sessionStorage.removeItem(storageKey);
      setStatus("The admin key was refused.", true);
      return;
    }
    if (!response.ok) {
      setStatus("Herald answered " + response.status + ".", true);
      return;
    }
    const body = await response.json();
    dashboard.hidden = false;
    logoutButton.hidden = false;
    const missing = body.missing && body.missing.length ? " Not answering: " + body.missing.join(", ") + "." : "";
    setStatus("Connected. Numbers cover " + body.instances.length + " instance(s): " + body.instances.join(", ") + "." + missing, missing !== "");
    show(body.sites);
  }

  function start() {
    stop();
    poll();
    timer = window.setInterval(poll, intervalSeconds * 1000);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem(storageKey, keyInput.value);
    keyInput.value = "";
    start();
  });

  logoutButton.addEventListener("click", function () {
    stop();
    sessionStorage.removeItem(storageKey);
    dashboard.hidden = true;
    logoutButton.hidden = true;
    setStatus("Key forgotten.", false);
  });

  if (sessionStorage.getItem(storageKey)) start();
})();
