// Campaign landing page: a countdown to the start (then to the end), the festival's GMV
// refetched whenever the server says it moved (Server-Sent Events), and the merchant/host
// "take part" forms.
import { api, money, toMinor, toast } from "./api.js";

const hero = document.getElementById("fest");
const { campaign, currency, starts, ends } = hero.dataset;
const cells = Object.fromEntries([...document.querySelectorAll(".cd-n")].map((el) => [el.dataset.unit, el]));
const phase = document.getElementById("phase");

function tick() {
  const now = Date.now();
  const [target, label] = now < Date.parse(starts) ? [starts, "Starts in"] : [ends, "Ends in"];
  let left = Math.max(0, Math.floor((Date.parse(target) - now) / 1000));
  if (now >= Date.parse(ends)) {
    phase.textContent = "This festival has ended";
    document.getElementById("countdown").hidden = true;
    return;
  }
  phase.textContent = label;
  const parts = { days: Math.floor(left / 86400), hours: Math.floor((left % 86400) / 3600), minutes: Math.floor((left % 3600) / 60), seconds: left % 60 };
  for (const [unit, el] of Object.entries(cells)) el.textContent = String(parts[unit]).padStart(2, "0");
}

async function refresh() {
  const rows = await api("GET", `/api/campaigns/${campaign}/gmv`);
  const row = rows.find((r) => r.currency === currency) || { gmv: 0, orders: 0 };
  const el = document.getElementById("fest-gmv");
  const text = money(row.gmv, currency);
  if (el.textContent !== text) {
    el.textContent = text;
    el.classList.remove("bump");
    void el.offsetWidth; // restart the flash
    el.classList.add("bump");
  }
  document.getElementById("fest-orders").textContent = `${row.orders} order${row.orders === 1 ? "" : "s"}`;
}

tick();
setInterval(tick, 1000);
const stream = new EventSource(`/api/campaigns/${campaign}/gmv-stream`);
for (const name of ["changed", "open"]) stream.addEventListener(name, () => refresh().catch(() => {})); // open: catch up after a reconnect

async function submit(form, url, items) {
  const error = document.getElementById("apply-error");
  error.hidden = true;
  try {
    if (!items.length) throw new Error("Pick at least one.");
    await api("POST", url, { items });
    toast("Sent. Operators will review your entry.");
    setTimeout(() => location.reload(), 900);
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
  }
}

document.getElementById("apply-products")?.addEventListener("submit", (e) => {
  e.preventDefault();
  const f = e.target;
  const items = [...f.querySelectorAll('input[name="product"]:checked')].map((box) => ({
    product_id: Number(box.value),
    deal_price: toMinor(f.elements[`deal-${box.value}`].value, currency),
    currency,
  }));
  submit(f, `/api/campaigns/${campaign}/products`, items);
});

document.getElementById("apply-shows")?.addEventListener("submit", (e) => {
  e.preventDefault();
  const f = e.target;
  const items = [...f.querySelectorAll('input[name="show"]:checked')].map((box) => ({
    show_id: Number(box.value),
    duration_minutes: Number(f.elements[`minutes-${box.value}`].value),
  }));
  submit(f, `/api/campaigns/${campaign}/shows`, items);
});
