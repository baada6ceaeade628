// GMV big screen: the server sends one whole frame a second (Server-Sent Events); numbers
// count up from what is shown to the new frame's values, lists are redrawn. A frame missed
// while reconnecting costs nothing: the next one carries everything.
import { money } from "./api.js";

const screen = document.querySelector(".bs");
const currency = screen.dataset.currency;
const names = JSON.parse(document.getElementById("channel-names").textContent);
const live = document.getElementById("bs-live");
const still = matchMedia("(prefers-reduced-motion: reduce)");
const COUNT_MS = 900; // a little under the one-second tick: each count-up ends before the next
const $ = (id) => document.getElementById(id);

function countUp(el, target, format) {
  const from = Number(el.dataset.shown ?? el.dataset.value ?? 0);
  el.dataset.value = target;
  cancelAnimationFrame(Number(el.dataset.raf || 0));
  if (from === target || still.matches) {
    el.dataset.shown = target;
    el.textContent = format(target);
    return;
  }
  const start = performance.now();
  const step = (now) => {
    const t = Math.min(1, (now - start) / COUNT_MS);
    const value = Math.round(from + (target - from) * (1 - (1 - t) ** 3)); // ease-out
    el.dataset.shown = value;
    el.textContent = format(value);
    if (t < 1) el.dataset.raf = requestAnimationFrame(step);
  };
  el.dataset.raf = requestAnimationFrame(step);
}

function item(name, amount, detail) {
  const li = document.createElement("li");
  const label = Object.assign(document.createElement("span"), { className: "bs-name", textContent: name });
  if (detail) label.append(Object.assign(document.createElement("small"), { textContent: detail }));
  li.append(label, Object.assign(document.createElement("span"), { className: "bs-amount", textContent: amount }));
  return li;
}

function list(el, rows, empty) {
  if (!rows.length) {
    el.replaceChildren(Object.assign(document.createElement("li"), { className: "bs-empty", textContent: empty }));
    return;
  }
  el.replaceChildren(...rows);
}

function show(frame) {
  const total = frame.totals.find((t) => t.currency === currency) || { gmv: 0, orders: 0 };
  countUp($("gmv"), total.gmv, (v) => money(v, currency));
  countUp($("orders"), total.orders, (v) => v.toLocaleString());
  $("ops").textContent = frame.orders_per_second.toFixed(1);
  $("bs-scope").textContent = frame.scope;
  $("others").replaceChildren(...frame.totals.filter((t) => t.currency !== currency).map((t) =>
    Object.assign(document.createElement("span"), { className: "bs-other", textContent: money(t.gmv, t.currency) })));
  const top = frame.channels.length ? frame.channels[0].gmv : 0;
  list($("channels"), frame.channels.map((c) => {
    const li = item(names[c.channel] || c.channel, money(c.gmv, currency));
    li.dataset.channel = c.channel;
    const bar = Object.assign(document.createElement("span"), { className: "bs-bar" });
    bar.style.setProperty("--w", `${top > 0 ? (100 * c.gmv) / top : 0}%`);
    li.append(bar);
    return li;
  }), "Waiting for the first order…");
  list($("hosts"), frame.hosts.map((e) => item(e.name, money(e.gmv, currency))), "No sales yet");
  list($("merchants"), frame.merchants.map((e) => item(e.name, money(e.gmv, currency))), "No sales yet");
  list($("rooms"), frame.rooms.map((r) =>
    item(r.title, money(r.gmv, currency), `${r.host} · ${r.viewers.toLocaleString()} watching`)), "No live shows right now");
}

const source = new EventSource(screen.dataset.stream);
source.addEventListener("snapshot", (e) => {
  live.classList.remove("off");
  show(JSON.parse(e.data));
});
source.addEventListener("error", () => live.classList.add("off"));
