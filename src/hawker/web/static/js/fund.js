// Operator creator fund: set a pool for a period (amount in major units, times in UTC) and
// pay out ended periods now rather than at the next hourly run.
import { api, minorUnits, toast } from "./api.js";

const form = document.getElementById("period-form");

form?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const error = document.getElementById("period-error");
  error.hidden = true;
  const f = form.elements;
  const currency = f.currency.value;
  try {
    if (!/^\s*\d+([.,]\d+)?\s*$/.test(f.pool.value)) throw new Error("Type a pool like 5000.00");
    if (!f.starts_at.value || !f.ends_at.value) throw new Error("Pick when the period starts and ends");
    await api(
      "POST",
      "/api/creator-fund/periods",
      {
        currency,
        pool: minorUnits(f.pool.value, currency),
        starts_at: f.starts_at.value + "Z",
        ends_at: f.ends_at.value + "Z",
      },
      { idempotent: true },
    );
    location.reload();
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
  }
});

document.getElementById("settle")?.addEventListener("click", async () => {
  try {
    const settled = await api("POST", "/api/creator-fund/settle");
    toast(settled.length ? `Paid out period${settled.length === 1 ? "" : "s"} #${settled.join(", #")}` : "No ended period is waiting");
    if (settled.length) setTimeout(() => location.reload(), 800);
  } catch (err) {
    toast(err.message, true);
  }
});
