// Earnings page: request a payout (amount typed in major units, sent in minor units).
import { api, minorUnits, toast } from "./api.js";

const form = document.getElementById("payout-form");
const error = document.getElementById("payout-error");

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const currency = form.currency.value;
  const body = { role: form.dataset.role, currency };
  try {
    if (!form.amount.checkValidity()) throw new Error("Type an amount like 25.00");
    if (form.amount.value.trim()) body.amount = minorUnits(form.amount.value, currency);
    const payout = await api("POST", "/api/earnings/payouts", body, { idempotent: true });
    toast(payout.status === "paid" ? "Payout sent" : `Payout ${payout.status}`);
    setTimeout(() => location.reload(), 600);
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
});
