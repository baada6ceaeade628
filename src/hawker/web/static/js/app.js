// Every page: money in the viewer's locale, relative start times, and [data-action] buttons
// that call the JSON API (used by product, cart, checkout, studio and merchant pages).
import { api, money, toast, untilText } from "./api.js";

function localise(root = document) {
  for (const el of root.querySelectorAll("[data-money]")) {
    el.textContent = money(Number(el.dataset.money), el.dataset.currency);
  }
  for (const el of root.querySelectorAll("[data-countdown]")) {
    el.textContent = untilText(el.dataset.countdown);
  }
}

localise();
document.addEventListener("htmx:afterSwap", (e) => localise(e.target));
setInterval(() => {
  for (const el of document.querySelectorAll("[data-countdown]")) el.textContent = untilText(el.dataset.countdown);
}, 30000);

if (document.getElementById("bell")) import("./notify.js");

export { localise, api, toast };
