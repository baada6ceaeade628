// The live room: one WebSocket (/ws/shows/{id}?after=SEQ) drives chat, likes, viewers, the
// pinned product, flash deals and "someone just bought". It reconnects with backoff and resumes
// from the last sequence number it saw. User text is only ever written with textContent.
import { api, clock, money } from "./api.js";
import { couponField, el, pay, sheet } from "./checkout.js";
import { livePlayer } from "./player.js";

const state = JSON.parse(document.getElementById("room-state").textContent);
const show = state.show;
const $ = (id) => document.getElementById(id);
const stage = $("stage");
const products = new Map(show.lineup.map((p) => [p.id, p]));
let pinned = show.pinned;
let deal = state.deal;
let lastSeq = state.seq;
let likes = state.likes;
let pendingLikes = 0;
let socket = null;
let retry = 0;
let closedForGood = false;
const seenChat = new Set(state.chat_ids);

const compact = (n) =>
  new Intl.NumberFormat(navigator.language || "en", { notation: "compact", maximumFractionDigits: 1 }).format(n);

function showError(text) {
  const box = $("room-error");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => (box.hidden = true), 4500);
}

// ---------------------------------------------------------------- video
const VIDEO_TEXT = {
  waiting: `Waiting for ${show.host.name}'s video…`,
  dropped: "Video dropped. Reconnecting…",
  unsupported: "This browser cannot play live video.",
};
const player = livePlayer($("video"), (videoState) => {
  $("media").dataset.video = videoState;
  const text = VIDEO_TEXT[videoState];
  $("video-state").hidden = !text;
  $("video-state").querySelector(".spinner").hidden = videoState === "unsupported";
  if (text) $("video-state-text").textContent = text;
  $("unmute").hidden = videoState !== "playing" || !$("video").muted;
});
$("unmute").addEventListener("click", () => {
  $("video").muted = false;
  $("unmute").hidden = true;
});

async function playLive() {
  // The playlist URL comes with the show while it is live; fetch it when the show just started.
  if (!show.hls_url) show.hls_url = (await api("GET", `/api/shows/${show.id}`)).hls_url;
  if (show.status === "live") player.load(show.hls_url);
}

// ---------------------------------------------------------------- status
function setStatus(status) {
  show.status = status;
  stage.dataset.status = status;
  if (status === "live") playLive().catch(() => player.dropped());
  else player.load(null);
  $("live-badge").hidden = status !== "live";
  $("state-scheduled").hidden = status !== "scheduled";
  $("state-ended").hidden = status !== "ended";
  if (status === "ended") {
    pinned = null;
    deal = null;
    renderPinned();
    renderDeal();
    const input = $("chat-input");
    if (input.tagName === "INPUT") {
      input.disabled = true;
      input.placeholder = "Chat is closed";
    }
  }
}

function tickStart() {
  const target = Date.parse($("starts-in").dataset.start);
  const left = (target - Date.now()) / 1000;
  const days = Math.floor(left / 86400);
  $("starts-in").textContent = left <= 0 ? "Any moment" : days ? `${days}d ${clock(left % 86400)}` : clock(left);
}

// ---------------------------------------------------------------- chat
function addChat(m) {
  if (seenChat.has(m.id)) return;
  seenChat.add(m.id);
  const mine = state.me && m.user_id === state.me.id;
  const li = el("li", { class: "msg" + (mine ? " mine" : ""), "data-id": m.id, "data-user": m.user_id },
    m.user_id === show.host.id ? el("span", { class: "host-tag", text: "HOST" }) : null,
    el("span", { class: "who", text: m.name }), el("span", { class: "text", text: m.text }));
  const list = $("chat");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(li);
  while (list.children.length > 60) list.firstElementChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function systemLine(text) {
  $("chat").append(el("li", { class: "msg sys", text }));
  $("chat").scrollTop = $("chat").scrollHeight;
}

// ---------------------------------------------------------------- likes
function renderLikes() {
  const shown = compact(likes + pendingLikes);
  $("like-count").textContent = shown;
  $("like-sub").textContent = shown;
}

const HEART = '<path d="M12 21s-7.5-4.6-10-9.3C.3 8.4 2.2 4 6.3 4c2.3 0 3.9 1.4 5.7 3.3C13.8 5.4 15.4 4 17.7 4 21.8 4 23.7 8.4 22 11.7 19.5 16.4 12 21 12 21z"/>';
function floatHeart() {
  const colours = ["#ff3b5c", "#ff8a1f", "#ff5fa2", "#ffd23f", "#b46bff"];
  const h = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  h.setAttribute("viewBox", "0 0 24 24");
  h.setAttribute("class", "heart");
  h.setAttribute("fill", colours[Math.floor(Math.random() * colours.length)]);
  h.innerHTML = HEART; // a constant path, no user text
  h.style.setProperty("--drift", `${Math.round(Math.random() * 40 - 20)}px`);
  $("hearts").append(h);
  h.addEventListener("animationend", () => h.remove());
}

setInterval(() => {
  if (!pendingLikes || !socket || socket.readyState !== WebSocket.OPEN) return;
  const count = Math.min(pendingLikes, 50);
  socket.send(JSON.stringify({ type: "like", count }));
  pendingLikes -= count;
  likes += count; // optimistic until the coalesced total arrives
}, 600);

// ---------------------------------------------------------------- pinned product + deal
function dealFor(productId) {
  return deal && deal.status === "live" && deal.product_id === productId ? deal : null;
}

function stockOf(p) {
  const total = p.skus.reduce((n, k) => n + k.available + k.reserved + k.sold, 0);
  const left = p.skus.reduce((n, k) => n + k.available, 0);
  return { left, total };
}

function renderPinned() {
  const card = $("pinned");
  card.replaceChildren();
  if (!pinned || show.status !== "live") {
    card.hidden = true;
    return;
  }
  const d = dealFor(pinned.id);
  const { left, total } = d ? { left: d.left, total: d.quantity } : stockOf(pinned);
  const pct = total ? Math.max(0, Math.min(100, (left / total) * 100)) : 0;
  const price = el("div", { class: "p-price" },
    document.createTextNode(money(d ? d.deal_price : pinned.price_from, pinned.currency)),
    d ? el("s", { text: money(d.original_price, d.currency) }) : null);
  const soldOut = left <= 0;
  const buy = el("button", {
    class: "btn btn-buy", type: "button", id: "buy-pinned", disabled: soldOut,
    "aria-label": soldOut ? "Sold out" : `Buy ${pinned.title}`,
    text: soldOut ? "Sold out" : "Buy",
    onclick: () => startBuy(pinned.id),
  });
  card.append(
    el("span", { class: "tag", text: d ? "⚡ Flash deal" : "Now selling" }),
    el("img", { src: pinned.image_url || "/static/demo/mug.svg", alt: "" }),
    el("div", {},
      el("div", { class: "p-title", text: pinned.title }),
      el("div", { class: "p-row" }, price, buy),
      el("div", { class: "stockbar", role: "img", "aria-label": `${left} left` }, el("i", { style: `width:${pct}%` })),
      el("div", { class: "stock-text", id: "pinned-left", text: soldOut ? "Sold out" : `${left} left` })));
  card.hidden = false;
}

// The banner's design is the shopper's variant of the room.deal_banner experiment: "classic"
// (price and a clock) or "countdown" (a bold bar of the time left, and one of the stock left).
const banner = state.deal_banner;
let exposed = false;

function reportExposure() {
  if (exposed || !banner.experiment) return;
  exposed = true;  // once per page; the server logs a unit once anyway
  api("POST", `/api/experiments/${banner.experiment}/exposure`).catch(() => { exposed = false; });
}

function dealDuration() {
  return Math.max(1, (Date.parse(deal.ends_at + "Z") - Date.parse(deal.starts_at + "Z")) / 1000);
}

function renderDeal() {
  const box = $("deal");
  if (!deal) {
    box.hidden = true;
    return;
  }
  const p = products.get(deal.product_id);
  const soldOut = deal.left <= 0 || deal.ended_reason === "sold_out";
  const over = deal.status !== "live";
  const clockText = soldOut ? "Sold out" : over ? "Ended" : clock(secondsLeft());
  const leftText = soldOut ? "0 left" : `${deal.left} left`;
  box.classList.toggle("soldout", soldOut || over);
  const label = el("div", { class: "deal-label", text: p ? `Flash deal · ${p.title}` : "Flash deal" });
  const price = el("div", { class: "deal-price" }, document.createTextNode(money(deal.deal_price, deal.currency)),
    el("s", { text: money(deal.original_price, deal.currency) }));
  if (banner.design === "countdown") {
    const stockPct = Math.max(0, Math.min(100, (100 * deal.left) / Math.max(1, deal.quantity)));
    box.replaceChildren(
      el("div", { class: "deal-head" },
        el("div", { class: "bolt", "aria-hidden": "true", text: "⚡" }),
        el("div", {}, label, price),
        el("div", { class: "countdown", id: "deal-countdown", text: clockText })),
      el("div", { class: "deal-timebar", role: "img", "aria-label": "Time left" },
        el("i", { id: "deal-timebar", style: `width:${timePct()}%` })),
      el("div", { class: "deal-stock" },
        el("div", { class: "deal-stockbar", role: "img", "aria-label": leftText },
          el("i", { style: `width:${stockPct}%` })),
        el("span", { class: "left", id: "deal-left", text: leftText })));
  } else {
    box.replaceChildren(
      el("div", { class: "bolt", "aria-hidden": "true", text: "⚡" }),
      el("div", {}, label, price),
      el("div", { class: "deal-clock" },
        el("div", { class: "countdown", id: "deal-countdown", text: clockText }),
        el("span", { class: "left", id: "deal-left", text: leftText })));
  }
  box.hidden = false;
  if (!over) reportExposure();
}

function secondsLeft() {
  return deal ? (Date.parse(deal.ends_at + "Z") - Date.now() - state.skew) / 1000 : 0;
}

function timePct() {
  return Math.max(0, Math.min(100, (100 * secondsLeft()) / dealDuration()));
}

function tickDeal() {
  if (!deal || deal.status !== "live" || deal.left <= 0) return;
  const s = secondsLeft();
  const c = $("deal-countdown");
  if (c) c.textContent = clock(s);
  const bar = $("deal-timebar");
  if (bar) bar.style.width = `${timePct()}%`;
  if (s <= 0) dealEnded("expired");
}

function dealEnded(reason) {
  if (!deal) return;
  deal.status = "ended";
  deal.ended_reason = reason;
  if (reason === "sold_out") deal.left = 0;
  renderDeal();
  renderPinned();
  const ended = deal.id;
  setTimeout(() => {
    if (deal && deal.id === ended && deal.status !== "live") {
      deal = null;
      renderDeal();
      renderPinned();
    }
  }, reason === "sold_out" ? 8000 : 3000);
}

// ---------------------------------------------------------------- someone just bought
const boughtQueue = [];
function bought(data) {
  boughtQueue.push(`${data.name} just bought ${data.quantity > 1 ? data.quantity + " × " : ""}${data.product_title}`);
  if (boughtQueue.length === 1) nextBought();
}
function nextBought() {
  const pill = $("bought");
  if (!boughtQueue.length) return;
  pill.textContent = boughtQueue[0];
  pill.classList.add("show");
  setTimeout(() => {
    pill.classList.remove("show");
    setTimeout(() => { boughtQueue.shift(); nextBought(); }, 400);
  }, 2200);
}

// ---------------------------------------------------------------- socket
async function refresh() {
  // History no longer reaches back: reload the room's state over HTTP.
  const [fresh, deals, chat] = await Promise.all([
    api("GET", `/api/shows/${show.id}`),
    api("GET", `/api/shows/${show.id}/deals?limit=1`),
    api("GET", `/api/shows/${show.id}/chat?limit=30`),
  ]);
  for (const p of fresh.lineup) products.set(p.id, p);
  pinned = fresh.pinned;
  deal = deals[0] && deals[0].status === "live" ? deals[0] : null;
  show.hls_url = fresh.hls_url;
  setStatus(fresh.status);
  chat.forEach(addChat);
  renderDeal();
  renderPinned();
}

const handlers = {
  hello(m) {
    if (m.data.user_id == null && state.me) state.me = null;
    likes = m.data.likes;
    $("viewers").textContent = compact(m.data.viewers);
    renderLikes();
    if (m.data.status !== show.status) setStatus(m.data.status);
    if ((pinned?.id ?? null) !== m.data.pinned_product_id) {
      const p = products.get(m.data.pinned_product_id);
      if (p || m.data.pinned_product_id == null) { pinned = p || null; renderPinned(); } else refresh();
    }
  },
  resync: () => refresh(),
  "show.started": () => { setStatus("live"); systemLine("The show is live!"); },
  "show.ended": () => setStatus("ended"),
  video: (m) => { if (m.data.publishing) player.reload(); else player.dropped(); },
  chat: (m) => addChat(m.data),
  "chat.deleted": (m) => document.querySelector(`#chat [data-id="${Number(m.data.id)}"]`)?.remove(),
  "user.muted": (m) => {
    if (state.me && m.data.user_id === state.me.id) {
      const input = $("chat-input");
      input.disabled = true;
      input.placeholder = "The host muted you";
    }
  },
  likes: (m) => { likes = Math.max(m.data.total, 0); renderLikes(); },
  viewers: (m) => { $("viewers").textContent = compact(m.data.count); },
  pin: (m) => {
    pinned = m.data.product;
    products.set(pinned.id, pinned);
    renderPinned();
  },
  unpin: () => { pinned = null; renderPinned(); },
  "deal.started": (m) => {
    deal = m.data.deal;
    state.skew = Date.now() - (Date.parse(deal.ends_at + "Z") - deal.seconds_left * 1000);
    renderDeal();
    renderPinned();
  },
  "deal.stock": (m) => {
    if (!deal || deal.id !== m.data.deal_id) return;
    deal.left = m.data.left;
    renderDeal();
    renderPinned();
  },
  "deal.ended": (m) => { if (deal && deal.id === m.data.deal_id) dealEnded(m.data.reason); },
  purchase: (m) => bought(m.data),
  error: (m) => showError(m.detail || "Something went wrong"),
};

function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${proto}://${location.host}/ws/shows/${show.id}?after=${lastSeq}`);
  socket.addEventListener("open", () => {
    retry = 0;
    $("reconnect").hidden = true;
  });
  socket.addEventListener("message", (e) => {
    const m = JSON.parse(e.data);
    if (typeof m.seq === "number" && m.type !== "hello" && m.type !== "resync") {
      if (m.seq <= lastSeq) return; // already applied (replayed history)
      lastSeq = m.seq;
    }
    if (m.type === "hello" && lastSeq === 0) lastSeq = m.seq;
    // History no longer reaches back (or the server restarted): state is reloaded over HTTP,
    // so continue from the server's current seq.
    if (m.type === "resync") lastSeq = m.seq;
    handlers[m.type]?.(m);
  });
  socket.addEventListener("close", (e) => {
    if (closedForGood) return;
    if (e.code === 4404) { showError("This show does not exist."); return; }
    retry += 1;
    const delay = Math.min(10000, 500 * 2 ** Math.min(retry - 1, 5)) * (0.75 + Math.random() / 2);
    $("reconnect").hidden = false;
    $("reconnect-text").textContent = navigator.onLine === false ? "You are offline. Waiting for the network…" : "Reconnecting…";
    setTimeout(connect, delay);
  });
}
window.addEventListener("pagehide", () => { closedForGood = true; socket?.close(); });

// ---------------------------------------------------------------- buying
function needLogin() {
  if (state.me) return false;
  location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
  return true;
}

function startBuy(productId) {
  if (needLogin()) return;
  const p = products.get(productId);
  const d = dealFor(productId);
  const inStock = p.skus.filter((k) => k.available > 0);
  let skuId = d ? d.sku_id : (inStock[0] || p.skus[0]).id;
  let qty = 1;
  const maxQty = () => (d && skuId === d.sku_id ? d.per_buyer_limit : 10);
  const unit = () => (d && skuId === d.sku_id ? d.deal_price : p.skus.find((k) => k.id === skuId).price);
  const totalEl = el("span", { class: "price" });
  const qtyEl = el("input", { id: "qty", type: "number", min: 1, value: 1, "aria-label": "Quantity", readonly: true });
  const update = () => { qtyEl.value = qty; totalEl.textContent = money(unit() * qty, p.currency); };
  const chips = p.skus.map((k) => el("label", { class: "chip" },
    el("input", { type: "radio", name: "sku", value: k.id, checked: k.id === skuId, disabled: k.available <= 0 && !(d && d.sku_id === k.id),
      onchange: () => { skuId = k.id; qty = 1; update(); } }),
    el("span", { text: d && d.sku_id === k.id ? `${k.name} ⚡` : k.name })));
  const errors = el("div", { class: "errors", role: "alert", hidden: true });
  const go = el("button", { class: "btn btn-buy btn-lg btn-block", type: "submit", id: "place-order", text: "Buy now" });
  const coupon = couponField();
  const form = el("form", {},
    el("div", { class: "checkout-head" }, el("img", { src: p.image_url || "/static/demo/mug.svg", alt: "" }),
      el("div", {}, el("strong", { text: p.title }), el("div", { class: "muted", text: p.merchant_name }),
        d ? el("div", { class: "now", text: `⚡ Flash deal · limit ${d.per_buyer_limit} per person` }) : null)),
    p.skus.length > 1 || d ? el("fieldset", { class: "field", style: "border:0;padding:0" }, el("legend", { class: "label", text: "Option" }), el("div", { class: "chips" }, ...chips)) : null,
    el("div", { class: "field" }, el("span", { text: "Quantity" }),
      el("div", { class: "qty" },
        el("button", { type: "button", "aria-label": "One less", text: "−", onclick: () => { qty = Math.max(1, qty - 1); update(); } }),
        qtyEl,
        el("button", { type: "button", "aria-label": "One more", text: "+", onclick: () => { qty = Math.min(maxQty(), qty + 1); update(); } }))),
    el("div", { class: "total-row" }, el("span", { text: "Total" }), totalEl),
    coupon.node, errors, go);
  update();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    go.disabled = true;
    go.textContent = "Reserving…";
    errors.hidden = true;
    const item = d && skuId === d.sku_id ? { deal_id: d.id, quantity: qty } : { sku_id: skuId, quantity: qty };
    try {
      const body = { items: [item], channel: "live", show_id: show.id, coupons: coupon.codes() };
      const order = await api("POST", "/api/orders", body, { idempotent: true });
      pay(p, order);
    } catch (err) {
      errors.textContent = err.message;
      errors.hidden = false;
      go.disabled = false;
      go.textContent = "Try again";
    }
  });
  sheet("Checkout", form);
}

function openLineup() {
  const items = show.lineup.map((q, i) => {
    const p = products.get(q.id) || q;
    const d = dealFor(p.id);
    return el("div", { class: "lineup-item" },
      el("span", { class: "n", text: String(i + 1) }),
      el("img", { src: p.image_url || "/static/demo/mug.svg", alt: "", loading: "lazy" }),
      el("div", {},
        pinned && pinned.id === p.id ? el("div", { class: "now", text: "● Now selling" }) : null,
        el("div", { style: "font-weight:600", text: p.title }),
        el("div", { class: "price", text: money(d ? d.deal_price : p.price_from, p.currency) })),
      el("button", { class: "btn btn-buy btn-sm", type: "button", text: "Buy", onclick: () => startBuy(p.id) }));
  });
  sheet(`In this show · ${items.length}`, ...(items.length ? items : [el("p", { class: "muted", text: "No products yet." })]));
}

// ---------------------------------------------------------------- wiring
$("like").addEventListener("click", () => {
  pendingLikes += 1;
  renderLikes();
  floatHeart();
});
$("bag").addEventListener("click", openLineup);
for (const b of document.querySelectorAll("[data-buy]")) b.addEventListener("click", () => startBuy(Number(b.dataset.buy)));
$("compose").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("chat-input");
  if (!state.me || !input.value.trim()) return;
  if (!socket || socket.readyState !== WebSocket.OPEN) { showError("Not connected yet; try again in a moment."); return; }
  socket.send(JSON.stringify({ type: "chat", text: input.value }));
  input.value = "";
});
function renderToggle(btn, on, onText, offText) { btn.setAttribute("aria-pressed", String(on)); btn.textContent = on ? onText : offText; }
// following is the server's (followers hear when the host goes live), not this browser's
$("follow").addEventListener("click", async () => {
  if (!state.me) { location.href = `/login?next=${encodeURIComponent(location.pathname)}`; return; }
  const on = $("follow").getAttribute("aria-pressed") !== "true";
  try {
    const host = await api(on ? "POST" : "DELETE", `/api/hosts/${show.host.id}/follow`);
    renderToggle($("follow"), host.following, "Following", "Follow");
  } catch (err) {
    showError(err.message);
  }
});
const remindKey = `hawker:remind:${show.id}`;
renderToggle($("remind"), localStorage.getItem(remindKey) === "1", "Reminder set ✓", "Remind me");
$("remind").addEventListener("click", () => {
  const on = localStorage.getItem(remindKey) !== "1";
  localStorage.setItem(remindKey, on ? "1" : "0");
  renderToggle($("remind"), on, "Reminder set ✓", "Remind me");
});
$("share").addEventListener("click", async () => {
  const url = location.href;
  if (navigator.share) { navigator.share({ title: show.title, url }).catch(() => {}); return; }
  try { await navigator.clipboard.writeText(url); systemLine("Link copied: share it with a friend!"); } catch { showError(url); }
});

state.skew = deal ? Date.now() - (Date.parse(deal.ends_at + "Z") - deal.seconds_left * 1000) : 0;
setStatus(show.status);
renderLikes();
renderDeal();
renderPinned();
tickStart();
setInterval(() => { tickDeal(); if (show.status === "scheduled") tickStart(); }, 250);
$("chat").scrollTop = $("chat").scrollHeight;
connect();
