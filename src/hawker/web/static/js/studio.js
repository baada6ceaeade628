// Host studio: schedule shows, go live/end, pin, launch and end flash deals, moderate chat,
// and live numbers (GMV and orders from /ws/studio/{id}; chat, viewers, likes, deal stock from
// the room socket). Chat text is written with textContent only.
import { api, money, toast } from "./api.js";

const $ = (s, root = document) => root.querySelector(s);

function fail(box, err) {
  box.textContent = err.message;
  box.hidden = false;
}

async function act(fn, reload = true) {
  try {
    await fn();
    if (reload) location.reload();
  } catch (err) {
    toast(err.message, true);
  }
}

// ---------------------------------------------------------------- schedule a show
const schedule = $("#schedule-form");
if (schedule) {
  const when = schedule.elements.scheduled_start;
  const soon = new Date(Date.now() + 3600e3 - new Date().getTimezoneOffset() * 60e3);
  when.value = soon.toISOString().slice(0, 16);
  schedule.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = schedule.elements;
    const body = {
      title: f.title.value.trim(),
      description: f.description.value,
      cover_url: f.cover_url.value.trim(),
      scheduled_start: new Date(f.scheduled_start.value).toISOString(),
      product_ids: [...schedule.querySelectorAll("input[name=product_ids]:checked")].map((c) => Number(c.value)),
    };
    if (!body.title) return fail($("#schedule-error"), new Error("Give the show a title."));
    if (!f.scheduled_start.value) return fail($("#schedule-error"), new Error("Pick a start time."));
    try {
      const show = await api("POST", "/api/shows", body);
      location.href = `/studio/shows/${show.id}`;
    } catch (err) {
      fail($("#schedule-error"), err);
    }
  });
}

// ---------------------------------------------------------------- one show
const stateEl = $("#studio-state");
if (stateEl) {
  const st = JSON.parse(stateEl.textContent);
  const base = `/api/shows/${st.show_id}`;

  for (const b of document.querySelectorAll("[data-show-action]")) {
    b.addEventListener("click", () => {
      const what = b.dataset.showAction;
      if (what === "end" && !confirm("End the show for everyone?")) return;
      act(() => api("POST", `${base}/${what}`));
    });
  }
  for (const b of document.querySelectorAll("[data-pin]")) {
    b.addEventListener("click", () => act(() => api("POST", `${base}/pin`, { product_id: Number(b.dataset.pin) })));
  }
  for (const b of document.querySelectorAll("[data-unpin]")) {
    b.addEventListener("click", () => act(() => api("POST", `${base}/unpin`)));
  }
  for (const b of document.querySelectorAll("[data-end-deal]")) {
    b.addEventListener("click", () => act(() => api("POST", `/api/deals/${b.dataset.endDeal}/end`)));
  }

  const dealForm = $("#deal-form");
  dealForm?.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = dealForm.elements;
    const option = f.sku_id.selectedOptions[0];
    if (!option) return;
    const digits = new Intl.NumberFormat("en", { style: "currency", currency: option.dataset.currency })
      .resolvedOptions().maximumFractionDigits;
    const body = {
      sku_id: Number(f.sku_id.value),
      deal_price: Math.round(Number(f.deal_price.value) * 10 ** digits),
      quantity: Number(f.quantity.value),
      per_buyer_limit: Number(f.per_buyer_limit.value),
      duration_seconds: Number(f.duration_seconds.value),
    };
    if (!(body.deal_price > 0)) return fail($("#deal-error"), new Error("Enter a deal price."));
    try {
      await api("POST", `${base}/deals`, body);
      location.reload();
    } catch (err) {
      fail($("#deal-error"), err);
    }
  });

  // moderation
  const modlist = $("#modlist");
  modlist.addEventListener("click", (e) => {
    const del = e.target.closest("[data-delete]");
    const mute = e.target.closest("[data-mute]");
    if (del) act(() => api("DELETE", `${base}/chat/${del.dataset.delete}`), false);
    if (mute) act(async () => {
      await api("POST", `${base}/mutes`, { user_id: Number(mute.dataset.mute) });
      toast("Muted in this show");
    }, false);
  });
  function addMessage(m) {
    if (modlist.querySelector(`[data-id="${Number(m.id)}"]`)) return;
    $("#no-chat")?.remove();
    const row = document.createElement("div");
    row.className = "msg";
    row.dataset.id = m.id;
    row.dataset.user = m.user_id;
    const who = Object.assign(document.createElement("span"), { className: "who", textContent: m.name });
    const text = Object.assign(document.createElement("span"), { className: "text", textContent: m.text });
    const del = Object.assign(document.createElement("button"), { className: "btn btn-sm", type: "button", textContent: "Delete" });
    del.dataset.delete = m.id;
    del.setAttribute("aria-label", `Delete message from ${m.name}`);
    row.append(who, text, del);
    if (m.user_id !== st.host_id) {
      const mute = Object.assign(document.createElement("button"), { className: "btn btn-sm btn-danger", type: "button", textContent: "Mute" });
      mute.dataset.mute = m.user_id;
      mute.setAttribute("aria-label", `Mute ${m.name}`);
      row.append(mute);
    }
    modlist.append(row);
    modlist.scrollTop = modlist.scrollHeight;
  }
  modlist.scrollTop = modlist.scrollHeight;

  function bump(id, text) {
    const el = document.getElementById(id);
    if (el.textContent === String(text)) return;
    el.textContent = text;
    el.classList.add("bump");
    setTimeout(() => el.classList.remove("bump"), 600);
  }

  const proto = location.protocol === "https:" ? "wss" : "ws";
  function socket(path, onMessage) {
    let retry = 0;
    const open = () => {
      const ws = new WebSocket(`${proto}://${location.host}${path()}`);
      ws.addEventListener("open", () => (retry = 0));
      ws.addEventListener("message", (e) => onMessage(JSON.parse(e.data)));
      ws.addEventListener("close", (e) => {
        if (e.code === 4403 || e.code === 4404) return;
        retry += 1;
        setTimeout(open, Math.min(10000, 500 * 2 ** Math.min(retry, 5)));
      });
    };
    open();
  }

  let seq = st.seq;
  socket(() => `/ws/shows/${st.show_id}?after=${seq}`, (m) => {
    if (typeof m.seq === "number" && m.type !== "hello" && m.type !== "resync") {
      if (m.seq <= seq) return;
      seq = m.seq;
    }
    if (m.type === "resync") seq = m.seq; // the room moved on without us; follow from now
    if (m.type === "hello") {
      if (seq === 0) seq = m.seq;
      bump("viewers", m.data.viewers);
      bump("likes", m.data.likes);
    } else if (m.type === "show.started" || m.type === "show.ended") {
      // the encoder (or another tab) changed the show: controls depend on it, so re-render
      if (m.data.status !== st.status) location.reload();
    } else if (m.type === "chat") addMessage(m.data);
    else if (m.type === "chat.deleted") modlist.querySelector(`[data-id="${Number(m.data.id)}"]`)?.remove();
    else if (m.type === "viewers") bump("viewers", m.data.count);
    else if (m.type === "likes") bump("likes", m.data.total);
    else if (m.type === "deal.stock") {
      const cell = document.querySelector(`[data-deal="${Number(m.data.deal_id)}"] [data-left]`);
      if (cell) cell.textContent = cell.textContent.replace(/^\d+/, String(m.data.left));
    } else if (m.type === "deal.ended") {
      const badge = document.querySelector(`[data-deal="${Number(m.data.deal_id)}"] [data-deal-status]`);
      if (badge) { badge.textContent = `ended · ${m.data.reason.replace("_", " ")}`; badge.className = "badge badge-ended"; }
      document.querySelector(`[data-end-deal="${Number(m.data.deal_id)}"]`)?.remove();
    }
  });
  socket(() => `/ws/studio/${st.show_id}`, (m) => {
    if (m.type === "video") return showVideo(m.data.publishing);
    if (m.type !== "stats") return;
    if (m.data.viewers != null) bump("viewers", m.data.viewers);
    if (m.data.orders != null) bump("orders", m.data.orders);
    if (m.data.gmv != null) bump("gmv", money(m.data.gmv, m.data.currency));
  });

  // ---------------------------------------------------------------- stream key
  function showVideo(publishing) {
    const badge = $("#video-status");
    badge.textContent = publishing ? "● Video arriving" : "No video";
    badge.className = `badge ${publishing ? "badge-paid" : "badge-cancelled"}`;
  }
  const keyInput = $("#stream-key");
  let key = null; // fetched only when the host asks to see or copy it
  const loadKey = async () => (key ??= (await api("GET", `${base}/stream`)).stream_key);
  $("#reveal-key")?.addEventListener("click", async (e) => {
    const shown = keyInput.type === "text";
    try {
      if (!shown) keyInput.value = await loadKey();
      keyInput.type = shown ? "password" : "text";
      e.target.textContent = shown ? "Reveal" : "Hide";
      e.target.setAttribute("aria-pressed", String(!shown));
    } catch (err) { toast(err.message, true); }
  });
  for (const b of document.querySelectorAll("[data-copy]")) {
    b.addEventListener("click", async () => {
      try {
        const text = b.dataset.copy === "stream-key" ? await loadKey() : $(`#${b.dataset.copy}`).value;
        await navigator.clipboard.writeText(text);
        toast("Copied");
      } catch (err) { toast(err.message || "Copy failed", true); }
    });
  }
  $("#rotate-key")?.addEventListener("click", async () => {
    if (!confirm("Make a new stream key? The old one stops working at once.")) return;
    try {
      key = (await api("POST", `${base}/stream/rotate`)).stream_key;
      keyInput.value = key; // shown as dots until revealed
      showVideo(false);
      toast("New stream key ready: update your encoder");
    } catch (err) { toast(err.message, true); }
  });
}
