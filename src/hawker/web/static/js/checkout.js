// Checkout in a bottom sheet: pick the option and quantity of a product at its list price (a
// replay, a short video), place the order with its channel and show or clip (one
// Idempotency-Key per sheet), pay in the sandbox. The live room shares the sheet and the pay
// step, and keeps its own first step because flash deals only exist live.
import { api, ApiError, clock, money } from "./api.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== false && v != null) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

let sheetTimer = 0;
function closeSheet() {
  clearInterval(sheetTimer);
  document.getElementById("sheet")?.remove();
  document.getElementById("sheet-backdrop")?.remove();
}
document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeSheet(); });

export function sheet(title, ...body) {
  closeSheet();
  const back = el("div", { class: "sheet-backdrop", id: "sheet-backdrop", onclick: closeSheet });
  const box = el("div", { class: "sheet", id: "sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "sheet-title" },
    el("div", { class: "sheet-head" }, el("h2", { id: "sheet-title", text: title }),
      el("button", { class: "icon-btn", style: "background:#f0f1f4;color:#111", type: "button", "aria-label": "Close", text: "✕", onclick: closeSheet })),
    ...body);
  document.body.append(back, box);
  box.querySelector("button, input")?.focus();
  return box;
}

/** An optional coupon code for the order (checked by the API when the order is placed). */
export function couponField() {
  const input = el("input", { id: "coupon", name: "coupon", autocomplete: "off", maxlength: 32, placeholder: "Optional, e.g. FESTIVAL10" });
  const node = el("label", { class: "field coupon-field" }, el("span", { text: "Coupon code" }), input);
  return { node, codes: () => (input.value.trim() ? [input.value.trim().toUpperCase()] : []) };
}

const head = (p, ...lines) => el("div", { class: "checkout-head" },
  el("img", { src: p.image_url || "/static/demo/mug.svg", alt: "" }), el("div", {}, ...lines));

/** Open the checkout for `p` (a ProductOut with its SKUs). */
export function buy(p, { channel, showId, videoId, loggedIn, title = "Checkout" }) {
  if (!loggedIn) {
    location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    return;
  }
  let sku = p.skus.find((k) => k.available > 0) || p.skus[0];
  let qty = 1;
  const total = el("span", { class: "price" });
  const qtyEl = el("input", { id: "qty", type: "number", min: 1, value: 1, "aria-label": "Quantity", readonly: true });
  const update = () => { qtyEl.value = qty; total.textContent = money(sku.price * qty, p.currency); };
  const chips = p.skus.map((k) => el("label", { class: "chip" },
    el("input", { type: "radio", name: "sku", value: k.id, checked: k.id === sku.id, disabled: k.available <= 0,
      onchange: () => { sku = k; qty = 1; update(); } }),
    el("span", { text: k.name })));
  const errors = el("div", { class: "errors", role: "alert", hidden: true });
  const go = el("button", { class: "btn btn-buy btn-lg btn-block", type: "submit", id: "place-order", text: "Buy now" });
  const coupon = couponField();
  const form = el("form", {},
    head(p, el("strong", { text: p.title }), el("div", { class: "muted", text: p.merchant_name })),
    p.skus.length > 1 ? el("fieldset", { class: "field", style: "border:0;padding:0" }, el("legend", { class: "label", text: "Option" }), el("div", { class: "chips" }, ...chips)) : null,
    el("div", { class: "field" }, el("span", { text: "Quantity" }),
      el("div", { class: "qty" },
        el("button", { type: "button", "aria-label": "One less", text: "−", onclick: () => { qty = Math.max(1, qty - 1); update(); } }),
        qtyEl,
        el("button", { type: "button", "aria-label": "One more", text: "+", onclick: () => { qty = Math.min(10, qty + 1); update(); } }))),
    el("div", { class: "total-row" }, el("span", { text: "Total" }), total),
    coupon.node, errors, go);
  update();
  const key = crypto.randomUUID(); // one order per sheet: a resent click replays, never doubles
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    go.disabled = true;
    go.textContent = "Reserving…";
    errors.hidden = true;
    try {
      const body = { items: [{ sku_id: sku.id, quantity: qty }], channel, show_id: showId, video_id: videoId, coupons: coupon.codes() };
      pay(p, await api("POST", "/api/orders", body, { idempotent: true, key }));
    } catch (err) {
      errors.textContent = err.message;
      errors.hidden = false;
      go.disabled = false;
      go.textContent = "Try again";
    }
  });
  sheet(title, form);
}

/** The pay step for a placed `order` (the live room's deals end up here too). */
export function pay(p, order) {
  const errors = el("div", { class: "errors", role: "alert", hidden: true });
  const card = el("input", { id: "card", name: "card", value: "4242 4242 4242 4242", inputmode: "numeric", autocomplete: "cc-number", required: true });
  const button = el("button", { class: "btn btn-buy btn-lg btn-block", type: "submit", id: "pay", text: `Pay ${money(order.total, order.currency)}` });
  const expires = el("span", { class: "muted" });
  let key = crypto.randomUUID(); // per attempt: a resent request replays, never double-charges
  const tick = () => {
    const s = (Date.parse(order.expires_at + "Z") - Date.now()) / 1000;
    expires.textContent = s > 0 ? `Held for you for ${clock(s)}` : "Your hold expired";
  };
  const form = el("form", {},
    head(p, el("strong", { text: p.title }), el("div", { text: `Order #${order.id}` }), expires),
    el("label", { class: "field" }, el("span", { text: "Card number (sandbox)" }), card,
      el("small", { class: "hint", text: "Sandbox: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined." })),
    order.discount ? el("div", { class: "total-row discount-row" }, el("span", { text: "Coupon savings" }),
      el("span", { class: "saving", id: "saving", text: `−${money(order.discount, order.currency)}` })) : null,
    el("div", { class: "total-row" }, el("span", { text: "To pay" }), el("span", { class: "price", text: money(order.total, order.currency) })),
    errors, button);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    button.disabled = true;
    button.textContent = "Paying…";
    errors.hidden = true;
    try {
      const paid = await api("POST", `/api/orders/${order.id}/pay`, { card: card.value.replace(/\s+/g, "") }, { idempotent: true, key });
      done(paid);
    } catch (err) {
      if (err instanceof ApiError) key = crypto.randomUUID(); // answered: next try is new
      errors.textContent = err.message;
      errors.hidden = false;
      button.disabled = false;
      button.textContent = "Try again";
    }
  });
  sheet("Pay", form);
  tick();
  sheetTimer = setInterval(tick, 500);
}

function done(order) {
  sheet("Done",
    el("div", { class: "success", id: "paid" },
      el("div", { class: "tick", "aria-hidden": "true", text: "✓" }),
      el("h3", { text: "Paid! It's yours." }),
      el("p", { class: "muted", text: `Order #${order.id} · ${money(order.total, order.currency)} · ${order.status}` }),
      el("div", { style: "display:flex;gap:8px;justify-content:center" },
        el("button", { class: "btn btn-buy", type: "button", text: "Keep watching", onclick: closeSheet }),
        el("a", { class: "btn", href: "/orders", text: "My orders" }))));
}
