// Partner portal: set stock inline, create products with options, ship paid orders.
import { api, money, toast } from "./api.js";

const $ = (s, root = document) => root.querySelector(s);

document.addEventListener("submit", async (e) => {
  const form = e.target.closest("[data-stock]");
  if (!form) return;
  e.preventDefault();
  const input = $("input", form);
  const delta = Number(input.value) - Number(form.dataset.current);
  if (!Number.isInteger(delta) || delta === 0) return;
  try {
    const sku = await api("POST", `/api/skus/${form.dataset.stock}/stock`, { delta });
    form.dataset.current = sku.available;
    input.value = sku.available;
    form.closest("tr").querySelector("[data-available]").textContent = sku.available;
    toast("Stock saved");
  } catch (err) {
    input.value = form.dataset.current;
    toast(err.message, true);
  }
});

const productForm = $("#product-form");
if (productForm) {
  $("#add-sku").addEventListener("click", () => {
    const rows = $("#sku-rows");
    const row = rows.firstElementChild.cloneNode(true);
    for (const input of row.querySelectorAll("input")) input.value = input.name === "sku_stock" ? "10" : "";
    rows.append(row);
    $("input", row).focus();
  });
  productForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = productForm.elements;
    const currency = f.currency.value;
    const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
    const skus = [...productForm.querySelectorAll(".sku-row")].map((row) => ({
      name: $("[name=sku_name]", row).value.trim(),
      price: Math.round(Number($("[name=sku_price]", row).value) * 10 ** digits),
      currency,
      stock: Number($("[name=sku_stock]", row).value),
    }));
    const body = { title: f.title.value.trim(), description: f.description.value, image_url: f.image_url.value.trim(), skus };
    try {
      await api("POST", "/api/products", body);
      location.reload();
    } catch (err) {
      const box = $("#product-error");
      box.textContent = err.message;
      box.hidden = false;
    }
  });
}

document.addEventListener("click", async (e) => {
  const ship = e.target.closest("[data-ship]");
  if (!ship) return;
  ship.disabled = true;
  try {
    const order = await api("POST", `/api/orders/${ship.dataset.ship}/ship`);
    const badge = ship.closest("tr").querySelector("[data-status]");
    badge.textContent = order.status;
    badge.className = `badge badge-${order.status}`;
    ship.remove();
    toast(`Order #${order.id} shipped`);
  } catch (err) {
    ship.disabled = false;
    toast(err.message, true);
  }
});

// Refund all that is left (empty amount) or part of it, typed in major units.
document.addEventListener("submit", async (e) => {
  const form = e.target.closest("[data-refund]");
  if (!form) return;
  e.preventDefault();
  const currency = form.dataset.currency;
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  const text = form.amount.value.trim().replace(",", ".");
  if (text && !/^\d+(\.\d+)?$/.test(text)) return toast("Type an amount like 12.50", true);
  const body = text ? { amount: Math.round(Number(text) * 10 ** digits) } : {};
  try {
    const order = await api("POST", `/api/orders/${form.dataset.refund}/refund`, body, { idempotent: true });
    const row = form.closest("tr");
    const badge = row.querySelector("[data-status]");
    badge.textContent = order.status;
    badge.className = `badge badge-${order.status}`;
    const refunded = row.querySelector("[data-refunded]");
    refunded.textContent = `refunded ${money(order.refunded_amount, order.currency)}`;
    refunded.hidden = false;
    if (order.status === "refunded") row.querySelector("[data-ship]")?.remove(), form.closest("details").remove();
    else form.amount.placeholder = `all ${money(order.total - order.refunded_amount, order.currency)}`;
    form.amount.value = "";
    toast(`Order #${order.id}: ${money(order.refunded_amount, order.currency)} refunded`);
  } catch (err) {
    toast(err.message, true);
  }
});
