// Operator tier rules: add a tier (amounts in major units), retire or restore one, place hosts.
import { api, toast } from "./api.js";

const form = document.getElementById("tier-form");
const digits = (currency) =>
  new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;

form?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const error = document.getElementById("tier-error");
  error.hidden = true;
  const f = form.elements;
  const number = (field) => Number(String(f[field].value).replace(",", "."));
  try {
    await api("POST", "/api/tiers", {
      name: f.name.value.trim(),
      rank: number("rank"),
      currency: f.currency.value,
      min_gmv_30d: Math.round(number("min_gmv") * 10 ** digits(f.currency.value)),
      min_followers: number("min_followers"),
      commission_bps: Math.round(number("commission") * 100),
      boost_pct: number("boost"),
    });
    location.reload();
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
  }
});

document.addEventListener("click", async (e) => {
  const toggle = e.target.closest("[data-toggle]");
  try {
    if (toggle) {
      await api("PATCH", `/api/tiers/${toggle.dataset.toggle}`, { active: toggle.dataset.active !== "true" });
      location.reload();
    } else if (e.target.closest("#recompute")) {
      const moves = await api("POST", "/api/tiers/recompute");
      toast(moves.length ? `${moves.length} host${moves.length === 1 ? "" : "s"} moved` : "Every host is in the right tier");
      if (moves.length) setTimeout(() => location.reload(), 800);
    }
  } catch (err) {
    toast(err.message, true);
  }
});
