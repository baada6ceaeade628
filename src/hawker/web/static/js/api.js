// Shared helpers for page scripts: JSON API calls with the session cookie + CSRF header,
// problem-body errors, idempotency keys, locale money formatting and typed amounts.

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `request failed (${status})`);
    this.status = status;
    this.code = problem.code || "error";
    this.problem = problem;
  }
}

export async function api(method, url, body, { idempotent = false, key } = {}) {
  const headers = { "X-CSRF-Token": csrf(), Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotent) headers["Idempotency-Key"] = key || crypto.randomUUID();
  const res = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401) data.detail = "Log in first: " + (data.detail || "");
    throw new ApiError(res.status, data);
  }
  return data;
}

const formatters = new Map();
export function money(amount, currency) {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat(navigator.language || "en", { style: "currency", currency });
    formatters.set(currency, f);
  }
  const digits = f.resolvedOptions().maximumFractionDigits;
  return f.format(amount / 10 ** digits);
}

// An amount typed in major units ("25.50") as integer minor units of the currency.
export function minorUnits(text, currency) {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits;
  const [whole, frac = ""] = text.trim().replace(",", ".").split(".");
  if (frac.length > digits) throw new Error(`${currency} has ${digits} decimal places`);
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, "0") || 0);
}

export function toast(text, bad = false) {
  const el = document.createElement("div");
  el.className = "toast" + (bad ? " bad" : "");
  el.setAttribute("role", bad ? "alert" : "status");
  el.textContent = text;
  document.body.append(el);
  setTimeout(() => el.remove(), 3200);
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(r)}` : `${pad(m)}:${pad(r)}`;
}

export function untilText(iso) {
  const s = (Date.parse(iso) - Date.now()) / 1000;
  if (s <= 0) return "Starting now";
  if (s < 3600) return `In ${Math.ceil(s / 60)} min`;
  if (s < 86400) return `In ${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

// "12.50" in major units -> 1250 minor units of the currency (NaN when not a number).
export function toMinor(text, currency) {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  return Math.round(Number(String(text).trim().replace(",", ".")) * 10 ** digits);
}
