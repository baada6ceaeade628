// Coupon pages (operator and merchant): issue a coupon (amounts in major units), retire or
// restore one. The API checks every rule; its problem detail is shown as is.
import { api, toast } from "./api.js";

const form = document.getElementById("coupon-form");
const digits = (currency) =>
  new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;

form?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const error = document.getElementById("coupon-error");
  error.hidden = true;
  const f = form.elements;
  const text = (field) => String(f[field].value).trim().replace(",", ".");
  const minor = (field) => Math.round(Number(text(field)) * 10 ** digits(f.currency.value));
  const now = new Date();
  const body = {
    kind: form.dataset.kind,
    code: text("code"),
    title: text("title"),
    currency: f.currency.value,
    min_spend: minor("min_spend"),
    per_user_limit: Number(text("per_user_limit") || 1),
    starts_at: now.toISOString(),
    ends_at: new Date(now.getTime() + Number(text("days") || 7) * 86400e3).toISOString(),
  };
  if (text("percent")) body.percent_bps = Math.round(Number(text("percent")) * 100);
  if (text("amount")) body.amount_off = minor("amount");
  if (text("total_limit")) body.total_limit = Number(text("total_limit"));
  try {
    await api("POST", "/api/coupons", body);
    location.reload();
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
  }
});

document.addEventListener("click", async (e) => {
  const toggle = e.target.closest("[data-toggle]");
  if (!toggle) return;
  try {
    await api("PATCH", `/api/coupons/${toggle.dataset.toggle}`, { active: toggle.dataset.active !== "true" });
    location.reload();
  } catch (err) {
    toast(err.message, true);
  }
});
