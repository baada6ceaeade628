// A show's replay: the MP4 plays in the stage; each product moment seeks to where the host
// presented it, the moment playing now is highlighted, and Buy orders with channel "replay"
// so the sale counts for the show and its host. The list itself is server-rendered.
import { buy } from "./checkout.js";

const state = JSON.parse(document.getElementById("replay-state").textContent);
const replay = state.replay;
const video = document.getElementById("video");
const strip = document.getElementById("moments");
const cards = [...document.querySelectorAll(".moment")];
const products = new Map(replay.products.map((p) => [p.id, p]));
let current = -1;
const calm = matchMedia("(prefers-reduced-motion: reduce)");

function seek(offset) {
  video.currentTime = offset;
  video.play().catch(() => {}); // refused only without a user gesture; the tap is one
}

// The moment playing now: the last one at or before the playhead (moments are in time order).
function highlight() {
  const t = video.currentTime + 0.25; // a seek lands a frame short of its target
  let now = -1;
  replay.moments.forEach((m, i) => { if (m.offset_s <= t) now = i; });
  if (now === current) return;
  current = now;
  cards.forEach((card, i) => card.setAttribute("aria-current", String(i === now)));
  const card = cards[now];
  if (card) strip.scrollTo({ left: card.offsetLeft - (strip.clientWidth - card.offsetWidth) / 2, behavior: calm.matches ? "auto" : "smooth" });
}

for (const card of cards) {
  card.querySelector(".seek").addEventListener("click", () => seek(Number(card.dataset.offset)));
}
for (const button of document.querySelectorAll("[data-buy]")) {
  button.addEventListener("click", () => {
    video.pause();
    buy(products.get(Number(button.dataset.buy)), {
      channel: "replay",
      showId: replay.show_id,
      loggedIn: Boolean(state.me),
    });
  });
}
video.addEventListener("timeupdate", highlight);
video.addEventListener("seeked", highlight);
highlight();
