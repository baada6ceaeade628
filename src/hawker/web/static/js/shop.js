// Product, cart and checkout pages: buy now, add to cart, change quantities, pay each order.
import { api, ApiError, money, toast } from "./api.js";

const $ = (s, root = document) => root.querySelector(s);

function fail(box, err) {
  box.textContent = err.message;
  box.hidden = false;
}

// ---------------------------------------------------------------- product page
const buyForm = $("#buy-form");
if (buyForm) {
  const qty = $("#qty");
  const errors = $("#buy-error");
  const selected = () => $("input[name=sku]:checked", buyForm);
  const refreshPrice = () => {
    const sku = selected();
    if (sku) $("#price").textContent = money(Number(sku.dataset.price) * Number(qty.value || 1), buyForm.dataset.currency);
  };
  buyForm.addEventListener("change", refreshPrice);
  for (const b of buyForm.querySelectorAll("[data-step]")) {
    b.addEventListener("click", () => {
      qty.value = Math.max(1, Math.min(99, Number(qty.value) + Number(b.dataset.step)));
      refreshPrice();
    });
  }
  const item = () => ({ sku_id: Number(selected().value), quantity: Number(qty.value) });
  buyForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.hidden = true;
    try {
      const order = await api("POST", "/api/orders", { items: [item()], channel: "direct" }, { idempotent: true });
      location.href = `/checkout?orders=${order.id}`;
    } catch (err) {
      if (err.status === 401) location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
      else fail(errors, err);
    }
  });
  $("#add-to-cart").addEventListener("click", async () => {
    errors.hidden = true;
    try {
      const cart = await api("POST", "/api/cart/items", item());
      toast(`Added to cart · ${cart.items.length} item${cart.items.length === 1 ? "" : "s"}`);
    } catch (err) {
      if (err.status === 401) location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
      else fail(errors, err);
    }
  });
}

// ---------------------------------------------------------------- cart
for (const line of document.querySelectorAll("#cart [data-sku]")) {
  const sku = line.dataset.sku;
  const input = $("input", line);
  for (const b of line.querySelectorAll("[data-cart-step]")) {
    b.addEventListener("click", async () => {
      const quantity = Number(input.value) + Number(b.dataset.cartStep);
      try {
        if (quantity < 1) await api("DELETE", `/api/cart/items/${sku}`);
        else await api("PATCH", `/api/cart/items/${sku}`, { quantity });
        location.reload();
      } catch (err) { toast(err.message, true); }
    });
  }
  $("[data-cart-remove]", line).addEventListener("click", async () => {
    try { await api("DELETE", `/api/cart/items/${sku}`); location.reload(); } catch (err) { toast(err.message, true); }
  });
}
// Coupons: each code is priced by the API (POST /api/coupons/quote) before it is kept, so
// the shopper sees the discount and any refusal before checking out.
let coupons = [];
const couponForm = $("#coupon-form");

function showQuote(orders) {
  const byCurrency = {};
  for (const o of orders) {
    const c = (byCurrency[o.currency] ||= { discount: 0, total: 0, subtotal: 0 });
    c.discount += o.discount;
    c.total += o.total;
    c.subtotal += o.subtotal;
  }
  for (const [currency, c] of Object.entries(byCurrency)) {
    const row = $(`[data-total-row="${currency}"]`);
    const saving = $(`[data-discount-row="${currency}"]`);
    if (!row) continue;
    $("[data-total]", row).textContent = money(c.total, currency);
    $("[data-was]", row).hidden = c.discount === 0;
    saving.hidden = c.discount === 0;
    $("[data-discount]", saving).textContent = `−${money(c.discount, currency)}`;
  }
  const list = $("#coupons-applied");
  list.replaceChildren(
    ...orders.flatMap((o) => o.coupons).map((c) => {
      const li = document.createElement("li");
      li.className = "coupon-chip";
      li.innerHTML = `<span><strong></strong> <span class="saving"></span></span><button type="button" class="btn btn-ghost btn-sm" aria-label="Remove coupon">✕</button>`;
      $("strong", li).textContent = c.code;
      $(".saving", li).textContent = `−${c.amount_display}`;
      $("button", li).addEventListener("click", () => applyCoupons(coupons.filter((x) => x !== c.code)));
      return li;
    }),
  );
}

async function applyCoupons(codes) {
  const error = $("#coupon-error");
  error.hidden = true;
  try {
    showQuote(await api("POST", "/api/coupons/quote", { coupons: codes }));
    coupons = codes;
    return true;
  } catch (err) {
    fail(error, err);
    return false;
  }
}

couponForm?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = $("#coupon-code");
  const code = input.value.trim().toUpperCase();
  if (!code || coupons.includes(code)) return;
  if (await applyCoupons([...coupons, code])) input.value = "";
});

const checkout = $("#checkout");
if (checkout) {
  checkout.addEventListener("click", async () => {
    checkout.disabled = true;
    try {
      const orders = await api("POST", "/api/cart/checkout", { channel: "direct", coupons }, { idempotent: true });
      location.href = `/checkout?orders=${orders.map((o) => o.id).join(",")}`;
    } catch (err) {
      fail($("#cart-error"), err);
      checkout.disabled = false;
    }
  });
}

// ---------------------------------------------------------------- checkout: pay each order
for (const b of document.querySelectorAll("[data-pay]")) {
  let key = crypto.randomUUID(); // per attempt: a resent request replays, never pays twice
  b.addEventListener("click", async () => {
    const line = b.closest("[data-order]");
    const errors = $("[data-error]", line);
    errors.hidden = true;
    b.disabled = true;
    b.textContent = "Paying…";
    try {
      const card = $("#card").value.replace(/\s+/g, "");
      const order = await api("POST", `/api/orders/${b.dataset.pay}/pay`, { card }, { idempotent: true, key });
      const badge = $("[data-status]", line);
      badge.textContent = order.status;
      badge.className = `badge badge-${order.status}`;
      b.replaceWith(Object.assign(document.createElement("span"), { className: "badge badge-paid", textContent: "✓ Paid" }));
      toast(`Order #${order.id} paid`);
    } catch (err) {
      if (err instanceof ApiError) key = crypto.randomUUID(); // answered: next try is new
      fail(errors, err);
      b.disabled = false;
      b.textContent = "Try again";
    }
  });
}
